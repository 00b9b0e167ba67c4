"""Plain data records passed between the parser, the rules and the warehouse writer.

They are deliberately dumb (dataclasses of str/int/date) so that a worker process can
parse a file and hand the result back to the single warehouse writer by pickling.
"""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile file from hurting the run (all configurable)."""

    max_file_bytes: int = 20 * 1024 * 1024  # contract: over 20 MiB is file_too_large
    max_unzipped_bytes: int = 256 * 1024 * 1024  # zip bombs: total uncompressed size of a workbook
    max_zip_ratio: int = 200  # zip bombs: uncompressed/compressed size of one part
    max_rows_per_sheet: int = 200_000  # a national TongHop is ~ 100k rows


@dataclass
class RawRow:
    """One raw row of an indicator table, as found in the file (before row checks)."""

    sheet: str | None  # workbook sheet name as in the file; 'chi_tieu'/'tong_hop' for JSON; None for CSV
    row_number: int  # 1-based: sheet row, CSV physical start line (header = 1), JSON array index
    scope: str  # 'own' | 'consolidated'
    unit_code: str | None  # the subject unit (for 'own' rows: the sender)
    kpi_code: str | None
    raw_numerator: object  # cell value as read (str, int, float, bool, None)
    raw_denominator: object
    raw_rate: object = None
    note: str | None = None


@dataclass
class Figure:
    """An accepted row: parsed whole-number figures."""

    submission_id: str
    sheet: str | None
    row_number: int
    scope: str
    unit_code: str
    kpi_code: str
    numerator: int
    denominator: int
    note: str | None = None


@dataclass
class Quarantined:
    submission_id: str
    sheet: str | None
    row_number: int
    scope: str
    unit_code: str | None
    kpi_code: str | None
    reason_code: str
    detail: str  # Vietnamese, specific to the row (what was found, what to do)
    raw_numerator: str | None
    raw_denominator: str | None


@dataclass
class Warning:
    submission_id: str
    sheet: str | None
    row_number: int | None
    warning_code: str
    detail: str  # Vietnamese


@dataclass
class FileResult:
    """Everything one file produced. Exactly one of `accepted`/`reason_code` decides its fate."""

    submission_id: str  # sha256 hex of the bytes
    file_path: str  # relative to inbox/, '/' separators
    file_format: str  # extension, lower case, no dot
    file_size: int
    accepted: bool
    reason_code: str | None = None  # file-level reason when rejected
    reason_detail: str | None = None  # Vietnamese
    unit_code: str | None = None  # sender, when it could be read
    unit_name: str | None = None  # as written in the file
    month: date | None = None  # first day of the reported month
    report_date: datetime | None = None  # local time, naive (Asia/Ho_Chi_Minh)
    preparer: str | None = None
    has_consolidated_section: bool = False  # a consolidated section with at least one raw row
    rows_total: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    figures: list[Figure] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
