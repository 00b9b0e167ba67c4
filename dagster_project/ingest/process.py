"""One file in, one `FileResult` out: format, size, reading, file checks, row checks.

Pure: no file system access, no hashing. The caller reads the bytes (or not, when the
file is over the size limit), hashes them with a streaming hash and passes the id.
"""

from pathlib import PurePosixPath

from dagster_project.ingest.model import FileResult, Figure, Limits, Quarantined, Warning
from dagster_project.ingest.readers import CONSOLIDATED, ParsedFile, ReadError, read_submission
from dagster_project.ingest.registry import Registry
from dagster_project.ingest.values import cell_text
from dagster_project.ingest.rules import (
    RowFailure,
    RowFigures,
    check_figures,
    check_file,
    duplicate_verdicts,
    month_text,
    name_mismatch,
    rate_warning,
    scope_failure,
)

SUPPORTED_FORMATS = frozenset({"xlsx", "csv", "json"})


def file_format_of(rel_path: str) -> str:
    """The extension, lower case, without the dot (`.XLSX` is an xlsx); '' when none."""
    return PurePosixPath(rel_path.replace("\\", "/")).suffix.lower().lstrip(".")


def _text(value: object) -> str | None:
    text = cell_text(value)
    return text.strip() if text is not None else None


def process_file(
    data: bytes | None,
    rel_path: str,
    registry: Registry,
    limits: Limits,
    size: int,
    submission_id: str,
) -> FileResult:
    """Parse and check one submission. `data` is None when the file was too large to read.

    Rejected files keep what could be read (sender, month, report date) and count their
    raw rows in `rows_total`, with `rows_accepted = rows_quarantined = 0`.
    """
    file_format = file_format_of(rel_path)
    result = FileResult(
        submission_id=submission_id,
        file_path=rel_path,
        file_format=file_format,
        file_size=size,
        accepted=False,
    )

    def reject(code: str, detail: str) -> FileResult:
        result.reason_code = code
        result.reason_detail = detail
        return result

    if file_format not in SUPPORTED_FORMATS:
        shown = f".{file_format}" if file_format else "(không có phần mở rộng)"
        return reject(
            "unsupported_format",
            f"Tệp có định dạng {shown}; chỉ nhận .xlsx, .csv hoặc .json.",
        )
    if data is None or size > limits.max_file_bytes:
        return reject(
            "file_too_large",
            f"Tệp có dung lượng {size / 1024 / 1024:.1f} MiB, vượt giới hạn "
            f"{limits.max_file_bytes / 1024 / 1024:.0f} MiB.",
        )
    try:
        parsed = read_submission(data, file_format, limits)
    except ReadError as error:
        return reject(error.code, error.detail)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - a library panic must not stop the run
        # pyo3's PanicException (a Rust panic inside calamine) derives from BaseException.
        return reject(
            "unreadable_file",
            f"Không đọc được tệp ({error.__class__.__name__}): mở tệp bằng Excel, lưu lại "
            "rồi gửi lại.",
        )

    for warning in parsed.warnings:
        result.warnings.append(
            Warning(submission_id, warning.sheet, warning.row_number, warning.code, warning.detail)
        )
    verdict = check_file(parsed, registry)
    result.unit_code = verdict.sender
    result.unit_name = _text(parsed.unit_name)
    result.preparer = _text(parsed.preparer)
    result.month = verdict.month
    result.report_date = verdict.report_date
    result.rows_total = len(parsed.rows)
    if verdict.reason_code is not None:
        return reject(verdict.reason_code, verdict.detail or "")

    result.accepted = True
    _check_rows(result, parsed, registry)
    _file_warnings(result, parsed, registry)
    return result


class _FileRegistry:
    """The registry as one file's row checks see it: the same answers, each worked out once.

    A consolidated table asks the same questions about each unit once per indicator (27
    rows a school), and each answer walks the unit's rows and ancestors; this remembers
    them for the file. Questions not listed here go to the registry unchanged.
    """

    __slots__ = ("_registry", "_answers", "exists")

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._answers: dict[tuple, object] = {}
        self.exists = registry.exists  # a dict lookup already

    def __getattr__(self, name: str):
        return getattr(self._registry, name)

    def _ask(self, question: str, *args):
        key = (question, *args)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = getattr(self._registry, question)(*args)
            return answer

    def active_in_month(self, code, month):
        return self._ask("active_in_month", code, month)

    def is_inside(self, subject, sender, month):
        return self._ask("is_inside", subject, sender, month)

    def nearest_row(self, code, month):
        return self._ask("nearest_row", code, month)

    def parent_in_month(self, code, month):
        return self._ask("parent_in_month", code, month)


def _check_rows(result: FileResult, parsed: ParsedFile, registry: Registry) -> None:
    sender, month, sid = result.unit_code, result.month, result.submission_id
    assert sender is not None and month is not None
    registry = _FileRegistry(registry)  # type: ignore[assignment]
    # The scope checks depend only on a row's scope and unit: judged once per pair.
    scope_failures: dict[tuple[str, str | None], RowFailure | None] = {}
    no_columns: frozenset[str] = frozenset()
    outcomes: list[RowFailure | RowFigures] = []
    passed = []
    passed_at: list[int] = []
    for index, row in enumerate(parsed.rows):
        key = (row.scope, row.unit_code)
        try:
            outcome = scope_failures[key]
        except KeyError:
            outcome = scope_failures[key] = scope_failure(row, sender, month, registry)
        if outcome is None:
            outcome = check_figures(row, sender, parsed.missing_columns.get(row.sheet, no_columns))
            if type(outcome) is RowFigures:
                passed.append((row, outcome))
                passed_at.append(index)
        outcomes.append(outcome)
    for passed_index, failure in duplicate_verdicts(passed).items():
        outcomes[passed_at[passed_index]] = failure

    figures, quarantined, warnings = result.figures, result.quarantined, result.warnings
    for row, outcome in zip(parsed.rows, outcomes):
        if row.scope == CONSOLIDATED:
            result.has_consolidated_section = True
        if type(outcome) is RowFailure:
            quarantined.append(
                Quarantined(sid, row.sheet, row.row_number, row.scope, row.unit_code,
                            row.kpi_code, outcome.reason_code, outcome.detail,
                            cell_text(row.raw_numerator), cell_text(row.raw_denominator))
            )  # fmt: skip
            continue
        figures.append(
            Figure(sid, row.sheet, row.row_number, row.scope, outcome.unit_code,
                   outcome.kpi.code, outcome.numerator, outcome.denominator, row.note)
        )  # fmt: skip
        if row.raw_rate is not None:  # else no warning (`rate_warning` of a blank rate)
            warning = rate_warning(row, outcome.numerator, outcome.denominator)
            if warning is not None:
                warnings.append(Warning(sid, row.sheet, row.row_number, *warning))
    result.rows_accepted = len(figures)
    result.rows_quarantined = len(quarantined)
    result.rows_total = result.rows_accepted + result.rows_quarantined


def _file_warnings(result: FileResult, parsed: ParsedFile, registry: Registry) -> None:
    assert result.month is not None
    registered = registry.name_in_month(result.unit_code, result.month)
    if name_mismatch(parsed.unit_name, registered):
        result.warnings.append(
            Warning(
                result.submission_id,
                None,
                None,
                "unit_name_mismatch",
                f"Tên đơn vị trong báo cáo là '{result.unit_name}', trong danh mục đơn vị "
                f"(tháng {month_text(result.month)}) là '{registered}'.",
            )
        )
