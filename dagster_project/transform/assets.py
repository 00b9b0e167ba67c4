"""The dbt models as Dagster assets: staging, intermediate, marts and audit."""

import json

from dagster import AssetExecutionContext, BackfillPolicy
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.partitions import month_bounds, reporting_months
from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import get_settings
from dagster_project.transform.project import dbt_project, require_manifest, translator
from dagster_project.warehouse_lock import warehouse_lock


def dbt_build_args(warehouse_path: str, min_month: str = "", max_month: str = "") -> list[str]:
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
        warehouse = get_settings().warehouse_path
        args = dbt_build_args(str(warehouse), min_month, max_month)
        # dbt opens the file itself: hold the one-writer lock around it (re-entrant inside
        # `run_all`; taken here for runs launched from the UI or a schedule).
        with warehouse_lock(warehouse, purpose="dbt build"):
            yield from dbt.cli(args, context=context).stream()

    return de06_dbt_models
