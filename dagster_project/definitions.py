"""The one Definitions of the DE06 code location.

Global policy lives here: every step that opens the warehouse runs in one pool (limit 1,
see dagster_home/dagster.yaml) and the default executor runs steps in-process, so a
single process writes the DuckDB file at a time.
"""

from pathlib import Path

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from dagster_project.ingest.assets import landed_submissions, reference_files
from dagster_project.jobs import build_job, land_job
from dagster_project.publish.analyst import build_analyst_copy_asset, public_table_keys
from dagster_project.publish.assets import district_workbooks, province_workbooks
from dagster_project.publish.automation import build_province_schedules, build_sensors
from dagster_project.quality.assets import feedback_workbooks
from dagster_project.quality.checks import build_quality_checks
from dagster_project.resources import WarehouseResource
from dagster_project.settings import EXPECTATIONS_DIR, dbt_executable
from dagster_project.transform.assets import build_dbt_assets
from dagster_project.transform.project import dbt_project


def build_definitions(expectations_dir: Path = EXPECTATIONS_DIR) -> Definitions:
    """The code location; tests may point the quality gate at other suite files."""
    dbt_models = build_dbt_assets()
    return Definitions(
        assets=[
            reference_files,
            landed_submissions,
            dbt_models,
            feedback_workbooks,
            province_workbooks,
            district_workbooks,
            build_analyst_copy_asset(public_table_keys([dbt_models])),
        ],
        asset_checks=build_quality_checks(expectations_dir),
        jobs=[land_job, build_job],
        schedules=build_province_schedules(build_job),
        sensors=build_sensors(land_job, build_job),
        resources={
            "warehouse": WarehouseResource(),
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(dbt_project.profiles_dir),
                dbt_executable=dbt_executable(),
            ),
        },
        executor=in_process_executor,
    )


defs = build_definitions()
