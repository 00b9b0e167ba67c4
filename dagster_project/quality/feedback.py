"""Feedback workbooks ("phiếu phản hồi"): one per submission a reporting unit must look at.

`write_all_feedback(con, reports_dir)` reads the warehouse (read-only is enough) and
writes, for every submission that was rejected, has quarantined rows, or has warnings,
one Vietnamese workbook

    reports_dir/feedback/<unit folder>/<file stem>_<submission id[:8]>.xlsx

- unit folder: the submission's unit code when it is a plain code (letters, digits, `_`,
  `-`, at most 32), else `khong_ro_don_vi` (no code, or a code that is not a safe name);
- file stem: the received file's name without its extension, transliterated to ASCII
  (Vietnamese diacritics dropped, đ -> d), every other run of characters turned into `_`
  (so no separator and no `..` survives), at most 80 characters. Every path is checked
  to resolve inside `reports_dir/feedback` before anything is written.

Sheet `PhanHoi`: a header block (unit, period, the file as received, report date, the
time it was received and processed, status and what to do), the file-level reason for a
rejected file (message, detail, how to fix), then the table of quarantined rows with the
raw figures exactly as sent, each with its message, detail and fix. Sheet `CanhBao`: the
warnings. Every text that came from a submission is written through `xlsx_safe`, so it
stays text.

Idempotent and deterministic: the content comes only from the warehouse (times are the
data's own, shown in Vietnam time), the files are byte-for-byte reproducible, unchanged
files are not rewritten. `reports_dir/feedback` belongs to this function: `.xlsx` files
there that no longer match a submission needing feedback (its problem was fixed by a
rerun of the rules, or the warehouse was rebuilt) are removed, with any folder left
empty, so the folder always mirrors the warehouse. Other files there are left alone.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.quality.xlsx_safe import atomic_save, clean_text, is_temp_file, write_cell

FEEDBACK_DIR = "feedback"
UNKNOWN_UNIT_DIR = "khong_ro_don_vi"
MAIN_SHEET = "PhanHoi"
WARNING_SHEET = "CanhBao"
TITLE = "PHIẾU PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO ĐỀ ÁN 06"

VN_OFFSET = timedelta(hours=7)  # ingested_at is stored in UTC; Vietnam has no DST
MAX_STEM = 80
SHORT_ID = 8

EMPTY = "(trống)"
DASH = "—"

STATUS_REJECTED = "Bị từ chối"
STATUS_QUARANTINED = "Đã tiếp nhận, một số dòng bị loại"
STATUS_WARNINGS = "Đã tiếp nhận đầy đủ, có cảnh báo"
SUPERSEDED_SUFFIX = " (đã được thay thế bằng báo cáo gửi sau)"

SCOPE_VI = {"own": "Báo cáo của đơn vị", "consolidated": "Tổng hợp đơn vị trực thuộc"}

ROW_COLUMNS = (
    # header, width
    ("STT", 6),
    ("Sheet", 12),
    ("Dòng", 7),
    ("Phạm vi", 16),
    ("Mã đơn vị", 11),
    ("Mã chỉ tiêu", 24),
    ("Tên chỉ tiêu", 28),
    ("Tử số", 11),
    ("Mẫu số", 11),
    ("Lỗi", 28),
    ("Chi tiết", 36),
    ("Cách sửa", 40),
)
WARNING_COLUMNS = (("STT", 6), ("Sheet", 12), ("Dòng", 7), ("Nội dung cảnh báo", 45),
                   ("Chi tiết", 50), ("Cách xử lý", 50))  # fmt: skip

# Header block on PhanHoi: two label/value pairs per row, as column spans (1-based).
LEFT_LABEL, LEFT_VALUE, RIGHT_LABEL, RIGHT_VALUE, WIDE_VALUE = (1, 3), (4, 7), (8, 9), (10, 12), (4, 12)

FONT = "Times New Roman"
F_TITLE = Font(name=FONT, size=14, bold=True, color="1F3864")
F_SECTION = Font(name=FONT, size=12, bold=True, color="1F3864")
F_LABEL = Font(name=FONT, size=11, bold=True)
F_TEXT = Font(name=FONT, size=11)
F_STRONG = Font(name=FONT, size=11, bold=True, color="C00000")
F_NOTE = Font(name=FONT, size=10, italic=True)
F_HEAD = Font(name=FONT, size=11, bold=True, color="FFFFFF")
FILL_HEAD = PatternFill("solid", fgColor="1F3864")
FILL_LABEL = PatternFill("solid", fgColor="D9E1F2")
FILL_REJECT = PatternFill("solid", fgColor="FCE4D6")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --- reading ------------------------------------------------------------------------------


@dataclass
class Submission:
    submission_id: str
    file_path: str
    file_format: str | None
    unit_code: str | None
    month: date | None
    report_date: datetime | None
    status: str
    reason_code: str | None
    rows_total: int | None
    rows_accepted: int | None
    rows_quarantined: int | None
    ingested_at: datetime | None
    reason_detail: str | None
    reported_unit_name: str | None
    preparer: str | None
    rows: list[tuple] = field(default_factory=list)
    warnings: list[tuple] = field(default_factory=list)


def _table_exists(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _reason_texts(con) -> dict[str, tuple[str, str]]:
    """reason/warning code -> (message_vi, fix_vi): the warehouse's, else the code's own."""
    from dagster_project.ingest.reasons import REASONS

    texts = {code: (r.message_vi, r.fix_vi) for code, r in REASONS.items()}
    if _table_exists(con, "reference", "reason_codes"):
        for code, message, fix in con.execute(
            "select reason_code, message_vi, fix_vi from reference.reason_codes"
        ).fetchall():
            texts[code] = (message or texts.get(code, ("", ""))[0], fix or texts.get(code, ("", ""))[1])
    return texts


def _unit_rows(con) -> dict[str, list[tuple]]:
    units: dict[str, list[tuple]] = {}
    if _table_exists(con, "marts", "dim_org_unit"):
        for code, name, start, end in con.execute(
            "select unit_code, unit_name, active_from, active_to from marts.dim_org_unit"
        ).fetchall():
            units.setdefault(code, []).append((start or date.min, end, name))
    for rows in units.values():
        rows.sort(key=lambda r: r[0])
    return units


def unit_name(units: dict[str, list[tuple]], code: str | None, month: date | None) -> str | None:
    """The registry name: the row active in the month, else the latest row."""
    rows = units.get(code or "")
    if not rows:
        return None
    if month is not None:
        month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        covering = [r for r in rows if r[0] <= month_end and (r[1] is None or r[1] >= month)]
        if covering:
            return covering[-1][2]
    return rows[-1][2]


def _kpi_names(con) -> dict[str, str]:
    if not _table_exists(con, "marts", "dim_kpi"):
        return {}
    return dict(con.execute("select kpi_code, name_vi from marts.dim_kpi").fetchall())


def load_submissions(con, include_warnings: bool = True) -> list[Submission]:
    """Submissions needing feedback, with their quarantined rows and warnings, in
    file-path order."""
    has_warnings = include_warnings and _table_exists(con, "audit", "warnings")
    warning_clause = (
        "or exists (select 1 from audit.warnings w where w.submission_id = s.submission_id)"
        if has_warnings
        else ""
    )
    subs = [
        Submission(*row)
        for row in con.execute(
            f"""
            select submission_id, file_path, file_format, unit_code, month, report_date, status,
                   reason_code, rows_total, rows_accepted, rows_quarantined, ingested_at,
                   reason_detail, reported_unit_name, preparer
            from audit.submissions s
            where s.status = 'rejected'
               or exists (select 1 from audit.quarantine_rows q where q.submission_id = s.submission_id)
               {warning_clause}
            order by file_path, submission_id
            """
        ).fetchall()
    ]
    by_id = {s.submission_id: s for s in subs}
    for row in con.execute(
        """
        select submission_id, sheet, row_number, scope, unit_code, kpi_code, reason_code,
               detail, raw_numerator, raw_denominator, message_vi, fix_vi
        from audit.quarantine_rows
        order by submission_id, case scope when 'own' then 0 else 1 end, sheet nulls first,
                 row_number, kpi_code, reason_code
        """
    ).fetchall():
        if row[0] in by_id:
            by_id[row[0]].rows.append(row[1:])
    if has_warnings:
        for row in con.execute(
            """
            select submission_id, sheet, row_number, warning_code, detail
            from audit.warnings
            order by submission_id, sheet nulls first, row_number nulls first, warning_code, detail
            """
        ).fetchall():
            if row[0] in by_id:
                by_id[row[0]].warnings.append(row[1:])
    return subs


# --- naming -------------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics (đ -> d), other non-ASCII dropped."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def safe_stem(file_path: str | None) -> str:
    """A file-name stem from a received path (relative, `/`-separated): its last component
    without extension, ASCII letters, digits, `_` and `-` only (a backslash or `..` cannot
    survive), bounded; never empty."""
    name = (file_path or "").split("/")[-1]
    name = re.sub(r"(?<=[^.])\.[^.]*$", "", name)  # the extension, unless the name is only one
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_fold(name))
    stem = re.sub(r"_{2,}", "_", stem).strip("_-")[:MAX_STEM].strip("_-")
    return stem or "tep"


# Names Windows reserves (feedback folders are often shared to Windows machines).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def unit_folder(unit_code: str | None) -> str:
    """The unit's folder: its code when that is a plain, portable name, else khong_ro_don_vi."""
    code = (unit_code or "").strip()
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,31}", code) and code.lower() not in _RESERVED:
        return code
    return UNKNOWN_UNIT_DIR


def feedback_path(feedback_root: Path, sub: Submission, taken: set[Path]) -> Path:
    """Where a submission's workbook goes; raises ValueError if it would leave the root.

    The folder is resolved (a symlinked folder pointing elsewhere is refused); the file
    itself is replaced, never written through, by `atomic_save`."""
    root = feedback_root.resolve()
    folder = (root / unit_folder(sub.unit_code)).resolve()
    if not folder.is_relative_to(root) or folder == root:
        raise ValueError(f"feedback folder escapes {root}: {folder}")
    stem = safe_stem(sub.file_path)
    ident = re.sub(r"[^A-Za-z0-9]", "", sub.submission_id) or "x"
    path = folder / f"{stem}_{ident[:SHORT_ID]}.xlsx"
    if path in taken:  # two files with one name and the same id prefix: use the whole id
        path = folder / f"{stem}_{ident}.xlsx"
    if path.parent != folder or path.name in {".", ".."}:
        raise ValueError(f"feedback path escapes {folder}: {path}")
    return path


# --- formatting ---------------------------------------------------------------------------


def fmt_month(month: date | None) -> str:
    return f"Tháng {month.month}/{month.year}" if month else "Không xác định được"


def fmt_report_date(value: datetime | date | None) -> str:
    if value is None:
        return "Không xác định được"
    if isinstance(value, datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def fmt_received(value: datetime | None) -> str:
    if value is None:
        return DASH
    return (value + VN_OFFSET).strftime("%d/%m/%Y %H:%M") + " (giờ Việt Nam)"


def status_vi(sub: Submission) -> str:
    if sub.status == "rejected":
        return STATUS_REJECTED
    text = STATUS_QUARANTINED if sub.rows else STATUS_WARNINGS
    return text + (SUPERSEDED_SUFFIX if sub.status == "superseded" else "")


def next_step_vi(sub: Submission) -> str:
    if sub.status == "rejected":
        return (
            "Toàn bộ tệp KHÔNG được tiếp nhận, chưa có số liệu nào được ghi nhận. Sửa lỗi nêu "
            "ở mục LÝ DO TỪ CHỐI dưới đây rồi gửi lại toàn bộ tệp."
        )
    if sub.status == "superseded":
        return (
            "Báo cáo này đã được thay thế bằng một báo cáo cùng kỳ có ngày báo cáo muộn hơn của "
            "đơn vị; chỉ cần xử lý nếu báo cáo gửi sau còn các lỗi tương tự."
        )
    if sub.rows:
        return (
            "Số liệu của các dòng liệt kê dưới đây CHƯA được ghi nhận; các dòng khác đã được "
            "tiếp nhận. Sửa các dòng này trong tệp đã gửi, ghi Ngày báo cáo mới (ngày sửa) rồi "
            "gửi lại TOÀN BỘ tệp: báo cáo gửi sau thay thế toàn bộ báo cáo này."
        )
    return (
        "Báo cáo đã được tiếp nhận đầy đủ. Đề nghị xem các cảnh báo ở sheet CanhBao và kiểm "
        "tra lại; không bắt buộc gửi lại."
    )


def rows_summary_vi(sub: Submission) -> str:
    total = sub.rows_total or 0
    if sub.status == "rejected":
        return f"Đọc được {total} dòng chỉ tiêu; không dòng nào được tiếp nhận"
    return (
        f"Tổng số {total} dòng chỉ tiêu: {sub.rows_accepted or 0} dòng được tiếp nhận, "
        f"{sub.rows_quarantined or 0} dòng bị loại"
    )


def unit_vi(sub: Submission, name: str | None) -> str:
    if not sub.unit_code:
        if sub.reason_code == "missing_unit_code":
            return "Không xác định được (báo cáo không ghi mã đơn vị)"
        return "Không xác định được (không đọc được mã đơn vị từ tệp)"
    return f"{sub.unit_code} – {name}" if name else f"{sub.unit_code} (không có trong danh mục đơn vị)"


def shown(value) -> str:
    """A raw value as sent; an empty one as '(trống)'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    return value if isinstance(value, str) else str(value)


def line_count(text: str, width: float) -> int:
    """Lines `text` needs in a wrapped cell `width` characters wide (generous estimate)."""
    per_line = max(1, int(width * 1.05))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


# --- writing ------------------------------------------------------------------------------


def _span_width(widths: list[float], span: tuple[int, int]) -> float:
    return sum(widths[span[0] - 1 : span[1]])


def _merged(ws: Worksheet, row: int, span: tuple[int, int], value, **style):
    cell = write_cell(ws, row, span[0], value, **style)
    if span[1] > span[0]:  # openpyxl carries the start cell's border round the merge
        ws.merge_cells(start_row=row, start_column=span[0], end_row=row, end_column=span[1])
    return cell


def _set_height(ws: Worksheet, row: int, lines: int, font_size: float = 11) -> None:
    ws.row_dimensions[row].height = round(max(1, lines) * font_size * 1.35 + 3, 1)


def _print_setup(ws: Worksheet, title_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.size = 9
    ws.oddHeader.right.text = "Phiếu phản hồi Đề án 06"
    ws.oddHeader.right.size = 9


def _table_header(ws: Worksheet, row: int, columns) -> None:
    for col, (label, _) in enumerate(columns, start=1):
        write_cell(ws, row, col, label, font=F_HEAD, fill=FILL_HEAD, border=BOX, alignment=HEAD_ALIGN)
    ws.row_dimensions[row].height = 32


def _write_main_sheet(ws: Worksheet, sub: Submission, name: str | None, reasons, kpi_names) -> int:
    widths = [w for _, w in ROW_COLUMNS]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = len(ROW_COLUMNS)

    _merged(ws, 1, (1, last), TITLE, font=F_TITLE, alignment=TITLE_ALIGN)
    ws.row_dimensions[1].height = 30
    pairs = [
        ("Đơn vị", unit_vi(sub, name), "Kỳ báo cáo", fmt_month(sub.month)),
        ("Tệp đã nhận", sub.file_path, "Ngày báo cáo", fmt_report_date(sub.report_date)),
        ("Tên đơn vị ghi trong báo cáo", shown(sub.reported_unit_name) if sub.reported_unit_name else DASH,
         "Thời điểm tiếp nhận, xử lý", fmt_received(sub.ingested_at)),
        ("Người lập biểu", sub.preparer or DASH, "Mã tiếp nhận", sub.submission_id[:SHORT_ID]),
        ("Trạng thái", status_vi(sub), "Số dòng", rows_summary_vi(sub)),
    ]  # fmt: skip
    row = 3
    for left_label, left_value, right_label, right_value in pairs:
        status_row = left_label == "Trạng thái"
        value_font = F_STRONG if status_row else F_TEXT
        _merged(ws, row, LEFT_LABEL, left_label, font=F_LABEL, fill=FILL_LABEL, border=BOX, alignment=WRAP)
        _merged(ws, row, LEFT_VALUE, left_value, font=value_font, border=BOX, alignment=WRAP)
        _merged(ws, row, RIGHT_LABEL, right_label, font=F_LABEL, fill=FILL_LABEL, border=BOX, alignment=WRAP)
        _merged(ws, row, RIGHT_VALUE, right_value, font=F_TEXT, border=BOX, alignment=WRAP)
        lines = max(
            line_count(left_label, _span_width(widths, LEFT_LABEL)),
            line_count(left_value, _span_width(widths, LEFT_VALUE)),
            line_count(right_label, _span_width(widths, RIGHT_LABEL)),
            line_count(right_value, _span_width(widths, RIGHT_VALUE)),
        )
        _set_height(ws, row, lines)
        row += 1
    step = next_step_vi(sub)
    _merged(ws, row, LEFT_LABEL, "Việc cần làm", font=F_LABEL, fill=FILL_LABEL, border=BOX, alignment=WRAP)
    _merged(ws, row, WIDE_VALUE, step, font=F_LABEL, border=BOX, alignment=WRAP)
    _set_height(ws, row, line_count(step, _span_width(widths, WIDE_VALUE)))
    row += 2

    if sub.status == "rejected":
        message, fix = reasons.get(sub.reason_code or "", ("", ""))
        _merged(ws, row, (1, last), "LÝ DO TỪ CHỐI", font=F_SECTION)
        row += 1
        for label, value in (
            ("Lỗi", message or f"Lỗi không xác định ({sub.reason_code or DASH})"),
            ("Chi tiết", sub.reason_detail or DASH),
            ("Cách sửa", fix or "Liên hệ cán bộ tiếp nhận báo cáo để được hướng dẫn."),
        ):
            _merged(ws, row, LEFT_LABEL, label, font=F_LABEL, fill=FILL_REJECT, border=BOX, alignment=WRAP)
            _merged(ws, row, WIDE_VALUE, value, font=F_TEXT, border=BOX, alignment=WRAP)
            _set_height(ws, row, line_count(value, _span_width(widths, WIDE_VALUE)))
            row += 1
        row += 1
        if not sub.rows:
            _print_setup(ws, None)
            return row

    _merged(ws, row, (1, last), f"CÁC DÒNG BỊ LOẠI ({len(sub.rows)} dòng, chưa được tính vào số liệu)",
            font=F_SECTION)  # fmt: skip
    row += 1
    header_row = row
    _table_header(ws, header_row, ROW_COLUMNS)
    row += 1
    if not sub.rows:
        _merged(ws, row, (1, last), "Không có dòng nào bị loại.", font=F_TEXT, border=BOX, alignment=WRAP)
        row += 1
    for n, q in enumerate(sub.rows, start=1):
        sheet, row_number, scope, unit, kpi, code, detail, num, den, message, fix = q
        fallback = reasons.get(code or "", ("", ""))
        kpi_name = kpi_names.get(kpi or "") if kpi else ""
        if kpi and kpi_name is None:
            kpi_name = "(không có trong danh mục chỉ tiêu)"
        values = (
            n,
            sheet if sheet else DASH,
            row_number,
            SCOPE_VI.get(scope or "", scope or DASH),
            unit or EMPTY,
            kpi if kpi else EMPTY,
            kpi_name,
            shown(num),
            shown(den),
            message or fallback[0] or code,
            detail or DASH,
            fix or fallback[1] or DASH,
        )
        for col, value in enumerate(values, start=1):
            align = WRAP_CENTER if col in (1, 3) else WRAP
            write_cell(ws, row, col, value, font=F_TEXT, border=BOX, alignment=align)
        row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    row += 1
    notes = ["Tử số, Mẫu số: giá trị đúng như trong tệp đã gửi; (trống) là ô để trống."]
    fmt = (sub.file_format or "").lower()
    if fmt == "csv":
        notes.append("Dòng: số dòng trong tệp CSV (dòng tiêu đề là dòng 1).")
    elif fmt == "json":
        notes.append("Sheet: mảng chi_tieu hoặc tong_hop; Dòng: thứ tự phần tử trong mảng (bắt đầu từ 1).")
    else:
        notes.append("Dòng: số thứ tự dòng trong sheet Excel (số ở lề trái khi mở tệp bằng Excel).")
    for note in notes:
        _merged(ws, row, (1, last), note, font=F_NOTE, alignment=WRAP)
        row += 1
    _print_setup(ws, header_row)
    return row


def _write_warning_sheet(ws: Worksheet, sub: Submission, name: str | None, reasons) -> None:
    for col, (_, width) in enumerate(WARNING_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = len(WARNING_COLUMNS)
    _merged(ws, 1, (1, last), "CẢNH BÁO (những điểm cần kiểm tra lại; cảnh báo không làm loại dòng nào)",
            font=F_TITLE, alignment=TITLE_ALIGN)  # fmt: skip
    ws.row_dimensions[1].height = 30
    about = f"Đơn vị: {unit_vi(sub, name)}. Kỳ báo cáo: {fmt_month(sub.month)}. Tệp: {sub.file_path}"
    _merged(ws, 2, (1, last), about, font=F_TEXT, alignment=WRAP)
    _set_height(ws, 2, line_count(clean_text(about), sum(w for _, w in WARNING_COLUMNS)))
    header_row = 4
    _table_header(ws, header_row, WARNING_COLUMNS)
    row = header_row + 1
    if not sub.warnings:
        _merged(ws, row, (1, last), "Không có cảnh báo.", font=F_TEXT, border=BOX, alignment=WRAP)
    for n, (sheet, row_number, code, detail) in enumerate(sub.warnings, start=1):
        message, fix = reasons.get(code or "", ("", ""))
        values = (
            n,
            sheet if sheet else DASH,
            row_number if row_number is not None else DASH,
            message or code,
            detail or DASH,
            fix or DASH,
        )
        for col, value in enumerate(values, start=1):
            align = WRAP_CENTER if col in (1, 3) else WRAP
            write_cell(ws, row, col, value, font=F_TEXT, border=BOX, alignment=align)
        row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, header_row)


def build_workbook(sub: Submission, name: str | None, reasons, kpi_names) -> Workbook:
    book = Workbook()
    main = book.active
    main.title = MAIN_SHEET
    _write_main_sheet(main, sub, name, reasons, kpi_names)
    _write_warning_sheet(book.create_sheet(WARNING_SHEET), sub, name, reasons)
    book.active = 0
    book.properties.title = TITLE
    book.properties.creator = "Kho dữ liệu Đề án 06 ngành Giáo dục"
    book.properties.language = "vi-VN"
    return book


def write_all_feedback(
    con: duckdb.DuckDBPyConnection, reports_dir: Path, include_warnings: bool = True
) -> dict:
    """Write every feedback workbook under `reports_dir/feedback` (see the module doc).

    `include_warnings`: also write a workbook for an accepted submission whose only issues
    are warnings. Returns counts: workbooks (written or already up to date), changed
    (actually rewritten), rejected, rows_listed, warnings_listed, removed (stale files),
    and paths (the workbooks, sorted).
    """
    root = Path(reports_dir) / FEEDBACK_DIR
    counts = {"workbooks": 0, "changed": 0, "rejected": 0, "rows_listed": 0,
              "warnings_listed": 0, "removed": 0, "paths": []}  # fmt: skip
    if not _table_exists(con, "audit", "submissions"):
        return counts
    root.mkdir(parents=True, exist_ok=True)
    reasons = _reason_texts(con)
    units = _unit_rows(con)
    kpi_names = _kpi_names(con)
    written: set[Path] = set()
    for sub in load_submissions(con, include_warnings):
        path = feedback_path(root, sub, written)
        book = build_workbook(sub, unit_name(units, sub.unit_code, sub.month), reasons, kpi_names)
        path.parent.mkdir(parents=True, exist_ok=True)
        if atomic_save(book, path, stamp=sub.ingested_at):
            counts["changed"] += 1
        written.add(path)
        counts["workbooks"] += 1
        counts["rejected"] += sub.status == "rejected"
        counts["rows_listed"] += len(sub.rows)
        counts["warnings_listed"] += len(sub.warnings)
    counts["removed"] = _remove_stale(root.resolve(), written)
    counts["paths"] = sorted(str(p) for p in written)
    return counts


def _remove_stale(root: Path, keep: set[Path]) -> int:
    """Delete workbooks (and interrupted temp files) under root not in `keep`, then empty
    folders. Symlinks are removed as links, never followed."""
    removed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink() or path.is_file():
            temp = is_temp_file(path)
            if temp or (path.suffix.lower() == ".xlsx" and path not in keep):
                path.unlink()
                removed += not temp
        elif path.is_dir():
            try:
                path.rmdir()  # only succeeds when empty
            except OSError:
                pass
    return removed
