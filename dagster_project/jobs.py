"""Jobs: land what arrived, then build the months it touches."""

from dagster import AssetSelection, define_asset_job

from dagster_project.ingest.assets import INGEST_GROUP, REFERENCE_GROUP

LANDING_SELECTION = AssetSelection.groups(REFERENCE_GROUP, INGEST_GROUP)

land_job = define_asset_job(
    "land_sources",
    selection=LANDING_SELECTION,
    description="Land the reference files and every new file of the inbox.",
)

build_job = define_asset_job(
    "build_months",
    selection=AssetSelection.all() - LANDING_SELECTION,
    description="Build the marts, checks, reports and the analysts' copy for a range of reporting months.",
)
