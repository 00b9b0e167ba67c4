"""The dbt models as Dagster assets: staging, intermediate, marts and audit."""

import json

import duckdb
from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.partitions import month_bounds, reporting_months
from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import get_settings
from dagster_project.transform.project import dbt_project, require_manifest, translator
from dagster_project.warehouse_lock import warehouse_lock


# Up to this many landed figures dbt builds two models at once (a national month is
# 1.35 M); beyond, one: a national year (16.5 M) ran out of DuckDB's 2 GB cap with the two
# area marts side by side, and was faster one model at a time (197 s against 238 s).
TWO_MODELS_UP_TO_FIGURES = 4_000_000


def dbt_threads(figures: int | None, setting: int | None = None) -> int:
    """Models dbt builds at once: DE06_DBT_THREADS when set, else by the warehouse's size
    (`figures`: rows of raw.figures; None when they could not be counted, which gets the
    choice that is safe at any size)."""
    if setting:
        return max(1, setting)
    return 2 if figures is not None and figures <= TWO_MODELS_UP_TO_FIGURES else 1


def landed_figures(warehouse_path) -> int | None:
    """Rows of raw.figures, read-only; None when there is no such table yet or the file
    cannot be opened."""
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            return con.execute("select count(*) from raw.figures").fetchone()[0]
    except duckdb.Error:
        return None


def dbt_build_args(
    warehouse_path: str, min_month: str = "", max_month: str = "", threads: int | None = None
) -> list[str]:
    """`dbt build` for a month window: the warehouse path and the window as vars.

    dbt's unit tests run in the test suite, not in every production build.
    """
    variables = {"warehouse_path": warehouse_path, "min_month": min_month, "max_month": max_month}
    return [
        "build",
        "--vars",
        json.dumps(variables, sort_keys=True),
        "--exclude",
        "test_type:unit",
        *(["--threads", str(threads)] if threads else []),
    ]


def build_dbt_assets():
    require_manifest()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=translator,
        project=dbt_project,
        pool=WAREHOUSE_POOL,
        name="de06_dbt_models",
        partitions_def=reporting_months,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def de06_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        """Staged figures, versions and precedence, area roll-ups and the audit tables,
        rebuilt for the months of the partition window (a backfill runs them at once)."""
        min_month, max_month = month_bounds(context.partition_time_window)
        context.log.info(f"dbt build for months {min_month} .. {max_month}")
        settings = get_settings()
        warehouse = settings.warehouse_path
        # dbt opens the file itself: hold the one-writer lock around it (re-entrant inside
        # `run_all`; taken here for runs launched from the UI or a schedule).
        with warehouse_lock(warehouse, purpose="dbt build"):
            figures = landed_figures(warehouse)
            threads = dbt_threads(figures, settings.dbt_threads)
            context.log.info(f"dbt builds {threads} model(s) at once ({figures or 0:,} figures landed)")
            args = dbt_build_args(str(warehouse), min_month, max_month, threads)
            yield from dbt.cli(args, context=context).stream()

    return de06_dbt_models
