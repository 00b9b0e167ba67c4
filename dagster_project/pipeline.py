"""The main job as one call: land the sources, then build every month found.

Used by `make run` (python -m dagster_project run) and by the integration tests, so the
tests exercise exactly what users run. The whole run holds the warehouse lock
(`warehouse_lock.py`): a second run started meanwhile refuses at once (`WarehouseBusy`).
"""

from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance

from dagster_project.summary import months_found
from dagster_project.warehouse_lock import warehouse_lock


# Dagster's console logger at INFO: step events, our progress lines, dbt's output.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class PipelineOutcome:
    landed: bool
    built: bool | None  # None: nothing to build
    months: list[str]
    materialized: list[str] = field(default_factory=list)  # asset keys the build wrote

    @property
    def success(self) -> bool:
        return self.landed and self.built is not False


def run_all(instance: DagsterInstance, log=print, definitions=None) -> PipelineOutcome:
    """Land, then build every month found, holding the warehouse lock throughout.

    Raises `WarehouseBusy` before touching anything when another run holds the lock.
    """
    from dagster_project.settings import get_settings

    settings = get_settings()
    with warehouse_lock(settings.warehouse_path, "python -m dagster_project run"):
        for path in remove_interrupted_writes(settings.reports_dir):
            log(f"DE06: removed {path}, left by an interrupted run")
        return _run_all(instance, log, definitions)


def remove_interrupted_writes(reports_dir: Path) -> list[Path]:
    """Temp files that a killed run left beside the reports it was writing aside
    (`.~tmp-*` of the workbook and sidecar writers, `.<name>.*.tmp` of the quality pages).
    Safe only under the warehouse lock: then no other run is writing them."""
    from dagster_project.quality.xlsx_safe import is_temp_file

    removed = []
    if Path(reports_dir).is_dir():
        for path in sorted(Path(reports_dir).rglob(".*")):
            interrupted = is_temp_file(path) or path.name.endswith(".tmp")
            if interrupted and path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return removed


def _run_all(instance: DagsterInstance, log, definitions) -> PipelineOutcome:
    from dagster_project.settings import get_settings

    if definitions is None:
        from dagster_project.definitions import defs as definitions
    defs = definitions

    settings = get_settings()
    landed = defs.resolve_job_def("land_sources").execute_in_process(
        instance=instance, raise_on_error=False, run_config=RUN_CONFIG
    )
    if not landed.success:
        return PipelineOutcome(False, None, [])
    months = months_found(settings.warehouse_path)
    if not months:
        log("DE06: no accepted submission yet; nothing to build.")
        return PipelineOutcome(True, None, [])
    log(f"DE06: building months {months[0]} .. {months[-1]}")
    built = defs.resolve_job_def("build_months").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=RUN_CONFIG,
        tags={
            "dagster/asset_partition_range_start": months[0],
            "dagster/asset_partition_range_end": months[-1],
        },
    )
    materialized = sorted(
        {e.asset_key.to_user_string() for e in built.get_asset_materialization_events()}
    )
    return PipelineOutcome(True, built.success, months, materialized)
