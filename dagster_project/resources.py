"""The warehouse connection, built from settings (no side effects at import)."""

import re
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from dagster_project.settings import get_settings
from dagster_project.warehouse_lock import WarehouseBusy, lock_path_for, warehouse_lock

# Every step that opens the warehouse file for writing runs in this pool (limit 1 in
# dagster.yaml): DuckDB allows one writer process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"

_DUCKDB_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock on file" in text or "Conflicting lock" in text


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file; empty `database` means DE06_WAREHOUSE (or its default).

    A writing connection holds the warehouse lock (`warehouse_lock.py`, re-entrant within
    a process), so a run launched from the UI and a `make run` never write at once: the
    second gets `WarehouseBusy` naming the first, not a DuckDB IO error half-way through.
    """

    database: str = ""

    @property
    def path(self) -> str:
        return self.database or str(get_settings().warehouse_path)

    @contextmanager
    def exclusive(self, purpose: str = ""):
        """Hold the warehouse lock for a block (several connections, a file copy)."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with warehouse_lock(self.path, purpose):
            yield

    @contextmanager
    def get_connection(self, read_only: bool = False):
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            if not read_only:
                stack.enter_context(self.exclusive())
            try:
                con = duckdb.connect(self.path, read_only=read_only)
            except duckdb.IOException as exc:
                if not _is_lock_conflict(exc):
                    raise
                # Another process (not a DE06 run: an open duckdb shell, a stray dbt)
                # has the file open.
                pid = _DUCKDB_LOCK_PID.search(str(exc))
                raise WarehouseBusy(
                    lock_path_for(self.path), None, outside_pid=pid.group(1) if pid else "?"
                ) from exc
            try:
                yield con
            finally:
                con.close()
