"""The contract's file and row checks (section 7), as pure functions.

File checks run in the contract's order and the first failure is the file's reason;
the reader has already decided `unreadable_file`, `missing_sheet` and `mixed_header`.
Row checks run in the contract's order, first failure wins; `duplicate_kpi_row` is judged
last, among the rows that passed the rest, comparing parsed figures.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from dagster_project.ingest.kpis import KPIS, Kpi, canonical_kpi_code, catalogue
from dagster_project.ingest.model import RawRow
from dagster_project.ingest.normalize import is_blank, label_key
from dagster_project.ingest.readers import CONSOLIDATED, OWN, ParsedFile, code_text
from dagster_project.ingest.registry import Registry
from dagster_project.ingest.values import (
    Failure,
    cell_text,
    parse_binary,
    parse_binary_denominator,
    parse_count,
    parse_period,
    parse_rate,
    parse_report_date,
)

RATE_TOLERANCE_PP = 0.5


def month_text(month: date) -> str:
    return f"{month.month:02d}/{month.year}"


def _quote(value: object) -> str:
    text = cell_text(value)
    return "''" if text is None else f"'{text}'"


# --- file checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileVerdict:
    """The outcome of the header checks: a reason (rejected) or the parsed header."""

    reason_code: str | None
    detail: str | None
    sender: str | None
    month: date | None
    report_date: datetime | None


def check_file(parsed: ParsedFile, registry: Registry) -> FileVerdict:
    """missing_unit_code .. no_indicator_rows, in the contract's order."""
    sender = code_text(parsed.unit_code)
    month = parse_period(parsed.period) if not is_blank(parsed.period) else None
    report_date = (
        parse_report_date(parsed.report_date) if not is_blank(parsed.report_date) else None
    )

    def reject(code: str, detail: str) -> FileVerdict:
        return FileVerdict(code, detail, sender, month, report_date)

    if sender is None:
        return reject("missing_unit_code", "Không tìm thấy mã đơn vị (ô bên phải nhãn 'Mã đơn vị' trống).")
    if not registry.exists(sender):
        return reject(
            "unknown_unit",
            f"Mã đơn vị '{sender}' không có trong danh mục đơn vị báo cáo"
            + (" (ô số có thể đã làm mất số 0 ở đầu mã)." if isinstance(parsed.unit_code, (int, float)) else "."),
        )
    if is_blank(parsed.period):
        return reject("missing_period", "Không tìm thấy kỳ báo cáo (ô bên phải nhãn 'Kỳ báo cáo' trống).")
    if month is None:
        return reject(
            "invalid_period",
            f"Kỳ báo cáo {_quote(parsed.period)} không đọc được; ghi dạng Tháng 3/2025 hoặc 03/2025.",
        )
    if is_blank(parsed.report_date):
        return reject(
            "missing_report_date",
            "Không tìm thấy ngày báo cáo (ô bên phải nhãn 'Ngày báo cáo' trống).",
        )
    if report_date is None:
        return reject(
            "invalid_report_date",
            f"Ngày báo cáo {_quote(parsed.report_date)} không đọc được; ghi dạng dd/mm/yyyy, "
            "ví dụ 05/04/2025.",
        )
    if month > report_date.date():
        return reject(
            "period_after_report_date",
            f"Kỳ báo cáo tháng {month_text(month)} bắt đầu sau ngày báo cáo "
            f"{report_date:%d/%m/%Y}.",
        )
    if not registry.active_in_month(sender, month):
        return reject(
            "unit_inactive",
            f"Đơn vị '{sender}' không hoạt động ngày nào trong tháng {month_text(month)} theo "
            "danh mục đơn vị.",
        )
    if not parsed.rows:
        return reject(
            "no_indicator_rows",
            "Không có dòng chỉ tiêu nào (không tìm thấy dòng tiêu đề có ô 'Mã chỉ tiêu', hoặc "
            "ngay dưới dòng tiêu đề là dòng trống / dòng Tổng cộng).",
        )
    return FileVerdict(None, None, sender, month, report_date)


# --- row checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowFailure:
    reason_code: str
    detail: str


class RowFigures(NamedTuple):  # a tuple: one is made for every accepted row
    kpi: Kpi
    unit_code: str
    numerator: int
    denominator: int


_FIELD_VI = {"numerator": "Tử số", "denominator": "Mẫu số"}
_COLUMN_VI = {
    "kpi": "Mã chỉ tiêu",
    "numerator": "Tử số (hoặc Số đạt, Số lượng đạt)",
    "denominator": "Mẫu số (hoặc Tổng số)",
}


def _inside(unit: str, sender: str, month: date, registry: Registry) -> bool:
    """Strictly inside the sender's subtree as of the month.

    A unit active in the month is placed by its row for the month. A unit active on no
    day of it has no place in that month's tree; it is placed by its nearest row (where it
    last stood), so that a closed school under the sender is reported as `unit_inactive`
    rather than as outside the sender's scope. Ancestors always follow their month's row.
    """
    if registry.active_in_month(unit, month):
        return registry.is_inside(unit, sender, month)
    row = registry.nearest_row(unit, month)
    parent = row.parent_code if row else None
    return parent is not None and (parent == sender or registry.is_inside(parent, sender, month))


def scope_failure(
    row: RawRow, sender: str, month: date, registry: Registry
) -> RowFailure | None:
    """The scope checks of a row: they depend on its scope and unit only (and the file)."""
    unit = row.unit_code
    if row.scope == CONSOLIDATED:
        if unit is None:
            return RowFailure("unknown_subject_unit", "Dòng tổng hợp không ghi mã đơn vị.")
        if not registry.exists(unit):
            return RowFailure(
                "unknown_subject_unit", f"Mã đơn vị '{unit}' không có trong danh mục đơn vị."
            )
        if unit == sender:
            return RowFailure(
                "unit_outside_scope",
                f"Dòng tổng hợp ghi cho chính đơn vị gửi '{sender}': số liệu của đơn vị mình "
                "ghi ở phần số liệu riêng (sheet BaoCao), phần tổng hợp chỉ ghi đơn vị trực thuộc.",
            )
        if not _inside(unit, sender, month, registry):
            parent = registry.parent_in_month(unit, month)
            where = f" (đơn vị cấp trên của '{unit}' trong tháng là '{parent}')" if parent else ""
            return RowFailure(
                "unit_outside_scope",
                f"Đơn vị '{unit}' không trực thuộc đơn vị gửi '{sender}' trong tháng "
                f"{month_text(month)}{where}.",
            )
        if not registry.active_in_month(unit, month):
            return RowFailure(
                "unit_inactive",
                f"Đơn vị '{unit}' không hoạt động ngày nào trong tháng {month_text(month)} theo "
                "danh mục đơn vị.",
            )
    elif unit is not None and unit != sender:
        return RowFailure(
            "unit_outside_scope",
            f"Dòng số liệu riêng (pham_vi = own) ghi mã đơn vị '{unit}', khác đơn vị gửi "
            f"'{sender}'.",
        )
    return None


@lru_cache(maxsize=4096)
def _kpi_named(code: str) -> Kpi | None:
    return catalogue().get(canonical_kpi_code(code))


def kpi_of(code: object) -> Kpi | None:
    """`KPIS.get(canonical_kpi_code(code))`, remembered for text codes (a few dozen recur)."""
    if type(code) is str:
        return _kpi_named(code)
    return KPIS.get(canonical_kpi_code(code))


def check_figures(
    row: RawRow, sender: str, missing_columns: frozenset[str] = frozenset()
) -> RowFailure | RowFigures:
    """The row checks after `scope_failure` (first failure wins), except duplicates."""
    kpi = kpi_of(row.kpi_code)
    if kpi is None:
        if "kpi" in missing_columns:
            return RowFailure("unknown_kpi", "Bảng không có cột 'Mã chỉ tiêu'.")
        if row.kpi_code is None:
            return RowFailure("unknown_kpi", "Dòng không ghi mã chỉ tiêu.")
        return RowFailure(
            "unknown_kpi", f"Mã chỉ tiêu '{row.kpi_code}' không có trong danh mục chỉ tiêu."
        )
    if kpi.is_binary:
        # No column at all is not an answer "Không".
        numerator = (
            parse_count(None) if "numerator" in missing_columns else parse_binary(row.raw_numerator)
        )
        denominator = parse_binary_denominator(row.raw_denominator)
    else:
        numerator = parse_count(row.raw_numerator)
        denominator = parse_count(row.raw_denominator)
    if not figures_pass(kpi, numerator, denominator):
        failure = figures_failure(row, kpi, numerator, denominator, missing_columns)
        if failure is not None:
            return failure
    unit = sender if row.scope == OWN else row.unit_code
    assert unit is not None
    return RowFigures(kpi, unit, numerator, denominator)  # type: ignore[arg-type]


def figures_pass(kpi: Kpi, numerator: int | Failure, denominator: int | Failure) -> bool:
    """True when `figures_failure` finds nothing, in one test: the common row's shortcut."""
    return (
        not isinstance(numerator, Failure)
        and not isinstance(denominator, Failure)
        and 0 <= numerator <= denominator
        and (denominator <= 1 or not kpi.is_binary)
    )


def figures_failure(
    row: RawRow,
    kpi: Kpi,
    numerator: int | Failure,
    denominator: int | Failure,
    missing_columns: frozenset[str],
) -> RowFailure | None:
    """The first failing value check of a row's parsed figures (contract order), or None."""
    raws = {"numerator": row.raw_numerator, "denominator": row.raw_denominator}
    parsed = {"numerator": numerator, "denominator": denominator}
    for name, value in parsed.items():
        if isinstance(value, Failure) and value.code == "missing":
            if name in missing_columns:
                detail = f"Bảng không có cột {_COLUMN_VI[name]}."
            else:
                detail = f"Thiếu {_FIELD_VI[name].lower()} của chỉ tiêu {kpi.code}."
            return RowFailure("missing_value", detail)
    for name, value in parsed.items():
        if isinstance(value, Failure):
            return RowFailure(
                "non_numeric",
                f"{_FIELD_VI[name]} {_quote(raws[name])} không phải số nguyên"
                + (" (chỉ tiêu có/không: ghi Có, Không, 1 hoặc 0)." if kpi.is_binary else "."),
            )
    assert isinstance(numerator, int) and isinstance(denominator, int)
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if value < 0:
            return RowFailure("negative_value", f"{_FIELD_VI[name]} {_quote(raws[name])} là số âm.")
    if kpi.is_binary:
        if numerator > 1:
            return RowFailure(
                "binary_out_of_range",
                f"Chỉ tiêu {kpi.code} là chỉ tiêu có/không: tử số phải là Có/Không (1 hoặc 0), "
                f"nhưng ghi {_quote(raws['numerator'])}.",
            )
        if denominator > 1:
            return RowFailure(
                "binary_out_of_range",
                f"Chỉ tiêu {kpi.code} là chỉ tiêu có/không: mẫu số phải là 1 (hoặc để trống), "
                f"nhưng ghi {_quote(raws['denominator'])}.",
            )
    if numerator > denominator:
        return RowFailure(
            "numerator_exceeds_denominator",
            f"Tử số {numerator} lớn hơn mẫu số {denominator} (chỉ tiêu {kpi.code}).",
        )
    return None


def duplicate_verdicts(
    passed: list[tuple[RawRow, RowFigures]],
) -> dict[int, RowFailure]:
    """Index in `passed` -> duplicate_kpi_row failure, for rows that repeat a key.

    Key: (scope, subject unit, kpi). Identical figures: the first is accepted, the repeats
    quarantined. Different figures: every one of them is quarantined.
    """
    keys = [(row.scope, figures.unit_code, figures.kpi.code) for row, figures in passed]
    if len(set(keys)) == len(keys):  # no key repeats: the common file
        return {}
    groups: dict[tuple[str, str, str], list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    verdicts: dict[int, RowFailure] = {}
    for (scope, unit, kpi), members in groups.items():
        if len(members) < 2:
            continue
        figures = {(passed[i][1].numerator, passed[i][1].denominator) for i in members}
        lines = ", ".join(str(passed[i][0].row_number) for i in members)
        where = "phần tổng hợp" if scope == CONSOLIDATED else "phần số liệu riêng"
        if len(figures) == 1:
            first = passed[members[0]][0].row_number
            for i in members[1:]:
                verdicts[i] = RowFailure(
                    "duplicate_kpi_row",
                    f"Chỉ tiêu {kpi} của đơn vị '{unit}' đã có ở dòng {first} ({where}) với cùng "
                    "số liệu; chỉ dòng đầu được nhận.",
                )
        else:
            for i in members:
                verdicts[i] = RowFailure(
                    "duplicate_kpi_row",
                    f"Chỉ tiêu {kpi} của đơn vị '{unit}' được ghi {len(members)} lần ({where}, "
                    f"dòng {lines}) với số liệu khác nhau; không dòng nào được nhận.",
                )
    return verdicts


# --- warnings ----------------------------------------------------------------------------


def name_mismatch(written: object, registered: str | None) -> bool:
    """The file's Tên đơn vị differs from the registry's name (compared with label_key)."""
    if is_blank(written) or not registered:
        return False
    return label_key(written) != label_key(registered)


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def rate_warning(row: RawRow, numerator: int, denominator: int) -> tuple[str, str] | None:
    """(warning_code, detail) when a stated rate is unreadable or off by > 0.5 pp."""
    if is_blank(row.raw_rate) or denominator == 0:
        return None
    rate = parse_rate(row.raw_rate)
    if rate is None:
        return (
            "rate_not_numeric",
            f"Tỷ lệ {_quote(row.raw_rate)} không phải là số; tử số/mẫu số = "
            f"{numerator}/{denominator} = {_pct(100 * numerator / denominator)}%.",
        )
    if rate.matches(numerator, denominator, RATE_TOLERANCE_PP):
        return None
    return (
        "rate_mismatch",
        f"Tỷ lệ ghi {_quote(row.raw_rate)} nhưng tử số/mẫu số = {numerator}/{denominator} = "
        f"{_pct(100 * numerator / denominator)}% (lệch quá {_pct(RATE_TOLERANCE_PP)} điểm "
        "phần trăm).",
    )
