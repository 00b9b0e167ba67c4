"""The one Definitions of the DE06 code location.

Global policy lives here: every step that opens the warehouse runs in one pool (limit 1,
see dagster_home/dagster.yaml) and the default executor runs steps in-process, so a
single process writes the DuckDB file at a time.
"""

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from dagster_project.ingest.assets import landed_submissions, reference_files
from dagster_project.jobs import build_job, land_job
from dagster_project.quality.checks import build_quality_checks
from dagster_project.resources import WarehouseResource
from dagster_project.settings import dbt_executable
from dagster_project.transform.assets import build_dbt_assets
from dagster_project.transform.project import dbt_project

defs = Definitions(
    assets=[reference_files, landed_submissions, build_dbt_assets()],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    },
    asset_checks=build_quality_checks(),
    jobs=[land_job, build_job],
    executor=in_process_executor,
)
