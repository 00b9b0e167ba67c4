"""One writer at a time: an exclusive lock file beside the warehouse.

DuckDB lets one process write its file; a second `python -m dagster_project run` (or a
UI-launched run next to a CLI run) would otherwise crash on DuckDB's IO error half-way,
or worse, interleave its steps with the first run's. `warehouse_lock(path)` takes an
exclusive `fcntl.flock` on `<warehouse>.lock` without waiting and writes the holder's pid,
start time and command into it; a second taker gets `WarehouseBusy` at once, with a
message naming the holder. The kernel drops the lock when the holder dies (even on
SIGKILL), so a killed run never leaves a stale lock behind: the file stays, the lock does
not.

Inside one process the lock is re-entrant: `run_all` holds it for the whole run and the
warehouse resource takes it again around each writing connection, for free.
"""

import fcntl
import json
import os
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse lock."""

    def __init__(self, lock_path: Path, holder: dict | None, outside_pid: str | None = None):
        self.lock_path = lock_path
        self.holder = holder or {}
        if outside_pid is not None:
            # DuckDB's own lock: a process that is not a DE06 run has the file open.
            message = (
                f"DE06: the warehouse file {Path(lock_path).with_suffix('')} is open in another "
                f"process (pid {outside_pid}): a duckdb shell, a BI tool or a stray dbt? Analysts "
                "should query the analysts' copy (DE06_ANALYST_WAREHOUSE, `make sql`). Close "
                "it, then start this run again."
            )
        else:
            pid = self.holder.get("pid", "?")
            since = self.holder.get("started_at", "?")
            what = self.holder.get("command", "")
            message = (
                f"DE06: the warehouse is in use by another run (pid {pid}, started {since}"
                f"{', ' + what if what else ''}); lock file {lock_path}. "
                "Wait for that run to finish, then start this one again."
            )
        super().__init__(message)


# path -> [open file, depth], for the locks this process holds.
_HELD: dict[str, list] = {}
_GUARD = threading.Lock()


def lock_path_for(warehouse: Path | str) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".lock")


def read_holder(lock_path: Path) -> dict | None:
    """What the current (or last) holder wrote into the lock file, if readable."""
    try:
        return json.loads(Path(lock_path).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def holds_lock(warehouse: Path | str) -> bool:
    return str(lock_path_for(warehouse)) in _HELD


@contextmanager
def warehouse_lock(warehouse: Path | str, purpose: str = ""):
    """Hold the warehouse's exclusive lock for the block; raise `WarehouseBusy` at once
    when another process holds it (we refuse rather than wait: a run takes minutes, and
    the caller, a person or a scheduler, decides when to try again)."""
    path = lock_path_for(warehouse)
    key = str(path)
    with _GUARD:
        held = _HELD.get(key)
        if held is not None:
            held[1] += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+", encoding="utf-8")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise WarehouseBusy(path, read_holder(path)) from None
            handle.seek(0)
            handle.truncate()
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "started_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                        "command": purpose or " ".join(sys.argv[:3]),
                    },
                    ensure_ascii=False,
                )
            )
            handle.flush()
            _HELD[key] = [handle, 1]
    try:
        yield path
    finally:
        with _GUARD:
            held = _HELD[key]
            held[1] -= 1
            if held[1] == 0:
                del _HELD[key]
                # The holder text stays in the file (read_holder shows the last run);
                # closing the file releases the lock.
                held[0].close()
