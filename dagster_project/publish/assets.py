"""Report assets: province and district/commune workbooks for every period with data.

Partitioned by reporting month like the marts: a build of March publishes March, its
quarter, half-year and year. Downstream of the marts, so a failed critical expectation
(a blocking check) stops them: nothing is published from data that failed the gate.

Only what changed is computed: one query lists every report of the window with a
fingerprint of the mart rows its figures come from (`report_data.report_tasks`); a report
whose fingerprint equals the one stored with its latest version is skipped before any of
its data is read. The others are computed (in worker processes when there are many, each
with one read-only connection and what reports read from the intermediate views copied
once into temp tables) and handed to `versions.publish`, which writes a new version only
when figures changed.
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
from dagster_project.publish.publishing import (
    POOL_MIN_TASKS,
    ancestry_months,
    due_tasks,
    publish_all,
    publish_in_pool,
)
from dagster_project.publish.report_data import prepare_tables, report_tasks
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


def _wanted_provinces(context: AssetExecutionContext, config: ReportConfig) -> set[str] | None:
    tagged = context.run.tags.get(PROVINCES_TAG)
    chosen = set(config.provinces) | ({c.strip() for c in tagged.split(",")} if tagged else set())
    return chosen or None


def _materialize_reports(context, config, warehouse, kind: str) -> MaterializeResult:
    settings = get_settings()
    quality_dir = settings.reports_dir / "quality"
    first, last = month_bounds(context.partition_time_window)
    months = ancestry_months(first, last)
    workers = settings.ingest_workers
    with warehouse.get_connection(read_only=True) as con:
        ancestry = prepare_tables(con, *months)
        tasks = report_tasks(con, first, last, _wanted_provinces(context, config), kind, ancestry)
        due = due_tasks(tasks, settings.reports_dir)
        in_process = workers <= 1 or len(due) < POOL_MIN_TASKS[kind]
        if in_process:
            results = publish_all(con, due, settings.reports_dir, quality_dir, ancestry)
    context.log.info(f"{kind} workbooks: {len(tasks)} in the window, {len(due)} with changed inputs")
    if not in_process:
        context.log.info(f"publishing {len(due)} {kind} workbooks in {workers} processes")
        results = publish_in_pool(due, warehouse.path, months, settings.reports_dir, quality_dir, workers,
                                  progress=context.log.info)  # fmt: skip
    written = [r for r in results if r.changed]
    for result in written:
        context.log.info(f"published {result.path.name} (version {result.version})")
    return MaterializeResult(
        metadata={
            "workbooks": len(tasks),
            "workbooks_recomputed": len(due),
            "workbooks_published": len(written),
            "workbooks_unchanged": len(tasks) - len(written),
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
    return _materialize_reports(context, config, warehouse, "province")


@asset(key=AssetKey(["reports", "district_workbooks"]), **_COMMON)
def district_workbooks(context: AssetExecutionContext, config: ReportConfig, warehouse: WarehouseResource):
    """One Vietnamese workbook per district or commune and period, for its own schools."""
    return _materialize_reports(context, config, warehouse, "district")
