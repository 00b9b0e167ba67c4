"""Publishing a window's report workbooks, in this process or in worker processes.

No Dagster here: the workers are started fresh (`spawn`), so each one holds only what
publishing needs (DuckDB, openpyxl, the report code: about 100 MB) instead of a copy of
the Dagster process that forks it (over a gigabyte at national scale). Each worker opens
the warehouse read-only once and copies what reports read from the intermediate views
into its own temp tables (`report_data.prepare_tables`).
"""

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path

from dagster_project.publish.report_data import (
    ANCESTRY_VIEW,
    DistrictReport,
    ProvinceReport,
    ReportTask,
    area_reports,
    prepare_tables,
)
from dagster_project.publish.versions import PublishResult, publish, published_inputs
from dagster_project.publish.workbook import build_district_workbook, build_province_workbook

# Below this many district workbooks, starting worker processes costs more than it saves;
# province workbooks (every school of the province) are worth it from two.
POOL_MIN_TASKS = {"district": 8, "province": 2}
# Reports of one kind and period are read together, one query per part for the batch:
# a district's report alone spends most of its query time on per-query overhead and on
# scanning the month's unit figures. Province batches stay small (a province's report
# holds every school of the province).
BATCH_SIZE = {"district": 32, "province": 4}


def ancestry_months(first: str, last: str) -> tuple[date, date]:
    """The months of every period containing a month of the window: whole years."""
    return date(int(first[:4]), 1, 1), date(int(last[:4]), 12, 1)


def due_tasks(tasks: list[ReportTask], reports_dir: Path) -> list[ReportTask]:
    """The tasks whose inputs differ from those of their latest published version."""
    stored: dict[str, dict] = {}
    due = []
    for task in tasks:
        folder = task.period_key
        if folder not in stored:
            stored[folder] = published_inputs(reports_dir / folder)
        if stored[folder].get(task.stem) != task.fingerprint:
            due.append(task)
    return due


def batches(tasks: list[ReportTask], sizes: dict[str, int] = BATCH_SIZE) -> list[list[ReportTask]]:
    """`tasks` cut into runs of one kind and period, at most `sizes[kind]` each, in order."""
    out: list[list[ReportTask]] = []
    for task in tasks:
        last = out[-1] if out else None
        if last and len(last) < sizes[task.kind] and _batch_key(last[0]) == _batch_key(task):
            last.append(task)
        else:
            out.append([task])
    return out


def _batch_key(task: ReportTask) -> tuple:
    return task.kind, task.period_type, task.period_start


def publish_batch(con, tasks: list[ReportTask], reports_dir, quality_dir,
                  ancestry: str = ANCESTRY_VIEW) -> list[PublishResult]:  # fmt: skip
    """Build and publish the workbooks of one batch (tasks of one kind and period), each
    with its figures first and the workbook only when they differ from the latest
    version's. Results in the order of `tasks`."""
    first = tasks[0]
    province = first.kind == "province"
    cls, build = (ProvinceReport, build_province_workbook) if province else (DistrictReport, build_district_workbook)
    codes = [t.area_code for t in tasks]
    reports = area_reports(cls, con, codes, first.period_type, first.period_start, quality_dir, ancestry)
    results = []
    for task in tasks:
        report = reports[task.area_code]
        out_dir = Path(reports_dir) / task.period_key
        results.append(publish(out_dir, task.stem, partial(build, report), report.figures, fingerprint=task.fingerprint))
    return results


def publish_all(con, tasks: list[ReportTask], reports_dir, quality_dir,
                ancestry: str = ANCESTRY_VIEW) -> list[PublishResult]:  # fmt: skip
    """Publish `tasks` in this process, batch by batch (results in the order of `tasks`)."""
    return [r for batch in batches(tasks) for r in publish_batch(con, batch, reports_dir, quality_dir, ancestry)]


def publish_in_pool(due: list[ReportTask], warehouse_path: str, months: tuple[date, date], reports_dir: Path,
                    quality_dir: Path, workers: int, progress: Callable[[str], None] = print) -> list[PublishResult]:  # fmt: skip
    """Publish `due` in `workers` fresh processes (results in the order of `due`),
    reporting progress about every tenth."""
    share = -(-len(due) // max(1, workers))  # a few workbooks: one batch for each worker
    sizes = {kind: max(1, min(size, share)) for kind, size in BATCH_SIZE.items()}
    jobs = [(batch, reports_dir, quality_dir) for batch in batches(due, sizes)]
    results: list[PublishResult] = []
    step, reported = max(1, len(due) // 10), 0
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(warehouse_path, months),
    ) as pool:
        for done in pool.map(_publish_in_worker, jobs):
            results.extend(done)
            if len(results) - reported >= step and len(results) < len(due):
                reported = len(results)
                progress(f"{len(results)} of {len(due)} workbooks done")
    return results


_WORKER: dict = {}


def _init_worker(warehouse_path: str, months: tuple[date, date]) -> None:
    import duckdb

    con = duckdb.connect(warehouse_path, read_only=True)
    _WORKER.update(con=con, ancestry=prepare_tables(con, *months))


def _publish_in_worker(args) -> list[PublishResult]:
    batch, reports_dir, quality_dir = args
    return publish_batch(_WORKER["con"], batch, reports_dir, quality_dir, _WORKER["ancestry"])
