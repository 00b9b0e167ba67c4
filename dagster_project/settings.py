"""Every path and environment variable the project reads, in one place.

Nothing here runs at import time beyond defining functions: values are read when asked
for, so tests can point the project at temporary folders by setting variables.
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dagster_project.ingest.model import Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def dbt_executable() -> str:
    """The dbt beside this Python (the project's venv), else whatever is on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def _path(var: str, default: str) -> Path:
    raw = os.environ.get(var) or default
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    return path.resolve()


@dataclass(frozen=True)
class Settings:
    sources_dir: Path
    warehouse_path: Path
    analyst_warehouse_path: Path
    reports_dir: Path
    ingest_workers: int
    limits: Limits
    dbt_threads: int | None = None  # DE06_DBT_THREADS; None: chosen by the warehouse's size

    @property
    def lock_path(self) -> Path:
        """The run lock beside the warehouse (see dagster_project/warehouse_lock.py)."""
        return self.warehouse_path.with_name(self.warehouse_path.name + ".lock")

    @property
    def inbox_dir(self) -> Path:
        return self.sources_dir / "inbox"

    @property
    def reference_dir(self) -> Path:
        return self.sources_dir / "reference"


def get_settings() -> Settings:
    """Read the environment now (not at import)."""
    defaults = Limits()
    warehouse = _path("DE06_WAREHOUSE", "warehouse/de06.duckdb")
    return Settings(
        sources_dir=_path("DE06_SOURCES_DIR", "sources"),
        warehouse_path=warehouse,
        # The analysts' read-only copy; by default beside the warehouse
        # (warehouse/de06.duckdb -> warehouse/de06_analyst.duckdb).
        analyst_warehouse_path=_path(
            "DE06_ANALYST_WAREHOUSE", str(warehouse.with_name(f"{warehouse.stem}_analyst{warehouse.suffix}"))
        ),
        reports_dir=_path("DE06_REPORTS_DIR", "reports/out"),
        ingest_workers=int(os.environ.get("DE06_INGEST_WORKERS") or min(2, os.cpu_count() or 1)),
        dbt_threads=int(os.environ["DE06_DBT_THREADS"]) if os.environ.get("DE06_DBT_THREADS") else None,
        limits=Limits(
            max_file_bytes=int(os.environ.get("DE06_MAX_FILE_BYTES") or defaults.max_file_bytes),
            max_unzipped_bytes=int(
                os.environ.get("DE06_MAX_UNZIPPED_BYTES") or defaults.max_unzipped_bytes
            ),
            max_zip_ratio=int(os.environ.get("DE06_MAX_ZIP_RATIO") or defaults.max_zip_ratio),
            max_rows_per_sheet=int(
                os.environ.get("DE06_MAX_ROWS_PER_SHEET") or defaults.max_rows_per_sheet
            ),
        ),
    )
