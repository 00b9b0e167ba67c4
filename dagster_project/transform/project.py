"""The dbt project, wrapped once."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

# The manifest is built by `make manifest` (dbt parse) before the definitions load;
# loading never runs dbt itself (no side effects at import).
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def require_manifest() -> None:
    if not dbt_project.manifest_path.exists():
        raise FileNotFoundError(
            f"dbt manifest not found at {dbt_project.manifest_path}: run `make manifest` "
            "(dbt parse) before loading the definitions."
        )


class De06Translator(DagsterDbtTranslator):
    """Models and seeds are keyed `<schema>/<table>` (e.g. `marts/fct_kpi_unit_month`),
    like the `raw/*` and `reference/*` ingest assets that the dbt sources map onto;
    groups are the model folders (staging, intermediate, marts, audit)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            schema = dbt_resource_props["schema"]
            name = dbt_resource_props.get("alias") or dbt_resource_props["name"]
            return AssetKey([schema, name])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "marts"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transform"


translator = De06Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
