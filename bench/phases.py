"""The measured phases of `make bench`, each run in its own process by `bench/run.py`.

    python bench/phases.py PHASE CONFIG_JSON RESULT_JSON

Every phase reads its inputs from CONFIG_JSON, writes its numbers to RESULT_JSON and
prints whatever the code it runs prints (the orchestrator sends that to a log file).
Running each phase in a fresh process keeps its peak memory apart from the others'.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

# Taken before the heavy imports: the pipeline phase counts interpreter + Dagster start-up.
PROCESS_STARTED = time.time()


def _maxrss_mib() -> dict:
    """Largest resident set of this process and of its largest waited-for descendant."""
    return {
        "self_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def submission_files(inbox: Path) -> list[Path]:
    """Every file the ingest would consider (same name rule, sorted)."""
    from dagster_project.ingest.landing import is_submission_name

    out = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = [d for d in dirnames if is_submission_name(d)]
        out.extend(Path(dirpath) / n for n in filenames if is_submission_name(n))
    return sorted(out)


# --- 2. ingest: a fresh warehouse, land_inbox with 2 workers ------------------------------


def phase_ingest(cfg: dict) -> dict:
    import duckdb

    from dagster_project.ingest.landing import land_inbox
    from dagster_project.ingest.model import Limits
    from dagster_project.ingest.registry import Registry

    data = Path(cfg["data_dir"])
    warehouse = Path(cfg["work_dir"]) / "ingest.duckdb"
    for leftover in (warehouse, Path(f"{warehouse}.wal")):
        leftover.unlink(missing_ok=True)
    registry = Registry.from_csv(data / "reference" / "org_units.csv")
    con = duckdb.connect(str(warehouse))
    messages: list[str] = []
    started = time.perf_counter()
    summary = land_inbox(
        con, data / "inbox", registry, Limits(), cfg["workers"], progress=messages.append
    )
    wall = time.perf_counter() - started
    figures = con.execute("select count(*) from raw.figures").fetchone()[0]
    con.close()
    warehouse.unlink(missing_ok=True)
    return {
        "wall_s": wall,
        "workers": cfg["workers"],
        "files_seen": summary.files_seen,
        "files_parsed": summary.files_new,
        "duplicate_paths": summary.duplicate_paths,
        "accepted": summary.submissions_accepted,
        "rejected": summary.submissions_rejected,
        "rows_accepted": summary.rows_accepted,
        "rows_quarantined": summary.rows_quarantined,
        "figures_in_raw": figures,
        "files_per_s": summary.files_seen / wall,
        "figures_per_s": summary.rows_accepted / wall,
        "progress": messages,
        **_maxrss_mib(),
    }


# --- 3a. the floor: a bare python-calamine loop, one core ---------------------------------


def phase_floor(cfg: dict) -> dict:
    import csv
    import io

    from python_calamine import CalamineWorkbook

    files = submission_files(Path(cfg["data_dir"]) / "inbox")
    counts = {"xlsx": 0, "csv": 0, "json": 0, "other": 0, "errors": 0}
    cells = 0
    started = time.perf_counter()
    for path in files:
        ext = path.suffix.lower()
        try:
            if ext == ".xlsx":
                workbook = CalamineWorkbook.from_path(str(path))
                for name in workbook.sheet_names:
                    rows = workbook.get_sheet_by_name(name).to_python()
                    cells += sum(len(r) for r in rows)
                counts["xlsx"] += 1
            elif ext == ".csv":
                text = path.read_bytes().decode("utf-8-sig", errors="replace")
                cells += sum(len(r) for r in csv.reader(io.StringIO(text)))
                counts["csv"] += 1
            elif ext == ".json":
                json.loads(path.read_bytes())
                counts["json"] += 1
            else:
                path.read_bytes()
                counts["other"] += 1
        except Exception:  # noqa: BLE001 - the floor only reads; a broken file still costs
            counts["errors"] += 1
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "files": len(files),
        "per_file_ms": 1000 * wall / max(len(files), 1),
        "files_per_s": len(files) / wall,
        "cells": cells,
        "by_format": counts,
        **_maxrss_mib(),
    }


# --- 3b. what a user writes by hand: pandas.read_excel with openpyxl, on a sample ---------


def phase_openpyxl(cfg: dict) -> dict:
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")  # openpyxl's style warnings on generated workbooks
    xlsx = [p for p in submission_files(Path(cfg["data_dir"]) / "inbox") if p.suffix.lower() == ".xlsx"]
    n = min(cfg["sample"], len(xlsx))
    sample = [xlsx[i * len(xlsx) // n] for i in range(n)]  # evenly spaced, deterministic
    errors = 0
    started = time.perf_counter()
    for path in sample:
        try:
            pd.read_excel(path, sheet_name=None, engine="openpyxl")
        except Exception:  # noqa: BLE001
            errors += 1
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "files": n,
        "errors": errors,
        "per_file_ms": 1000 * wall / max(n, 1),
        "files_per_s": n / wall,
        **_maxrss_mib(),
    }


# --- 4. the whole pipeline, as `make run` runs it -----------------------------------------


def _step_times(instance, run_id: str) -> dict[str, float]:
    from dagster import DagsterEventType

    starts, times = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[record.step_key] = record.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            times[record.step_key] = record.timestamp - starts.get(record.step_key, record.timestamp)
    return times


def _run_wall(instance, run_id: str) -> float:
    stats = instance.get_run_stats(run_id)
    return (stats.end_time or 0) - (stats.launch_time or stats.start_time or 0)


def stage_of(step_key: str) -> str:
    if step_key in ("reference_files", "landed_submissions"):
        return "ingest"
    if step_key.startswith("ge_"):
        return "checks"
    if step_key.startswith("reports__"):
        return "reports"
    if "dbt" in step_key:
        return "dbt"
    return "other"


def _report_counts(instance, run_id: str) -> dict[str, int]:
    """Report workbooks of a run, from the report assets' materialization metadata: in the
    window, recomputed (inputs changed), published (new versions)."""
    from dagster import DagsterEventType

    counts = {"workbooks": 0, "workbooks_recomputed": 0, "workbooks_published": 0}
    per_asset = {}  # a run over several months materializes each partition with the same metadata
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        materialization = record.dagster_event.event_specific_data.materialization
        if materialization.asset_key.path[-1] in ("province_workbooks", "district_workbooks"):
            per_asset[materialization.asset_key] = materialization.metadata
    for metadata in per_asset.values():
        for name in counts:
            value = metadata.get(name)
            if value is not None:
                counts[name] += int(value.value)
    return counts


def _summarise_runs(instance, runs) -> dict:
    steps: dict[str, float] = {}
    walls = {}
    reports = {"workbooks": 0, "workbooks_recomputed": 0, "workbooks_published": 0}
    for run in runs:
        walls[run.job_name] = _run_wall(instance, run.run_id)
        for key, value in _report_counts(instance, run.run_id).items():
            reports[key] += value
        for key, seconds in _step_times(instance, run.run_id).items():
            steps[f"{run.job_name}:{key}"] = seconds
    stages: dict[str, float] = {}
    for key, seconds in steps.items():
        stage = stage_of(key.split(":", 1)[1])
        stages[stage] = stages.get(stage, 0.0) + seconds
    return {"steps": steps, "stages": stages, "run_walls": walls, "reports": reports}


def phase_pipeline(cfg: dict) -> dict:
    imports_started = time.time()
    from dagster import DagsterInstance

    from dagster_project.pipeline import run_all

    imports_done = time.time()
    with DagsterInstance.get() as instance:
        started = time.perf_counter()
        outcome = run_all(instance)
        wall = time.perf_counter() - started
        runs = sorted(instance.get_runs(), key=lambda r: instance.get_run_stats(r.run_id).start_time or 0)
        summary = _summarise_runs(instance, runs)
    finished = time.time()
    summary["stages"]["other"] = wall - sum(summary["stages"].values())  # Dagster runs, months lookup
    return {
        "success": outcome.success,
        "months": outcome.months,
        "run_all_s": wall,
        "startup_s": imports_done - cfg["spawned_at"],  # interpreter + imports, as `make run` pays
        "imports_s": imports_done - imports_started,
        "end_to_end_s": finished - cfg["spawned_at"],
        **summary,
        **_maxrss_mib(),
    }


# --- 5. incremental: one late file from one school, then land + rebuild its month ---------


def _own_sheet(workbook):
    from dagster_project.ingest.normalize import sheet_key
    from dagster_project.ingest.readers import OWN_SHEET_KEY

    for ws in workbook.worksheets:
        if sheet_key(ws.title) == OWN_SHEET_KEY:
            return ws
    return None


def _edit_workbook(path: Path, out: Path, new_date) -> dict | None:
    """Copy a school's workbook with a later report date and one changed figure."""
    from openpyxl import load_workbook

    from dagster_project.ingest.normalize import label_key
    from dagster_project.ingest.readers import (
        DENOMINATOR_KEYS,
        FIELD_LABELS,
        KPI_KEYS,
        NUMERATOR_KEYS,
        RATE_KEYS,
    )

    wb = load_workbook(path)
    ws = _own_sheet(wb)
    if ws is None:
        return None
    grid = [list(r) for r in ws.iter_rows()]
    date_done = None
    header = None
    for r, row in enumerate(grid):
        keys = [label_key(c.value) if isinstance(c.value, str) else "" for c in row]
        for c, key in enumerate(keys):
            if FIELD_LABELS.get(key) == "report_date" and date_done is None:
                for cell in row[c + 1:]:
                    if cell.value not in (None, ""):
                        cell.value = new_date if not isinstance(cell.value, str) else new_date.strftime("%d/%m/%Y")
                        date_done = cell.coordinate
                        break
        roles = {}
        for c, key in enumerate(keys):
            for role, wanted in (("kpi", KPI_KEYS), ("num", NUMERATOR_KEYS), ("den", DENOMINATOR_KEYS), ("rate", RATE_KEYS)):
                if key in wanted and role not in roles:
                    roles[role] = c
        if header is None and {"kpi", "num", "den"} <= roles.keys():
            header = (r, roles)
    if date_done is None or header is None:
        return None
    r0, roles = header
    for row in grid[r0 + 1:]:
        num, den = row[roles["num"]].value, row[roles["den"]].value
        kpi = row[roles["kpi"]].value
        if not (isinstance(num, (int, float)) and isinstance(den, (int, float)) and den >= 2):
            continue
        new = int(num) + 1 if num < den else int(num) - 1
        row[roles["num"]].value = new
        if "rate" in roles and isinstance(row[roles["rate"]].value, (int, float)):
            old_rate = row[roles["rate"]].value
            row[roles["rate"]].value = round(100 * new / den, 1) if old_rate > 1.0 else round(new / den, 4)
        wb.save(out)
        return {"kpi_code": kpi, "old_numerator": int(num), "new_numerator": new, "denominator": int(den)}
    return None


def make_late_file(inbox: Path, reference: Path, month: str) -> dict:
    """Take the first school workbook of `month` (YYYY-MM) that parses cleanly and write
    its late correction beside it: a later report date and one changed figure."""
    from datetime import datetime, timedelta

    from dagster_project.ingest.model import Limits
    from dagster_project.ingest.process import process_file
    from dagster_project.ingest.registry import Registry

    registry = Registry.from_csv(reference / "org_units.csv")
    for path in (p for p in submission_files(inbox) if p.suffix == ".xlsx"):
        data = path.read_bytes()
        rel = path.relative_to(inbox).as_posix()
        res = process_file(data=data, rel_path=rel, registry=registry, limits=Limits(),
                           size=len(data), submission_id="probe")
        if not res.accepted or str(res.month)[:7] != month or len(res.unit_code or "") != 8:
            continue
        if res.has_consolidated_section or res.rows_quarantined or res.warnings:
            continue
        if not isinstance(res.report_date, datetime):
            continue
        new_date = (res.report_date + timedelta(days=9)).replace(microsecond=0)
        out = path.with_name(f"{path.stem} (bo sung){path.suffix}")
        edit = _edit_workbook(path, out, new_date)
        if edit is None:
            out.unlink(missing_ok=True)
            continue
        data = out.read_bytes()
        check = process_file(data=data, rel_path=out.relative_to(inbox).as_posix(), registry=registry,
                             limits=Limits(), size=len(data), submission_id="probe")
        changed = [f for f in check.figures if f.kpi_code == edit["kpi_code"] and f.scope == "own"]
        if check.accepted and check.report_date and check.report_date > res.report_date and changed \
                and changed[0].numerator == edit["new_numerator"]:
            return {
                "file": out.relative_to(inbox).as_posix(),
                "copied_from": rel,
                "unit_code": res.unit_code,
                "month": str(res.month)[:7],
                "old_report_date": str(res.report_date),
                "report_date": str(check.report_date),
                "warnings": [w.warning_code for w in check.warnings],
                **edit,
            }
        out.unlink(missing_ok=True)
    raise SystemExit(f"no school workbook of {month} suitable for the late-file test")


def _build_month(defs, instance, month: str):
    """The build job for one month, as the late-file sensor would launch it."""
    from dagster_project.pipeline import RUN_CONFIG

    return defs.resolve_job_def("build_months").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=RUN_CONFIG,
        tags={"dagster/asset_partition_range_start": month, "dagster/asset_partition_range_end": month},
    )


def _rerun_unchanged(defs, instance, month: str, reports: Path) -> dict:
    files_before = {p: p.stat().st_mtime_ns for p in reports.glob("20*/*")}
    known = {r.run_id for r in instance.get_runs()}
    started = time.perf_counter()
    again = _build_month(defs, instance, month)
    wall = time.perf_counter() - started
    runs = [r for r in instance.get_runs() if r.run_id not in known]
    return {
        "success": again.success,
        "wall_s": wall,
        **_summarise_runs(instance, runs),
        "files_unchanged": files_before == {p: p.stat().st_mtime_ns for p in reports.glob("20*/*")},
    }


def phase_incremental(cfg: dict) -> dict:
    import hashlib

    import duckdb
    from dagster import DagsterInstance

    from dagster_project.definitions import defs
    from dagster_project.pipeline import RUN_CONFIG
    from dagster_project.settings import get_settings

    settings = get_settings()
    late = make_late_file(settings.inbox_dir, settings.reference_dir, cfg["month"])
    late_id = hashlib.sha256((settings.inbox_dir / late["file"]).read_bytes()).hexdigest()
    reports = settings.reports_dir
    before = {p for p in reports.rglob("*.xlsx")}
    month = late["month"][:7] + "-01"
    with DagsterInstance.get() as instance:
        known = {r.run_id for r in instance.get_runs()}
        started = time.perf_counter()
        landed = defs.resolve_job_def("land_sources").execute_in_process(
            instance=instance, raise_on_error=False, run_config=RUN_CONFIG
        )
        land_s = time.perf_counter() - started
        built = _build_month(defs, instance, month)
        wall = time.perf_counter() - started
        runs = [r for r in instance.get_runs() if r.run_id not in known]
        runs.sort(key=lambda r: instance.get_run_stats(r.run_id).start_time or 0)
        summary = _summarise_runs(instance, runs)
        # The same build again, nothing changed: no report is computed, no file written
        # (report files only: the period folders at the top; feedback workbooks are not
        # versioned and live under feedback/<unit>/, which may also start with "20").
        rerun = _rerun_unchanged(defs, instance, month, reports) if cfg.get("rerun", True) else None
    new_reports = sorted(p.relative_to(reports).as_posix() for p in set(reports.rglob("*.xlsx")) - before)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        current = con.execute(
            "select numerator, submission_id from marts.fct_kpi_unit_month "
            "where unit_code = ? and month = ?::date and kpi_code = ?",
            [late["unit_code"], month, late["kpi_code"]],
        ).fetchall()
    finally:
        con.close()
    province = late["unit_code"][:2]
    province_reports = [p for p in new_reports if f"bao_cao_tinh_{province}_" in p]
    mart_current = bool(current) and current[0][0] == late["new_numerator"] and current[0][1] == late_id
    return {
        "success": landed.success and built.success,
        "late_file": late,
        "land_s": land_s,
        "build_s": wall - land_s,
        "wall_s": wall,
        "month": month,
        "mart_current": mart_current,
        "mart_row": [list(map(str, r)) for r in current],
        "new_reports": new_reports,
        "province_reports_republished": province_reports,
        "rerun_unchanged": rerun,
        **summary,
        **_maxrss_mib(),
    }


PHASES = {
    "ingest": phase_ingest,
    "floor": phase_floor,
    "openpyxl": phase_openpyxl,
    "pipeline": phase_pipeline,
    "incremental": phase_incremental,
}


def main() -> int:
    phase, config_path, result_path = sys.argv[1:4]
    cfg = json.loads(Path(config_path).read_text())
    result = PHASES[phase](cfg)
    Path(result_path).write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
