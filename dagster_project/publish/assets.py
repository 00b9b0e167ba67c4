"""Report assets: province and district/commune workbooks for every period with data.

Partitioned by reporting month like the marts: a build of March publishes March, its
quarter, half-year and year. Downstream of the marts, so a failed critical expectation
(a blocking check) stops them: nothing is published from data that failed the gate.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Config,
    MaterializeResult,
    asset,
)

from dagster_project.partitions import month_bounds, reporting_months
from dagster_project.publish.automation import PROVINCES_TAG
from dagster_project.publish.report_data import (
    areas_with_data,
    district_report,
    period_key,
    province_report,
    provinces_with_data,
)
from dagster_project.publish.versions import publish
from dagster_project.publish.workbook import build_district_workbook, build_province_workbook
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import get_settings

REPORTS_GROUP = "reports"
MART_DEPS = [
    AssetKey(["marts", name])
    for name in (
        "fct_kpi_area_period",
        "fct_kpi_unit_month",
        "fct_reporting_completeness",
        "fct_reconciliation",
        "dim_org_unit",
        "dim_kpi",
        "dim_period",
    )
]


class ReportConfig(Config):
    """Which provinces to publish; empty means every province with data (a schedule's run
    names its province in the `de06/provinces` tag)."""

    provinces: list[str] = []


def periods_for_window(con, first: str, last: str) -> list[tuple[str, object]]:
    """Every period (type, start) that contains a month of the window and has data."""
    return con.execute(
        """
        select distinct d.period_type, d.period_start
        from marts.dim_period d
        where d.period_start <= ?::date and d.period_end >= ?::date
        order by d.period_start, d.period_type
        """,
        [last, first],
    ).fetchall()


def _wanted_provinces(context: AssetExecutionContext, config: ReportConfig) -> set[str] | None:
    tagged = context.run.tags.get(PROVINCES_TAG)
    chosen = set(config.provinces) | ({c.strip() for c in tagged.split(",")} if tagged else set())
    return chosen or None


# --- publishing in worker processes (read-only connections; openpyxl is the cost) ---------

_WORKER_CON = None


def _init_worker(warehouse_path: str) -> None:
    global _WORKER_CON
    import duckdb

    _WORKER_CON = duckdb.connect(warehouse_path, read_only=True)


def publish_one(con, task: tuple, reports_dir, quality_dir):
    """Build and publish one workbook: (kind, code, period_type, start, stem)."""
    kind, code, period_type, start, stem = task
    out_dir = reports_dir / period_key(period_type, start)
    if kind == "province":
        report = province_report(con, code, period_type, start, quality_dir)
        factory = lambda: build_province_workbook(report)  # noqa: E731
    else:
        report = district_report(con, code, period_type, start, quality_dir)
        factory = lambda: build_district_workbook(report)  # noqa: E731
    return publish(out_dir, stem, factory, report.figures)


def _publish_in_worker(args):
    task, reports_dir, quality_dir = args
    return publish_one(_WORKER_CON, task, reports_dir, quality_dir)


def report_tasks(con, first: str, last: str, kind: str, wanted: set[str] | None) -> list[tuple]:
    tasks = []
    for period_type, start in periods_for_window(con, first, last):
        key = period_key(period_type, start)
        for province in provinces_with_data(con, period_type, start):
            if wanted and province not in wanted:
                continue
            if kind == "province":
                tasks.append((kind, province, period_type, start, f"bao_cao_tinh_{province}_{key}"))
            else:
                tasks.extend(
                    (kind, area, period_type, start, f"bao_cao_{area}_{key}")
                    for area in areas_with_data(con, province, period_type, start)
                )
    return tasks


def _publish_all(context, config, warehouse, kind: str) -> MaterializeResult:
    from concurrent.futures import ProcessPoolExecutor

    settings = get_settings()
    quality_dir = settings.reports_dir / "quality"
    first, last = month_bounds(context.partition_time_window)
    with warehouse.get_connection(read_only=True) as con:
        tasks = report_tasks(con, first, last, kind, _wanted_provinces(context, config))
        if settings.ingest_workers <= 1 or len(tasks) < 8:
            results = [publish_one(con, t, settings.reports_dir, quality_dir) for t in tasks]
    if settings.ingest_workers > 1 and len(tasks) >= 8:
        context.log.info(f"publishing {len(tasks)} {kind} workbooks in {settings.ingest_workers} processes")
        with ProcessPoolExecutor(
            max_workers=settings.ingest_workers,
            initializer=_init_worker,
            initargs=(warehouse.path,),
        ) as pool:
            jobs = [(t, settings.reports_dir, quality_dir) for t in tasks]
            results = list(pool.map(_publish_in_worker, jobs, chunksize=4))
    written = [r for r in results if r.changed]
    for result in written:
        context.log.info(f"published {result.path.name} (version {result.version})")
    return MaterializeResult(
        metadata={
            "workbooks": len(results),
            "workbooks_published": len(written),
            "workbooks_unchanged": len(results) - len(written),
            "published": [str(r.path.relative_to(settings.reports_dir)) for r in written][:50],
        }
    )


_COMMON = dict(
    deps=MART_DEPS,
    group_name=REPORTS_GROUP,
    kinds={"excel", "openpyxl"},
    partitions_def=reporting_months,
    backfill_policy=BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)


@asset(key=AssetKey(["reports", "province_workbooks"]), **_COMMON)
def province_workbooks(context: AssetExecutionContext, config: ReportConfig, warehouse: WarehouseResource):
    """One Vietnamese workbook per province and period (month, quarter, half-year, year):
    summary against the plan's targets, by district/commune, by school, reporting progress,
    reconciliation differences and the quality summary, with charts. Versions are frozen:
    a changed figure publishes version N+1 with a sheet of changes."""
    return _publish_all(context, config, warehouse, "province")


@asset(key=AssetKey(["reports", "district_workbooks"]), **_COMMON)
def district_workbooks(context: AssetExecutionContext, config: ReportConfig, warehouse: WarehouseResource):
    """One Vietnamese workbook per district or commune and period, for its own schools."""
    return _publish_all(context, config, warehouse, "district")
