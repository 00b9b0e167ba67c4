"""Builders of real submissions for the tests: .xlsx (openpyxl), CSV and JSON bytes.

Nothing binary is committed: every test builds the file it reads. Also a small registry
that covers the cases the rules care about (a district, its schools, the July 2025
reorganisation, a closed school, a school opened mid-month, another province).
"""

import csv
import io
import json
from datetime import date

import openpyxl

from dagster_project.ingest.model import Limits
from dagster_project.ingest.process import process_file
from dagster_project.ingest.registry import Registry

# --- registry ----------------------------------------------------------------------------

REGISTRY_COLUMNS = (
    "unit_code", "unit_name", "unit_type", "parent_code", "school_level",
    "active_from", "active_to", "successor_code",
)  # fmt: skip

REGISTRY_ROWS = [
    # code, name, type, parent, level, from, to, successor
    ("22", "Sở GDĐT Quảng Ninh", "province", "", "", "2000-01-01", "", ""),
    ("193", "Phòng GDĐT Hạ Long", "district", "22", "", "2000-01-01", "2025-06-30", ""),
    ("06700", "Phường Hạ Long", "commune", "22", "", "2025-07-01", "", ""),
    ("06688", "Trường THCS Hạ Long", "school", "193", "thcs", "2010-01-01", "2025-06-30", ""),
    ("06688", "Trường THCS Hạ Long", "school", "06700", "thcs", "2025-07-01", "", ""),
    ("06689", "Trường Tiểu học Cao Xanh", "school", "193", "tieu_hoc", "2010-01-01", "2025-06-30", ""),
    ("06689", "Trường Tiểu học Cao Xanh", "school", "06700", "tieu_hoc", "2025-07-01", "", ""),
    ("06690", "Trường Mầm non Hoa Mai", "school", "193", "mam_non", "2025-03-15", "2025-06-30", ""),
    ("99999", "Trường Tiểu học Cũ", "school", "193", "tieu_hoc", "2010-01-01", "2024-12-31", ""),
    ("74", "Sở GDĐT Bình Dương", "province", "", "", "2000-01-01", "2025-06-30", "79"),
    ("79", "Sở GDĐT TP Hồ Chí Minh", "province", "", "", "2000-01-01", "", ""),
    ("718", "Phòng GDĐT Thủ Dầu Một", "district", "74", "", "2000-01-01", "2025-06-30", ""),
    ("74001", "Trường THPT Thủ Dầu Một", "school", "718", "thpt", "2010-01-01", "", ""),
]


def registry_csv(rows=REGISTRY_ROWS, columns=REGISTRY_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row[: len(columns)])
    return out.getvalue().encode("utf-8")


def registry() -> Registry:
    return Registry.from_rows([dict(zip(REGISTRY_COLUMNS, row)) for row in REGISTRY_ROWS])


# --- workbooks ---------------------------------------------------------------------------

DEFAULT_ROWS = [
    ("TTHC_HS_TRUC_TUYEN", 812, 1000),
    ("CSGD_CHU_KY_SO", 40, 42),
    ("DV_KDTM", "Có", None),
]
DEFAULT_COLUMNS = ("STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ (%)", "Ghi chú")
CONSOLIDATED_COLUMNS = ("STT", "Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu", "Tử số", "Mẫu số")

_ROLE_OF_COLUMN = {
    "Mã chỉ tiêu": "kpi", "Ma chi tieu": "kpi", "MÃ CHỈ TIÊU": "kpi",
    "Mã đơn vị": "unit",
    "Tử số": "num", "Số đạt": "num", "Số lượng đạt": "num",
    "Mẫu số": "den", "Tổng số": "den",
    "Tỷ lệ (%)": "rate", "Tỷ lệ": "rate",
    "Ghi chú": "note",
}  # fmt: skip


def _role(column: str) -> str | None:
    from dagster_project.ingest.normalize import label_key

    for name, role in _ROLE_OF_COLUMN.items():
        if label_key(name) == label_key(column):
            return role
    return None


def _as_dict(row, consolidated: bool) -> dict:
    if isinstance(row, dict):
        return row
    if consolidated:
        unit, kpi, num, den = row[:4]
        return {"unit": unit, "kpi": kpi, "num": num, "den": den}
    kpi, num, den = row[:3]
    return {"kpi": kpi, "num": num, "den": den, **({"rate": row[3]} if len(row) > 3 else {})}


def table(rows, columns, consolidated=False) -> list[list]:
    """Header row plus one row per figure, cells placed by the columns' roles."""
    grid = [list(columns)]
    for n, row in enumerate(rows, start=1):
        values = _as_dict(row, consolidated)
        line = []
        for column in columns:
            role = _role(column)
            if column in values:
                line.append(values[column])
            elif column == "STT":
                line.append(values.get("stt", n))
            else:
                line.append(values.get(role) if role is not None else None)
        grid.append(line)
    return grid


def report_grid(
    unit_code="06688",
    unit_name="Trường THCS Hạ Long",
    period="Tháng 3/2025",
    report_date="05/04/2025",
    preparer="Nguyễn Văn A",
    rows=DEFAULT_ROWS,
    columns=DEFAULT_COLUMNS,
    labels=("Mã đơn vị:", "Tên đơn vị:", "Kỳ báo cáo:", "Ngày báo cáo:", "Người lập biểu:"),
    label_gap=1,
    trailer=(),
    title="BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 06",
) -> list[list]:
    """The BaoCao sheet: title, label cells (value `label_gap` cells to the right), a blank
    row, the table, then `trailer` rows (e.g. a Tổng cộng row and rows after it)."""
    values = (unit_code, unit_name, period, report_date, preparer)
    grid: list[list] = [[title]] if title is not None else []
    for label, value in zip(labels, values):
        if label is None:
            continue
        grid.append([label] + [None] * (label_gap - 1) + [value])
    grid.append([])
    grid.extend(table(rows, columns))
    grid.extend(list(r) for r in trailer)
    return grid


def consolidated_grid(rows, columns=CONSOLIDATED_COLUMNS, title="TỔNG HỢP SỐ LIỆU ĐƠN VỊ TRỰC THUỘC"):
    return [[title], []] + table(rows, columns, consolidated=True)


def xlsx_bytes(
    sheets: dict[str, list[list]],
    origins: dict[str, tuple[int, int]] | None = None,
    merges: dict[str, list[str]] | None = None,
    number_formats: dict[str, dict[str, str]] | None = None,
) -> bytes:
    """A real workbook: each grid written from its origin (row, column; 1-based)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, grid in sheets.items():
        sheet = book.create_sheet(name)
        top, left = (origins or {}).get(name, (1, 1))
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.cell(row=top + r, column=left + c, value=value)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
        for ref, fmt in (number_formats or {}).get(name, {}).items():
            sheet[ref].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def school_xlsx(consolidated=None, sheet_name="BaoCao", origin=(1, 1), merges=None,
                consolidated_sheet="TongHop", extra_sheets=None, **kw) -> bytes:
    sheets = dict(extra_sheets or {})
    sheets[sheet_name] = report_grid(**kw)
    if consolidated is not None:
        sheets[consolidated_sheet] = consolidated_grid(consolidated)
    return xlsx_bytes(sheets, origins={sheet_name: origin}, merges={sheet_name: merges or []})


def rewrite_zip(data: bytes, replace: dict[str, bytes] | None = None,
                add: dict[str, bytes] | None = None, compression=None) -> bytes:
    """Copy a workbook's zip, replacing or adding members (raw XML surgery for tests)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression or zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


# --- CSV and JSON ------------------------------------------------------------------------

CSV_COLUMNS = (
    "ma_don_vi_bao_cao", "ky_bao_cao", "ngay_bao_cao", "pham_vi", "ma_don_vi",
    "ma_chi_tieu", "tu_so", "mau_so", "ghi_chu",
)  # fmt: skip


def csv_bytes(records, columns=CSV_COLUMNS, bom=False, encoding="utf-8", header=True) -> bytes:
    """records: dicts by column name, or tuples in `columns` order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    for record in records:
        if isinstance(record, dict):
            writer.writerow([record.get(c, "") for c in columns])
        else:
            writer.writerow(record)
    text = out.getvalue()
    if encoding == "utf-16":
        return text.encode("utf-16")  # with a BOM
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def csv_record(kpi, num, den, sender="22", period="2025-03", report_date="2025-04-09",
               scope="own", unit="", note="") -> dict:
    return {
        "ma_don_vi_bao_cao": sender, "ky_bao_cao": period, "ngay_bao_cao": report_date,
        "pham_vi": scope, "ma_don_vi": unit, "ma_chi_tieu": kpi, "tu_so": num,
        "mau_so": den, "ghi_chu": note,
    }  # fmt: skip


def json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def json_doc(chi_tieu=None, tong_hop=None, unit="22", period="2025-03", report_date="2025-04-09"):
    doc = {"ma_don_vi": unit, "ky_bao_cao": period, "ngay_bao_cao": report_date,
           "chi_tieu": chi_tieu if chi_tieu is not None else [
               {"ma_chi_tieu": "TTHC_HS_TRUC_TUYEN", "tu_so": 812, "mau_so": 1000}]}
    if tong_hop is not None:
        doc["tong_hop"] = tong_hop
    return doc


# --- running ----------------------------------------------------------------------------

LIMITS = Limits()


def run(data: bytes | None, name: str = "bao_cao.xlsx", reg: Registry | None = None,
        limits: Limits = LIMITS, size: int | None = None):
    """process_file on bytes, as the lead's asset calls it."""
    import hashlib

    return process_file(
        data=data,
        rel_path=name,
        registry=reg or registry(),
        limits=limits,
        size=len(data) if size is None and data is not None else (size or 0),
        submission_id=hashlib.sha256(data or b"").hexdigest(),
    )


def quarantine_by_row(result) -> dict[int, str]:
    return {q.row_number: q.reason_code for q in result.quarantined}


def figures_by_kpi(result, scope="own") -> dict[str, tuple[int, int]]:
    return {f.kpi_code: (f.numerator, f.denominator) for f in result.figures if f.scope == scope}


MARCH = date(2025, 3, 1)
