"""The warehouse connection, built from settings (no side effects at import)."""

from contextlib import contextmanager

import duckdb
from dagster import ConfigurableResource

from dagster_project.settings import get_settings

# Every step that opens the warehouse file for writing runs in this pool (limit 1 in
# dagster.yaml): DuckDB allows one writer process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file; empty `database` means DE06_WAREHOUSE (or its default)."""

    database: str = ""

    @property
    def path(self) -> str:
        return self.database or str(get_settings().warehouse_path)

    @contextmanager
    def get_connection(self, read_only: bool = False):
        from pathlib import Path

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()
