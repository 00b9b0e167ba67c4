"""Landing submissions in the warehouse: find the files, parse the new ones, write raw tables.

The parsing itself is pure (`process.process_file`); this module is the I/O around it:
walking the inbox safely, hashing, fanning the parse out to worker processes, and writing
the results through the single warehouse connection in small transactions, so that a
killed run never leaves half a submission behind.
"""

import gc
import hashlib
import logging
import os
import re
import stat
import time
from collections.abc import Callable, Container, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.model import FileResult, Limits
from dagster_project.ingest.normalize import nfc
from dagster_project.ingest.process import file_format_of, process_file
from dagster_project.ingest.registry import Registry

log = logging.getLogger(__name__)

# Bump when parsing or rule logic changes: every stored file is then parsed again.
PARSER_VERSION = "1"

RAW_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.submissions (
    submission_id VARCHAR PRIMARY KEY,
    file_path VARCHAR NOT NULL,
    file_format VARCHAR,
    file_size BIGINT,
    accepted BOOLEAN NOT NULL,
    reason_code VARCHAR,
    reason_detail VARCHAR,
    unit_code VARCHAR,
    unit_name VARCHAR,
    month DATE,
    report_date TIMESTAMP,
    preparer VARCHAR,
    has_consolidated_section BOOLEAN,
    rows_total INTEGER,
    rows_accepted INTEGER,
    rows_quarantined INTEGER,
    ingested_at TIMESTAMP NOT NULL,
    parsed_with VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.submission_files (
    submission_id VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, file_path)
);
CREATE TABLE IF NOT EXISTS raw.figures (
    submission_id VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number INTEGER NOT NULL,
    scope VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    kpi_code VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.quarantine_rows (
    submission_id VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number INTEGER NOT NULL,
    scope VARCHAR,
    unit_code VARCHAR,
    kpi_code VARCHAR,
    reason_code VARCHAR NOT NULL,
    detail VARCHAR,
    raw_numerator VARCHAR,
    raw_denominator VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.warnings (
    submission_id VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number INTEGER,
    warning_code VARCHAR NOT NULL,
    detail VARCHAR
);
"""

SUBMISSION_COLUMNS = [
    "submission_id", "file_path", "file_format", "file_size", "accepted", "reason_code",
    "reason_detail", "unit_code", "unit_name", "month", "report_date", "preparer",
    "has_consolidated_section", "rows_total", "rows_accepted", "rows_quarantined",
    "ingested_at", "parsed_with",
]  # fmt: skip
FIGURE_COLUMNS = [
    "submission_id", "sheet", "row_number", "scope", "unit_code", "kpi_code",
    "numerator", "denominator", "note",
]  # fmt: skip
QUARANTINE_COLUMNS = [
    "submission_id", "sheet", "row_number", "scope", "unit_code", "kpi_code",
    "reason_code", "detail", "raw_numerator", "raw_denominator",
]  # fmt: skip
WARNING_COLUMNS = ["submission_id", "sheet", "row_number", "warning_code", "detail"]
_ACCEPTED, _REASON, _ROWS_ACCEPTED, _ROWS_QUARANTINED = (
    SUBMISSION_COLUMNS.index(c) for c in ("accepted", "reason_code", "rows_accepted", "rows_quarantined")
)
_Q_REASON = QUARANTINE_COLUMNS.index("reason_code")
_FIGURE_ROW = attrgetter(*FIGURE_COLUMNS)
_QUARANTINE_ROW = attrgetter(*QUARANTINE_COLUMNS)
_WARNING_ROW = attrgetter(*WARNING_COLUMNS)
_SUBMISSION_ROW = attrgetter(*SUBMISSION_COLUMNS[:-2])  # ingested_at, parsed_with: the writer's


@dataclass(frozen=True)
class FoundFile:
    """A file under the inbox: where it is, and what it is (by content)."""

    rel_path: str  # relative to inbox/, '/' separators
    abs_path: str  # a str, not a Path: cheaper to make and to send to a worker, 40k times
    size: int
    submission_id: str
    outside_link: bool = False  # a symlink whose target leaves the inbox: never read


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_new: int = 0
    duplicate_paths: int = 0
    submissions_accepted: int = 0
    submissions_rejected: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, result: FileResult) -> None:
        self.add_row(_SUBMISSION_ROW(result), list(map(_QUARANTINE_ROW, result.quarantined)))

    def add_row(self, submission: tuple, quarantined: list[tuple]) -> None:
        """One parsed file: its submission row (SUBMISSION_COLUMNS order) and quarantined rows."""
        accepted, reason_code = submission[_ACCEPTED], submission[_REASON]
        self.files_new += 1
        if accepted:
            self.submissions_accepted += 1
        else:
            self.submissions_rejected += 1
            self.reasons[reason_code or "?"] = self.reasons.get(reason_code or "?", 0) + 1
        self.rows_accepted += submission[_ROWS_ACCEPTED]
        self.rows_quarantined += submission[_ROWS_QUARANTINED]
        for row in quarantined:
            self.reasons[row[_Q_REASON]] = self.reasons.get(row[_Q_REASON], 0) + 1


def is_submission_name(name: str) -> bool:
    """Office lock files (`~$x.xlsx`) and hidden files are not submissions."""
    return not (name.startswith("~$") or name.startswith("."))


def _hash_file(path: str, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _stored_text(name: str) -> str:
    """A file system name as stored: NFC (a name sent from a Mac arrives decomposed),
    bytes that are not UTF-8 shown as U+FFFD."""
    return nfc(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _walk(inbox: Path) -> list[FoundFile]:
    """Every candidate file under `inbox`, sorted by relative path, not yet hashed
    (`submission_id` is '' except for links out of the inbox). See `discover`."""
    inbox = inbox.resolve()
    found: list[FoundFile] = []
    if not inbox.is_dir():
        return found
    # Each folder's relative path as stored, with a trailing '/', from its parent's: '/'
    # composes with nothing and ends any bad UTF-8 sequence, so the stored text of the parts
    # joined by '/' is the stored text of the relative path, one call a folder.
    prefixes = {str(inbox): ""}
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if is_submission_name(d))
        prefix = prefixes.pop(dirpath)
        for name in dirnames:  # os.walk joins them the same way to walk them
            prefixes[os.path.join(dirpath, name)] = prefix + _stored_text(name) + "/"
        for name in filenames:
            if not is_submission_name(name):
                continue
            full = os.path.join(dirpath, name)
            rel = prefix + _stored_text(name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                path = Path(full)
                try:
                    target = path.resolve()
                    inside = target.is_relative_to(inbox) and target.is_file()
                except (OSError, RuntimeError):  # a symlink loop, an unreadable folder
                    inside = False
                if not inside:
                    link_id = hashlib.sha256(b"symlink:" + rel.encode()).hexdigest()
                    found.append(FoundFile(rel, full, 0, link_id, outside_link=True))
                    continue
                try:
                    info = os.stat(target)
                except OSError:
                    continue
                full = str(target)
            if not stat.S_ISREG(info.st_mode):
                continue
            found.append(FoundFile(rel, full, info.st_size, ""))
    # Code-point order of the relative path, as the contract's version rules assume.
    found.sort(key=lambda f: f.rel_path)
    return found


def _content_id(found: FoundFile) -> str:
    try:
        return _hash_file(found.abs_path, found.size)
    except OSError:  # no permission, vanished: rejected as unreadable when parsed
        return hashlib.sha256(b"unreadable:" + found.rel_path.encode()).hexdigest()


def _read(found: FoundFile, limits: Limits) -> tuple[str, bytes | None, OSError | None]:
    """One read of a file for both its content id (sha256) and its parse: (id, bytes, error).

    No bytes when the file is over the size limit (hashed in blocks, never parsed) or
    cannot be read (then the id comes from its path, as `discover` does)."""
    if found.size > limits.max_file_bytes:
        return _content_id(found), None, None
    try:
        data = _read_bytes(found.abs_path)
    except OSError as exc:
        return hashlib.sha256(b"unreadable:" + found.rel_path.encode()).hexdigest(), None, exc
    return hashlib.sha256(data).hexdigest(), data, None


def discover(inbox: Path) -> list[FoundFile]:
    """Every candidate file under `inbox`, any nesting, sorted by relative path, hashed.

    Directory symlinks are not followed. A file symlink is read only when its target
    stays inside the inbox; otherwise (or when it cannot be resolved: a loop) it is still
    recorded (and rejected), but its target is never opened. A file that cannot be read
    is recorded too (parsing then rejects it as unreadable); nothing here stops the run.
    (`land_inbox` walks the same way, then hashes in its workers from the bytes it parses.)
    """
    return [f if f.outside_link else replace(f, submission_id=_content_id(f)) for f in _walk(inbox)]


# --- parsing (in worker processes) -----------------------------------------------------


def _outside_link_result(found: FoundFile) -> FileResult:
    return FileResult(
        submission_id=found.submission_id,
        file_path=found.rel_path,
        file_format=file_format_of(found.rel_path),
        file_size=0,
        accepted=False,
        reason_code="unreadable_file",
        reason_detail="Tệp là một liên kết (symlink) trỏ ra ngoài thư mục nhận báo cáo; "
        "hãy gửi chính tệp báo cáo, không gửi liên kết.",
    )


def _parse_read(
    found: FoundFile,
    submission_id: str,
    data: bytes | None,
    error: OSError | None,
    registry: Registry,
    limits: Limits,
) -> FileResult:
    """Parse what `_read` gave (`found`'s content id, bytes, error): a read error is
    `unreadable_file`."""
    if error is not None:
        return FileResult(
            submission_id=submission_id,
            file_path=found.rel_path,
            file_format=file_format_of(found.rel_path),
            file_size=found.size,
            accepted=False,
            reason_code="unreadable_file",
            reason_detail=f"Không đọc được tệp ({error.__class__.__name__}).",
        )
    return process_file(
        data=data,
        rel_path=found.rel_path,
        registry=registry,
        limits=limits,
        size=found.size,
        submission_id=submission_id,
    )


def parse_found(found: FoundFile, registry: Registry, limits: Limits) -> FileResult:
    """Read one discovered file's bytes (unless it is too large or a link out) and parse it."""
    if found.outside_link:
        return _outside_link_result(found)
    data, error = None, None
    if found.size <= limits.max_file_bytes:
        try:
            data = _read_bytes(found.abs_path)
        except OSError as exc:
            error = exc
    return _parse_read(found, found.submission_id, data, error, registry, limits)


@dataclass
class _Chunk:
    """What parsing a list of files sends back: plain tuples, no per-row objects.

    `ids` has the content id of every file given; `parsed` one entry per file parsed (those
    not stored yet): (index in the list, submission row, then its numbers of figures,
    quarantined rows and warnings, consecutive in the chunk's lists of row tuples).
    """

    ids: list[str] = field(default_factory=list)
    parsed: list[tuple[int, tuple, int, int, int]] = field(default_factory=list)
    figures: list[tuple] = field(default_factory=list)
    quarantined: list[tuple] = field(default_factory=list)
    warnings: list[tuple] = field(default_factory=list)


def _land_chunk(
    files: list[FoundFile], registry: Registry, limits: Limits, current: frozenset[str]
) -> _Chunk:
    """Read, hash and parse each file, one read each; a file whose id is in `current` (stored,
    parsed the same way) is not parsed again."""
    chunk = _Chunk()
    for index, found in enumerate(files):
        if found.outside_link:
            submission_id = found.submission_id
        else:
            submission_id, data, error = _read(found, limits)
        chunk.ids.append(submission_id)
        if submission_id in current:
            continue
        if found.outside_link:
            result = _outside_link_result(found)
        else:
            result = _parse_read(found, submission_id, data, error, registry, limits)
        chunk.figures.extend(map(_FIGURE_ROW, result.figures))
        chunk.quarantined.extend(map(_QUARANTINE_ROW, result.quarantined))
        chunk.warnings.extend(map(_WARNING_ROW, result.warnings))
        chunk.parsed.append(
            (index, _SUBMISSION_ROW(result), len(result.figures), len(result.quarantined),
             len(result.warnings))
        )  # fmt: skip
    return chunk


_WORKER_STATE: tuple[Registry, Limits, frozenset[str]] | None = None


def _init_worker(registry: Registry, limits: Limits, current: frozenset[str]) -> None:
    global _WORKER_STATE
    _WORKER_STATE = (registry, limits, current)
    # What the worker inherited (the registry: ~50k objects) lives as long as the worker:
    # keep the cyclic collector from walking it again and again (a few % of a parse).
    gc.freeze()


def _land_chunk_in_worker(files: list[FoundFile]) -> _Chunk:
    assert _WORKER_STATE is not None
    return _land_chunk(files, *_WORKER_STATE)


# Fewer files than this are parsed in this process (a pool costs more than it saves).
PARALLEL_MIN_FILES = 200


def _chunk_size(files: int, workers: int) -> int:
    """Big chunks (little traffic per file), but about 8 per worker at least (even load)."""
    return max(16, min(256, files // (workers * 8)))


def land_chunks(
    files: list[FoundFile],
    registry: Registry,
    limits: Limits,
    workers: int,
    current: frozenset[str] = frozenset(),
) -> Iterator[_Chunk]:
    """`_land_chunk` over consecutive slices of `files`, in order: in `workers` processes, or
    in this process when `workers` is 1 or there are fewer than PARALLEL_MIN_FILES files."""
    parallel = workers > 1 and len(files) >= PARALLEL_MIN_FILES
    size = _chunk_size(len(files), workers) if parallel else 512
    slices = [files[i : i + size] for i in range(0, len(files), size)]
    if not parallel:
        for part in slices:
            yield _land_chunk(part, registry, limits, current)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(registry, limits, current)
    ) as pool:
        yield from pool.map(_land_chunk_in_worker, slices)


# --- writing ---------------------------------------------------------------------------


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RAW_DDL)


def ingest_fingerprint(registry: Registry, limits: Limits) -> str:
    """What a stored parse depends on besides the file: parser version, registry, limits."""
    return f"{PARSER_VERSION}:{registry.fingerprint}:{limits.max_file_bytes}"


# The raw tables' VARCHAR columns: their values are str or None.
TEXT_COLUMNS = frozenset(
    re.findall(r"^\s+(\w+) VARCHAR", RAW_DDL, flags=re.MULTILINE)
)


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A frame from row tuples, built column-wise (each column one pass in C).

    Text columns stay plain object columns: pandas' string inference would check and
    convert every value again (most of a frame's cost), and DuckDB reads str and None
    from either the same way.
    """
    data: dict[str, object] = {}
    for index, name in enumerate(columns):
        values = list(map(itemgetter(index), rows))
        data[name] = pd.Series(values, dtype=object) if name in TEXT_COLUMNS else values
    return pd.DataFrame(data)


@dataclass
class _Batch:
    """Rows of many submissions, written in one transaction."""

    submissions: list[tuple] = field(default_factory=list)
    figures: list[tuple] = field(default_factory=list)
    quarantined: list[tuple] = field(default_factory=list)
    warnings: list[tuple] = field(default_factory=list)


def write_batch(
    con: duckdb.DuckDBPyConnection, batch: _Batch, stored: Container[str] | None = None
) -> None:
    """Replace these submissions' landed rows in one transaction (all or nothing).

    `stored`: the ids that may have rows already (None: any); only those are deleted first,
    so landing new files never scans the tables for rows that cannot be there.
    """
    if not batch.submissions:
        return
    ids = [row[0] for row in batch.submissions]
    if stored is not None:
        ids = [sid for sid in ids if sid in stored]
    con.execute("BEGIN TRANSACTION")
    try:
        if ids:
            con.register("batch_ids", pd.DataFrame({"submission_id": ids}))
            for table in ("submissions", "figures", "quarantine_rows", "warnings"):
                con.execute(
                    f"DELETE FROM raw.{table} "
                    "WHERE submission_id IN (SELECT submission_id FROM batch_ids)"
                )
            con.unregister("batch_ids")
        for table, rows, columns in (
            ("submissions", batch.submissions, SUBMISSION_COLUMNS),
            ("figures", batch.figures, FIGURE_COLUMNS),
            ("quarantine_rows", batch.quarantined, QUARANTINE_COLUMNS),
            ("warnings", batch.warnings, WARNING_COLUMNS),
        ):
            if rows:
                con.register("batch_frame", _frame(rows, columns))
                cols = ", ".join(columns)
                con.execute(f"INSERT INTO raw.{table} ({cols}) SELECT {cols} FROM batch_frame")
                con.unregister("batch_frame")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def record_paths(
    con: duckdb.DuckDBPyConnection, paths: list[tuple[str, str]], seen_at: datetime
) -> int:
    """Remember every path each submission arrived under; keep its name the first path.

    `paths`: (submission_id, relative path) of every file seen.
    """
    added = add_paths(con, paths, seen_at)
    name_by_first_path(con)
    return added


def add_paths(
    con: duckdb.DuckDBPyConnection, paths: list[tuple[str, str]], seen_at: datetime
) -> int:
    """Remember the paths not recorded yet: (submission_id, relative path) pairs."""
    frame = _frame(paths, ["submission_id", "file_path"])
    con.register("seen_paths", frame)
    before = con.execute("SELECT count(*) FROM raw.submission_files").fetchone()[0]
    con.execute(
        """
        INSERT INTO raw.submission_files
        SELECT DISTINCT s.submission_id, s.file_path, ?::TIMESTAMP FROM seen_paths s
        ANTI JOIN raw.submission_files f USING (submission_id, file_path)
        """,
        [seen_at],
    )
    con.unregister("seen_paths")
    after = con.execute("SELECT count(*) FROM raw.submission_files").fetchone()[0]
    return after - before


def name_by_first_path(con: duckdb.DuckDBPyConnection) -> None:
    """Each submission's file_path is the first of its recorded paths in code-point order."""
    # "recorded under the first of its paths in code-point order" (contract, section 7).
    con.execute(
        """
        UPDATE raw.submissions s SET file_path = p.first_path
        FROM (SELECT submission_id, min(file_path COLLATE "binary") AS first_path
              FROM raw.submission_files GROUP BY submission_id) p
        WHERE s.submission_id = p.submission_id AND s.file_path <> p.first_path
        """
    )


def land_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    registry: Registry,
    limits: Limits,
    workers: int,
    progress: Callable[[str], None] = log.info,
    batch_files: int = 6000,
    now: datetime | None = None,
) -> IngestSummary:
    """Land every new or changed file in `inbox`. Idempotent: a second call does nothing.

    `batch_files`: files per transaction. A national month's 6000 files are ~190k figure
    rows, more than one DuckDB row group (122,880 rows): with smaller batches the automatic
    checkpoints rewrite a partly filled row group again and again (2000 files a batch cost
    2.5x the commit time).
    """
    ensure_schema(con)
    ingested_at = (now or datetime.now(timezone.utc)).replace(tzinfo=None, microsecond=0)
    parsed_with = ingest_fingerprint(registry, limits)
    summary = IngestSummary()

    # DuckDB's extra threads only spin while it scans the batches' Python objects (the
    # scan holds the GIL), taking CPU from the parsing workers: one thread while landing.
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        return _land(con, inbox, registry, limits, workers, progress, batch_files, ingested_at,
                     parsed_with, summary)  # fmt: skip
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _land(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    registry: Registry,
    limits: Limits,
    workers: int,
    progress: Callable[[str], None],
    batch_files: int,
    ingested_at: datetime,
    parsed_with: str,
    summary: IngestSummary,
) -> IngestSummary:
    started = time.monotonic()
    found = _walk(inbox)
    summary.files_seen = len(found)
    progress(f"found {len(found)} files under {inbox} in {time.monotonic() - started:.1f}s")

    stored = dict(
        con.execute("SELECT submission_id, parsed_with FROM raw.submissions").fetchall()
    )
    previous_ingested_at = dict(
        con.execute("SELECT submission_id, ingested_at FROM raw.submissions").fetchall()
    )
    # Stored and parsed the same way: the workers hash these and skip the parse.
    current = frozenset(sid for sid, with_ in stored.items() if with_ == parsed_with)

    progress(f"{len(found)} files to hash, new or changed ones parsed, with {workers} worker(s)")
    # One parse per distinct content: the first path in code-point order stands for it.
    # (Files arrive in path order; a later copy of the same bytes, parsed too when it
    # fell in another chunk, is dropped here.)
    seen: set[str] = set()
    paths: list[tuple[str, str]] = []
    batch = _Batch()
    done = 0
    last_report = time.monotonic()
    offset = 0
    for chunk in land_chunks(found, registry, limits, workers, current):
        for index, submission_id in enumerate(chunk.ids):
            paths.append((submission_id, found[offset + index].rel_path))
        first = [sid not in seen and not seen.add(sid) for sid in chunk.ids]
        summary.duplicate_paths += first.count(False)
        f_at = q_at = w_at = 0
        for index, row, n_fig, n_quar, n_warn in chunk.parsed:
            if first[index]:
                summary.add_row(row, chunk.quarantined[q_at : q_at + n_quar])
                batch.submissions.append(
                    (*row, previous_ingested_at.get(row[0], ingested_at), parsed_with)
                )
                batch.figures.extend(chunk.figures[f_at : f_at + n_fig])
                batch.quarantined.extend(chunk.quarantined[q_at : q_at + n_quar])
                batch.warnings.extend(chunk.warnings[w_at : w_at + n_warn])
            f_at, q_at, w_at = f_at + n_fig, q_at + n_quar, w_at + n_warn
        offset += len(chunk.ids)
        done = offset
        # A full batch is written while the workers go on; so is one as large as what is
        # still to come, so that the last batch (written after the workers are done) is
        # about a chunk, not up to `batch_files` files.
        if len(batch.submissions) >= min(batch_files, len(found) - done) > 0:
            write_batch(con, batch, stored)
            batch = _Batch()
            add_paths(con, paths, ingested_at)
            paths = []
        if time.monotonic() - last_report > 5:
            rate = done / max(time.monotonic() - started, 1e-6)
            progress(f"read {done}/{len(found)} files ({rate:,.0f} files/s)")
            last_report = time.monotonic()
    write_batch(con, batch, stored)
    record_paths(con, paths, ingested_at)  # the rest, and every file's name
    progress(
        f"landed {summary.files_new} submissions in {time.monotonic() - started:.1f}s: "
        f"{summary.submissions_accepted} accepted, {summary.submissions_rejected} rejected, "
        f"{summary.rows_accepted} rows accepted, {summary.rows_quarantined} quarantined"
    )
    return summary
