"""Landing submissions in the warehouse: find the files, parse the new ones, write raw tables.

The parsing itself is pure (`process.process_file`); this module is the I/O around it:
walking the inbox safely, hashing, fanning the parse out to worker processes, and writing
the results through the single warehouse connection in small transactions, so that a
killed run never leaves half a submission behind.
"""

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.model import FileResult, Limits
from dagster_project.ingest.normalize import nfc
from dagster_project.ingest.process import process_file
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


@dataclass(frozen=True)
class FoundFile:
    """A file under the inbox: where it is, and what it is (by content)."""

    rel_path: str  # relative to inbox/, '/' separators
    abs_path: Path
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
        self.files_new += 1
        if result.accepted:
            self.submissions_accepted += 1
        else:
            self.submissions_rejected += 1
            self.reasons[result.reason_code or "?"] = self.reasons.get(result.reason_code or "?", 0) + 1
        self.rows_accepted += result.rows_accepted
        self.rows_quarantined += result.rows_quarantined
        for q in result.quarantined:
            self.reasons[q.reason_code] = self.reasons.get(q.reason_code, 0) + 1


def is_submission_name(name: str) -> bool:
    """Office lock files (`~$x.xlsx`) and hidden files are not submissions."""
    return not (name.startswith("~$") or name.startswith("."))


def _hash_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rel_text(path: Path, inbox: Path) -> str:
    """The path relative to the inbox as stored: '/' separators, NFC (a name sent from a
    Mac arrives decomposed), bytes that are not UTF-8 shown as U+FFFD."""
    rel = path.relative_to(inbox).as_posix()
    return nfc(rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def discover(inbox: Path) -> list[FoundFile]:
    """Every candidate file under `inbox`, any nesting, sorted by relative path.

    Directory symlinks are not followed. A file symlink is read only when its target
    stays inside the inbox; otherwise (or when it cannot be resolved: a loop) it is still
    recorded (and rejected), but its target is never opened. A file that cannot be read
    is recorded too (parsing then rejects it as unreadable); nothing here stops the run.
    """
    inbox = inbox.resolve()
    found: list[FoundFile] = []
    if not inbox.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if is_submission_name(d))
        for name in filenames:
            if not is_submission_name(name):
                continue
            path = Path(dirpath) / name
            rel = _rel_text(path, inbox)
            if path.is_symlink():
                try:
                    target = path.resolve()
                    inside = target.is_relative_to(inbox) and target.is_file()
                except (OSError, RuntimeError):  # a symlink loop, an unreadable folder
                    inside = False
                if not inside:
                    link_id = hashlib.sha256(b"symlink:" + rel.encode()).hexdigest()
                    found.append(FoundFile(rel, path, 0, link_id, outside_link=True))
                    continue
                path = target
            try:
                if not path.is_file():
                    continue
                size = path.stat().st_size
            except OSError:
                continue
            try:
                submission_id = _hash_file(path, size)
            except OSError:  # no permission, vanished: rejected as unreadable when parsed
                submission_id = hashlib.sha256(b"unreadable:" + rel.encode()).hexdigest()
            found.append(FoundFile(rel, path, size, submission_id))
    # Code-point order of the relative path, as the contract's version rules assume.
    found.sort(key=lambda f: f.rel_path)
    return found


# --- parsing in worker processes -------------------------------------------------------

_WORKER_REGISTRY: Registry | None = None
_WORKER_LIMITS: Limits | None = None


def _init_worker(registry: Registry, limits: Limits) -> None:
    global _WORKER_REGISTRY, _WORKER_LIMITS
    _WORKER_REGISTRY, _WORKER_LIMITS = registry, limits


def parse_found(found: FoundFile, registry: Registry, limits: Limits) -> FileResult:
    """Read one file's bytes (unless it is too large or a link out) and parse it."""
    if found.outside_link:
        return FileResult(
            submission_id=found.submission_id,
            file_path=found.rel_path,
            file_format=Path(found.rel_path).suffix.lower().lstrip("."),
            file_size=0,
            accepted=False,
            reason_code="unreadable_file",
            reason_detail="Tệp là một liên kết (symlink) trỏ ra ngoài thư mục nhận báo cáo; "
            "hãy gửi chính tệp báo cáo, không gửi liên kết.",
        )
    data = None
    if found.size <= limits.max_file_bytes:
        try:
            data = found.abs_path.read_bytes()
        except OSError as exc:
            return FileResult(
                submission_id=found.submission_id,
                file_path=found.rel_path,
                file_format=Path(found.rel_path).suffix.lower().lstrip("."),
                file_size=found.size,
                accepted=False,
                reason_code="unreadable_file",
                reason_detail=f"Không đọc được tệp ({exc.__class__.__name__}).",
            )
    return process_file(
        data=data,
        rel_path=found.rel_path,
        registry=registry,
        limits=limits,
        size=found.size,
        submission_id=found.submission_id,
    )


def _parse_in_worker(found: FoundFile) -> FileResult:
    assert _WORKER_REGISTRY is not None and _WORKER_LIMITS is not None
    return parse_found(found, _WORKER_REGISTRY, _WORKER_LIMITS)


def parse_all(
    files: list[FoundFile], registry: Registry, limits: Limits, workers: int
) -> Iterator[FileResult]:
    """Parse files, in order, in `workers` processes (in this process when 1 or few files)."""
    if workers <= 1 or len(files) < 200:
        for found in files:
            yield parse_found(found, registry, limits)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(registry, limits)
    ) as pool:
        yield from pool.map(_parse_in_worker, files, chunksize=64)


# --- writing ---------------------------------------------------------------------------


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RAW_DDL)


def ingest_fingerprint(registry: Registry, limits: Limits) -> str:
    """What a stored parse depends on besides the file: parser version, registry, limits."""
    return f"{PARSER_VERSION}:{registry.fingerprint}:{limits.max_file_bytes}"


def _frame(rows: Iterable[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def write_results(
    con: duckdb.DuckDBPyConnection,
    results: list[FileResult],
    ingested_at: datetime,
    parsed_with: str,
    previous_ingested_at: dict[str, datetime],
) -> None:
    """Replace these submissions' landed rows in one transaction (all or nothing)."""
    if not results:
        return
    ids = _frame(((r.submission_id,) for r in results), ["submission_id"])
    subs = _frame(
        (
            (
                r.submission_id, r.file_path, r.file_format, r.file_size, r.accepted,
                r.reason_code, r.reason_detail, r.unit_code, r.unit_name, r.month,
                r.report_date, r.preparer, r.has_consolidated_section, r.rows_total,
                r.rows_accepted, r.rows_quarantined,
                previous_ingested_at.get(r.submission_id, ingested_at), parsed_with,
            )
            for r in results
        ),
        SUBMISSION_COLUMNS,
    )  # fmt: skip
    figures = _frame(
        (
            (f.submission_id, f.sheet, f.row_number, f.scope, f.unit_code, f.kpi_code,
             f.numerator, f.denominator, f.note)
            for r in results for f in r.figures
        ),
        FIGURE_COLUMNS,
    )  # fmt: skip
    quarantine = _frame(
        (
            (q.submission_id, q.sheet, q.row_number, q.scope, q.unit_code, q.kpi_code,
             q.reason_code, q.detail, q.raw_numerator, q.raw_denominator)
            for r in results for q in r.quarantined
        ),
        QUARANTINE_COLUMNS,
    )  # fmt: skip
    warnings = _frame(
        (
            (w.submission_id, w.sheet, w.row_number, w.warning_code, w.detail)
            for r in results for w in r.warnings
        ),
        WARNING_COLUMNS,
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("batch_ids", ids)
        for table in ("submissions", "figures", "quarantine_rows", "warnings"):
            con.execute(
                f"DELETE FROM raw.{table} WHERE submission_id IN (SELECT submission_id FROM batch_ids)"
            )
        for table, frame, columns in (
            ("submissions", subs, SUBMISSION_COLUMNS),
            ("figures", figures, FIGURE_COLUMNS),
            ("quarantine_rows", quarantine, QUARANTINE_COLUMNS),
            ("warnings", warnings, WARNING_COLUMNS),
        ):
            if len(frame):
                con.register("batch_frame", frame)
                cols = ", ".join(columns)
                con.execute(f"INSERT INTO raw.{table} ({cols}) SELECT {cols} FROM batch_frame")
                con.unregister("batch_frame")
        con.unregister("batch_ids")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def record_paths(con: duckdb.DuckDBPyConnection, files: list[FoundFile], seen_at: datetime) -> int:
    """Remember every path each submission arrived under; keep its name the first path."""
    frame = _frame(((f.submission_id, f.rel_path) for f in files), ["submission_id", "file_path"])
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
    # "recorded under the first of its paths in code-point order" (contract, section 7).
    con.execute(
        """
        UPDATE raw.submissions s SET file_path = p.first_path
        FROM (SELECT submission_id, min(file_path COLLATE "binary") AS first_path
              FROM raw.submission_files GROUP BY submission_id) p
        WHERE s.submission_id = p.submission_id AND s.file_path <> p.first_path
        """
    )
    con.unregister("seen_paths")
    after = con.execute("SELECT count(*) FROM raw.submission_files").fetchone()[0]
    return after - before


def land_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    registry: Registry,
    limits: Limits,
    workers: int,
    progress: Callable[[str], None] = log.info,
    batch_files: int = 2000,
    now: datetime | None = None,
) -> IngestSummary:
    """Land every new or changed file in `inbox`. Idempotent: a second call does nothing."""
    ensure_schema(con)
    ingested_at = (now or datetime.now(timezone.utc)).replace(tzinfo=None, microsecond=0)
    parsed_with = ingest_fingerprint(registry, limits)
    summary = IngestSummary()

    started = time.monotonic()
    found = discover(inbox)
    summary.files_seen = len(found)
    progress(f"found {len(found)} files under {inbox} in {time.monotonic() - started:.1f}s")

    stored = dict(
        con.execute("SELECT submission_id, parsed_with FROM raw.submissions").fetchall()
    )
    previous_ingested_at = dict(
        con.execute("SELECT submission_id, ingested_at FROM raw.submissions").fetchall()
    )
    # One parse per distinct content: the first path in code-point order stands for it.
    to_parse: list[FoundFile] = []
    first_by_id: dict[str, FoundFile] = {}
    for f in found:
        if f.submission_id in first_by_id:
            summary.duplicate_paths += 1
            continue
        first_by_id[f.submission_id] = f
        if stored.get(f.submission_id) != parsed_with:
            to_parse.append(f)

    progress(f"{len(to_parse)} new or changed submissions to parse with {workers} worker(s)")
    batch: list[FileResult] = []
    done = 0
    last_report = time.monotonic()
    for result in parse_all(to_parse, registry, limits, workers):
        batch.append(result)
        summary.add(result)
        done += 1
        if len(batch) >= batch_files:
            write_results(con, batch, ingested_at, parsed_with, previous_ingested_at)
            batch = []
        if time.monotonic() - last_report > 5:
            rate = done / max(time.monotonic() - started, 1e-6)
            progress(f"parsed {done}/{len(to_parse)} files ({rate:,.0f} files/s)")
            last_report = time.monotonic()
    write_results(con, batch, ingested_at, parsed_with, previous_ingested_at)
    record_paths(con, found, ingested_at)
    progress(
        f"landed {summary.files_new} submissions in {time.monotonic() - started:.1f}s: "
        f"{summary.submissions_accepted} accepted, {summary.submissions_rejected} rejected, "
        f"{summary.rows_accepted} rows accepted, {summary.rows_quarantined} quarantined"
    )
    return summary
