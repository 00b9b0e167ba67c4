"""The dbt models as Dagster assets: staging, intermediate, marts and audit."""

import json

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import get_settings
from dagster_project.transform.project import dbt_project, require_manifest, translator


def dbt_build_args(warehouse_path: str, min_month: str = "", max_month: str = "") -> list[str]:
    """The `dbt build` command line: the warehouse path (and the month window) as vars."""
    variables = {"warehouse_path": warehouse_path, "min_month": min_month, "max_month": max_month}
    return ["build", "--vars", json.dumps(variables, sort_keys=True)]


def build_dbt_assets():
    require_manifest()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=translator,
        project=dbt_project,
        pool=WAREHOUSE_POOL,
        name="de06_dbt_models",
    )
    def de06_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        """Staged figures, versions and precedence, area roll-ups and the audit tables."""
        args = dbt_build_args(str(get_settings().warehouse_path))
        yield from dbt.cli(args, context=context).stream()

    return de06_dbt_models
