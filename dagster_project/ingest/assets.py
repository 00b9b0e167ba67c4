"""Ingest assets: the reference files and the inbox, landed in the warehouse.

Asset keys equal the dbt source names (`reference/*`, `raw/*`), so dagster-dbt's
default mapping joins the dbt models onto them and the graph is one lineage.
"""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from dagster_project.ingest.landing import land_inbox
from dagster_project.ingest.reference import REFERENCE_FILES, land_reference
from dagster_project.ingest.registry import Registry
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import get_settings

REFERENCE_GROUP = "reference"
INGEST_GROUP = "ingest"

REFERENCE_SPECS = [
    AssetSpec(
        AssetKey(["reference", spec.table]),
        description=f"`{spec.file_name}` from the sources' reference folder, as text.",
        group_name=REFERENCE_GROUP,
        kinds={"csv", "duckdb"},
    )
    for spec in REFERENCE_FILES
] + [
    AssetSpec(
        AssetKey(["reference", "reason_codes"]),
        description="Every reason and warning code with its Vietnamese message and fix.",
        group_name=REFERENCE_GROUP,
        kinds={"python", "duckdb"},
    )
]

RAW_TABLES = {
    "submissions": "One row per distinct file (content hash): sender, month, report date, "
    "accepted or rejected with its reason, row counts.",
    "submission_files": "Every path each submission arrived under (identical copies).",
    "figures": "Accepted indicator rows of every submission, own and consolidated.",
    "quarantine_rows": "Rows set aside with a reason code and a Vietnamese detail.",
    "warnings": "Accepted but worth a look: name mismatch, rate mismatch, ...",
}
RAW_SPECS = [
    AssetSpec(
        AssetKey(["raw", table]),
        description=text,
        group_name=INGEST_GROUP,
        kinds={"python", "duckdb"},
        deps=[AssetKey(["reference", "org_units"])],
    )
    for table, text in RAW_TABLES.items()
]


@multi_asset(specs=REFERENCE_SPECS, pool=WAREHOUSE_POOL, name="reference_files")
def reference_files(context: AssetExecutionContext, warehouse: WarehouseResource):
    """The registry of reporting units, the targets and the deadlines, as sent to us."""
    settings = get_settings()
    with warehouse.get_connection() as con:
        counts = land_reference(con, settings.reference_dir)
    for table, rows in counts.items():
        context.log.info(f"reference.{table}: {rows} rows")
        yield MaterializeResult(
            asset_key=AssetKey(["reference", table]), metadata={"row_count": rows}
        )


@multi_asset(specs=RAW_SPECS, pool=WAREHOUSE_POOL, name="landed_submissions")
def landed_submissions(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Every file in the inbox, hashed, parsed, checked and landed (new files only)."""
    settings = get_settings()
    registry = Registry.from_csv(settings.reference_dir / "org_units.csv")
    with warehouse.get_connection() as con:
        summary = land_inbox(
            con,
            settings.inbox_dir,
            registry,
            settings.limits,
            settings.ingest_workers,
            progress=context.log.info,
        )
        counts = {
            table: con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]
            for table in RAW_TABLES
        }
    run_metadata = {
        "files_seen": summary.files_seen,
        "files_parsed_this_run": summary.files_new,
        "duplicate_paths": summary.duplicate_paths,
        "accepted_this_run": summary.submissions_accepted,
        "rejected_this_run": summary.submissions_rejected,
        "rows_accepted_this_run": summary.rows_accepted,
        "rows_quarantined_this_run": summary.rows_quarantined,
        "reasons_this_run": dict(sorted(summary.reasons.items())),
    }
    for table in RAW_TABLES:
        metadata = {"row_count": counts[table]}
        if table == "submissions":
            metadata.update(run_metadata)
        yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata=metadata)
