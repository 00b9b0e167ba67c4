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
from pathlib import Path

from dagster_project.publish.report_data import (
    ANCESTRY_VIEW,
    ReportTask,
    district_report,
    prepare_tables,
    province_report,
)
from dagster_project.publish.versions import PublishResult, publish, published_inputs
from dagster_project.publish.workbook import build_district_workbook, build_province_workbook

# Below this many district workbooks, starting worker processes costs more than it saves;
# province workbooks (every school of the province) are worth it from two.
POOL_MIN_TASKS = {"district": 8, "province": 2}


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


def publish_one(con, task: ReportTask, reports_dir, quality_dir, ancestry: str = ANCESTRY_VIEW) -> PublishResult:
    """Build and publish one workbook (its figures first; the workbook only when they
    differ from the latest version's)."""
    out_dir = Path(reports_dir) / task.period_key
    if task.kind == "province":
        report = province_report(con, task.area_code, task.period_type, task.period_start, quality_dir, ancestry)
        factory = lambda: build_province_workbook(report)  # noqa: E731
    else:
        report = district_report(con, task.area_code, task.period_type, task.period_start, quality_dir, ancestry)
        factory = lambda: build_district_workbook(report)  # noqa: E731
    return publish(out_dir, task.stem, factory, report.figures, fingerprint=task.fingerprint)


def publish_in_pool(due: list[ReportTask], warehouse_path: str, months: tuple[date, date], reports_dir: Path,
                    quality_dir: Path, workers: int, progress: Callable[[str], None] = print) -> list[PublishResult]:  # fmt: skip
    """Publish `due` in `workers` fresh processes (results in the order of `due`),
    reporting progress about every tenth."""
    jobs = [(t, reports_dir, quality_dir) for t in due]
    chunk = max(1, min(16, len(jobs) // (4 * workers)))
    results: list[PublishResult] = []
    step = max(1, len(jobs) // 10)
    with ProcessPoolExecutor(
        max_workers=min(workers, len(due)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(warehouse_path, months),
    ) as pool:
        for result in pool.map(_publish_in_worker, jobs, chunksize=chunk):
            results.append(result)
            if len(results) % step == 0 and len(results) < len(jobs):
                progress(f"{len(results)} of {len(jobs)} workbooks done")
    return results


_WORKER: dict = {}


def _init_worker(warehouse_path: str, months: tuple[date, date]) -> None:
    import duckdb

    con = duckdb.connect(warehouse_path, read_only=True)
    _WORKER.update(con=con, ancestry=prepare_tables(con, *months))


def _publish_in_worker(args) -> PublishResult:
    task, reports_dir, quality_dir = args
    return publish_one(_WORKER["con"], task, reports_dir, quality_dir, _WORKER["ancestry"])
