"""The analysts' copy of the warehouse as an asset, downstream of every mart and audit table.

Because it depends on the marts, a failed blocking check (a critical expectation) skips it
like the report workbooks: analysts keep the last copy that passed the gate. It runs in
the build job (`make run`) and whenever an engineer materialises the marts from the UI.
"""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.analyst_copy import PUBLIC_SCHEMAS, publish_copy
from dagster_project.partitions import reporting_months
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import get_settings

PUBLISH_GROUP = "publish"
ANALYST_COPY_KEY = AssetKey(["publish", "analyst_warehouse"])


def public_table_keys(assets: Sequence[AssetsDefinition]) -> list[AssetKey]:
    """The keys of every `marts/*` and `audit/*` asset (the dbt models analysts query)."""
    keys = {key for a in assets for key in a.keys if key.path[0] in PUBLIC_SCHEMAS}
    return sorted(keys, key=lambda k: k.to_user_string())


def build_analyst_copy_asset(deps: Sequence[AssetKey]) -> AssetsDefinition:
    @asset(
        key=ANALYST_COPY_KEY,
        deps=list(deps),
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        # Partitioned like the marts so it runs in the same build; one copy per run.
        partitions_def=reporting_months,
        backfill_policy=BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
    )
    def analyst_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
        """The analysts' read-only copy of the warehouse (DE06_ANALYST_WAREHOUSE, what
        `make sql` opens): replaced whole and atomically after the marts are built and
        their blocking checks pass, so a query never waits for a run and never sees a
        half-built state."""
        settings = get_settings()
        with warehouse.exclusive("analyst copy"):
            info = publish_copy(warehouse.path, settings.analyst_warehouse_path)
        context.log.info(
            f"analysts' copy published: {info.path} ({info.size:,} bytes, "
            f"{len(info.tables)} tables, months {info.months[:1]}..{info.months[-1:]})"
        )
        return MaterializeResult(
            metadata={
                "path": str(info.path),
                "size_bytes": info.size,
                "tables": MetadataValue.json(info.tables),
                "months": MetadataValue.json(info.months),
            }
        )

    return analyst_warehouse
