"""The analysts' read-only copy of the warehouse, replaced atomically.

DuckDB has one writer, and while a run writes the warehouse no other process may even
open it read-only; between dbt models it is also half built. Analysts (and `make sql`)
therefore read a copy, `DE06_ANALYST_WAREHOUSE`, published after each successful build:

1. CHECKPOINT the warehouse and close it, so the main file holds everything (no WAL);
2. copy it to a temp file in the copy's own folder (same filesystem), fsync it;
3. open the temp file read-only and read what it holds (the check that it is a whole
   database, and the asset's metadata);
4. `os.replace` it over the copy and fsync the folder.

A reader opening the copy gets either the previous complete file or the new complete
one, never a half-written one; a reader that already has the old file open keeps it (its
inode lives on until it closes). The caller holds the warehouse lock, so nothing writes
the warehouse during the copy and no other publisher races for the temp files; a temp
file left by a killed run is removed by the next publish.
"""

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# The schemas analysts query (the contract's public surface) and the figures table whose
# months the copy reports.
PUBLIC_SCHEMAS = ("marts", "audit")
MONTHS_QUERY = "select distinct month from marts.fct_kpi_unit_month order by month"
CHUNK_BYTES = 8 << 20


@dataclass(frozen=True)
class CopyInfo:
    path: Path
    size: int
    tables: dict[str, int] = field(default_factory=dict)  # 'schema.table' -> rows
    months: list[str] = field(default_factory=list)  # ISO first days


def temp_prefix(dest: Path) -> str:
    return f".{Path(dest).name}.tmp-"


def remove_stale_temps(dest: Path) -> list[Path]:
    """Temp files of an interrupted publish of `dest` (only ours: by their prefix)."""
    dest = Path(dest)
    removed = []
    if dest.parent.is_dir():
        for entry in dest.parent.iterdir():
            if entry.name.startswith(temp_prefix(dest)) and entry.is_file():
                entry.unlink()
                removed.append(entry)
    return removed


def checkpoint(source: Path) -> None:
    """Fold the WAL into the main file. The caller holds the warehouse lock."""
    con = duckdb.connect(str(source))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = Path(f"{source}.wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{wal} is still there after CHECKPOINT: another connection is open")


def describe(path: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts of the public tables and the months with figures, read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name in ? "
            "order by schema_name, table_name",
            [list(PUBLIC_SCHEMAS)],
        ).fetchall()
        tables = {
            f"{schema}.{table}": con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for schema, table in names
        }
        months = []
        if "marts.fct_kpi_unit_month" in tables:
            months = [m.isoformat() for (m,) in con.execute(MONTHS_QUERY).fetchall()]
    finally:
        con.close()
    return tables, months


def _copy_bytes(source: Path, handle, chunk_bytes: int, progress: Callable[[int], None] | None) -> None:
    copied = 0
    with open(source, "rb") as src:
        while block := src.read(chunk_bytes):
            handle.write(block)
            copied += len(block)
            if progress is not None:
                handle.flush()
                progress(copied)


def publish_copy(
    source: Path,
    dest: Path,
    chunk_bytes: int = CHUNK_BYTES,
    progress: Callable[[int], None] | None = None,
) -> CopyInfo:
    """Replace `dest` with a complete copy of the warehouse `source` (see the module doc).

    `progress(bytes_copied)` is called after each chunk written to the temp file (tests use
    it to look at `dest` while the copy is under way).
    """
    source, dest = Path(source), Path(dest)
    if source.resolve() == dest.resolve():
        raise ValueError(f"the analysts' copy cannot be the warehouse itself ({source})")
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(dest)
    checkpoint(source)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(dest), dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _copy_bytes(source, handle, chunk_bytes, progress)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)  # analysts' copy: read-only on disk as well
        tables, months = describe(tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    dir_fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return CopyInfo(dest, dest.stat().st_size, tables, months)
