"""A tiny world for the fault tests, the real CLI as a killable process, and snapshots.

The world: Quảng Ninh 22 with Hạ Long 193, two schools under it and one under the
province; January and February 2025; one quarantined row and one rejected file, so the
feedback workbooks are part of what must survive a kill. `write_march` adds a month.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import openpyxl

from support import workbooks as wb
from support.story import school, school_json
from support.pipeline import PROJECT_ROOT, Workspace

S1, S2, S3 = "22193001", "22193002", "22000001"
HS, CKS = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"
REGISTRY = [
    ("22", "Sở GDĐT Quảng Ninh", "province", "", "", "2000-01-01", "", ""),
    ("193", "Phòng GDĐT thành phố Hạ Long", "district", "22", "", "2000-01-01", "", ""),
    (S1, "Trường Tiểu học Cao Xanh", "school", "193", "tieu_hoc", "2010-01-01", "", ""),
    (S2, "Trường THCS Hạ Long", "school", "193", "thcs", "2010-01-01", "", ""),
    (S3, "Trường THPT Hòn Gai", "school", "22", "thpt", "2010-01-01", "", ""),
]
TARGETS = "kpi_code,area_code,year,target\nTTHC_HS_TRUC_TUYEN,*,2025,0.80\nCSGD_CHU_KY_SO,*,2025,1.00\n"


def write_world(ws: Workspace) -> None:
    ws.write("reference/org_units.csv", wb.registry_csv(REGISTRY))
    ws.write("reference/kpi_targets.csv", TARGETS)
    ws.write("t1/s1.xlsx", school(S1, "Tháng 1/2025", "03/02/2025", [(HS, 3, 4), (CKS, 9, 20)], name="Trường Tiểu học Cao Xanh"))
    # S2 January: CKS 5/10, and a non-numeric row (quarantined: a feedback workbook).
    ws.write("t1/s2.xlsx", school(S2, "Tháng 1/2025", "04/02/2025", [(CKS, 5, 10), (HS, "nhiều", 10)], name="Trường THCS Hạ Long"))
    ws.write(
        "t1/193.xlsx",
        school("193", "Tháng 1/2025", "08/02/2025", [(HS, 8, 10)],
                consolidated=[(S1, CKS, 9, 20), (S2, CKS, 5, 11)], name="Phòng GDĐT thành phố Hạ Long"),
    )  # fmt: skip
    ws.write("t1/s3.json", school_json(S3, "2025-01", "2025-02-05", [(CKS, 30, 40)]))
    ws.write("t2/s1.xlsx", school(S1, "T2/2025", "05/03/2025", [(HS, 5, 6), (CKS, 12, 20)], name="Trường Tiểu học Cao Xanh"))
    ws.write("t2/s3.xlsx", school(S3, "T2/2025", "06/03/2025", [(HS, 7, 10)], name="Trường THPT Hòn Gai"))
    # A file from a unit that is not in the registry: rejected (unknown_unit).
    ws.write("t2/la.xlsx", school("22999999", "T2/2025", "05/03/2025", [(HS, 1, 2)], name="Trường lạ"))


def write_march(ws: Workspace) -> None:
    ws.write("t3/s1.xlsx", school(S1, "03/2025", "04/04/2025", [(HS, 7, 10), (CKS, 14, 20)], name="Trường Tiểu học Cao Xanh"))
    ws.write("t3/s2.xlsx", school(S2, "03/2025", "05/04/2025", [(CKS, 8, 10)], name="Trường THCS Hạ Long"))


def copy_workspace(src: Workspace, root: Path) -> Workspace:
    """Everything of `src` (sources, warehouse, analysts' copy, reports) under `root`."""
    for name in ("sources", "warehouse", "reports"):
        if (src.root / name).exists():
            shutil.copytree(src.root / name, root / name, symlinks=True)
    return Workspace(root)


# --- the real CLI, killable ---------------------------------------------------------------


def cli_env(ws: Workspace, dagster_home: Path) -> dict[str, str]:
    dagster_home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DE06_")}
    env.update(ws.env())
    env.update(
        DAGSTER_HOME=str(dagster_home),
        DAGSTER_DISABLE_TELEMETRY="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


class CliRun:
    """`python -m dagster_project run` in its own process group. A thread reads its log
    (stdout and stderr merged) line by line and SIGKILLs the whole group (dbt included)
    the moment a line matches `kill_on`, or as soon as `kill_when()` turns true (polled)."""

    def __init__(self, env: dict[str, str], kill_on: str | None = None, kill_when=None):
        self.lines: list[str] = []
        self.killed_at: str | None = None
        self._kill_on = re.compile(kill_on) if kill_on else None
        self._seen = threading.Event()
        self._watch: str | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dagster_project", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if kill_when is not None:
            threading.Thread(target=self._poll, args=(kill_when,), daemon=True).start()

    def kill(self, why: str) -> None:
        if self.killed_at is None and self.proc.poll() is None:
            self.killed_at = why
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if self._kill_on is not None and self._kill_on.search(line):
                self.kill(line.strip())
            if self._watch and self._watch in line:
                self._seen.set()

    def _poll(self, kill_when) -> None:
        while self.proc.poll() is None and self.killed_at is None:
            found = kill_when()
            if found:
                self.kill(str(found))
                return
            time.sleep(0.005)

    def wait_for_line(self, text: str, timeout: float = 300) -> None:
        self._watch = text
        if any(text in line for line in list(self.lines)):
            return
        self._seen.wait(timeout)
        assert any(text in line for line in self.lines), f"no line with {text!r}:\n{self.log()}"

    def wait(self, timeout: float = 600) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        # The group: dbt must not outlive a killed run (it would hold the warehouse).
        if self.killed_at is not None:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                pass
            else:
                os.killpg(self.proc.pid, signal.SIGKILL)
                time.sleep(0.2)
        return code

    def log(self) -> str:
        return "".join(self.lines[-60:])


# --- snapshots ------------------------------------------------------------------------------

# Columns that are the time of a run, not data: they differ between any two runs.
IGNORED_COLUMNS = {
    "raw.submissions": {"ingested_at"},
    "raw.submission_files": {"first_seen_at"},
    "audit.submissions": {"ingested_at"},
}
CONTENT_SCHEMAS = ("reference", "raw", "marts", "audit")
# Run-stamped history pages of Great Expectations' Data Docs (one folder per validation
# run): a killed run that got as far as the checks adds its own, like any run.
RUN_STAMPED = "quality/data_docs/validations/"


def warehouse_snapshot(path: Path) -> dict:
    """Every table's name (all schemas), and the sorted rows of every reference, raw,
    marts and audit table without the run-time columns."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() order by 1, 2"
        ).fetchall()
        snapshot = {"tables": [f"{s}.{t}" for s, t in names]}
        for schema, table in names:
            if schema not in CONTENT_SCHEMAS:
                continue
            full = f"{schema}.{table}"
            columns = [
                c for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    "and database_name = current_database() order by column_index",
                    [schema, table],
                ).fetchall()
                if c not in IGNORED_COLUMNS.get(full, set())
            ]  # fmt: skip
            rows = con.execute(f'select {", ".join(columns)} from "{schema}"."{table}"').fetchall()
            snapshot[full] = sorted(rows, key=repr)
    finally:
        con.close()
    return snapshot


# Labels whose value cell is the time of a run: a feedback workbook shows when the file was
# received and processed (raw.submissions.ingested_at).
RUN_TIME_LABELS = {"Thời điểm tiếp nhận, xử lý"}


def _without_run_times(row: tuple) -> tuple:
    row = list(row)
    for i, value in enumerate(row):
        if value in RUN_TIME_LABELS:
            j = next((k for k in range(i + 1, len(row)) if row[k] is not None), None)
            if j is not None:
                row[j] = "<run time>"
    return tuple(row)


def _cells(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    try:
        return {
            sheet.title: [_without_run_times(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def reports_snapshot(reports: Path) -> dict:
    """The report files by relative path: workbooks by their cell values, sidecars without
    their publication time, the problem register without run ids and times; other files
    (quality pages) by presence only. Run-stamped Data Docs pages are left out."""
    snapshot = {}
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        rel = path.relative_to(reports).as_posix()
        if rel.startswith(RUN_STAMPED):
            continue
        if path.suffix == ".xlsx":
            snapshot[rel] = _cells(path)
        elif rel == "quality/problems.json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            snapshot[rel] = {
                pid: {k: v for k, v in p.items() if k not in ("first_run", "last_run", "first_seen", "last_seen")}
                for pid, p in doc["problems"].items()
            }
            snapshot[rel + ":suites"] = sorted(doc["suites"])
        elif path.suffix == ".json" and path.parent.name != "quality":
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc.pop("published_at", None)
            snapshot[rel] = doc
        else:
            snapshot[rel] = "present"
    return snapshot


def snapshot(ws: Workspace) -> dict:
    return {
        "warehouse": warehouse_snapshot(ws.warehouse),
        "analysts_copy": warehouse_snapshot(ws.warehouse.with_name("de06_analyst.duckdb")),
        "reports": reports_snapshot(ws.reports),
        "warehouse_folder": sorted(p.name for p in ws.warehouse.parent.iterdir()),
    }


def temp_files(ws: Workspace) -> list[str]:
    """Hidden files anywhere under the workspace's warehouse and reports folders."""
    found = []
    for folder in (ws.warehouse.parent, ws.reports):
        found += [str(p) for p in folder.rglob(".*") if p.is_file()]
    return sorted(found)
