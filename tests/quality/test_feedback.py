"""Feedback workbooks, end to end: real submissions through the real pipeline, then
`write_all_feedback` on a read-only connection, then the workbooks reopened.

The inbox (one pipeline run for the module):
- a school workbook, named with Vietnamese letters, spaces, `..` and backslashes, with one
  good row and rows for three different errors, plus two rows whose text starts with `=`
  (stored as text cells in the source, as a clerk typing `'=1+1` would get), a unit name
  that reads like a formula (unit_name_mismatch) and a late report date (late_submission);
- a `.txt` file (unsupported_format), named with `..` and backslashes;
- a workbook whose unit code is `../../thoat` (unknown_unit).
"""

import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.ingest.reasons import REASONS
from dagster_project.quality import feedback as fb
from dagster_project.quality.xlsx_safe import atomic_save, needs_quote_prefix, write_cell
from support import workbooks as wb
from support.pipeline import Workspace

SCHOOL_FILE = "truong/Báo cáo tháng 3 Hạ Long ..\\..\\x.xlsx"
TXT_FILE = "truong/bao cao ..\\..\\thoát ra.txt"
UNKNOWN_FILE = "truong/ma_la.xlsx"

KPI_FORMULA = '=HYPERLINK("http://x","y")'
NUM_FORMULA = "=1+1"
NAME_FORMULA = "=cmd|' /C calc'!A0"

# The BaoCao sheet `report_grid` builds: title (row 1), five label rows (2-6), a blank
# row (7), the table header (8), then one row per figure from row 9.
ROWS = [
    ("TTHC_HS_TRUC_TUYEN", 812, 1000),  # 9: good
    ("CSGD_CHU_KY_SO", "12,5", 42),  # 10: non_numeric
    ("TTHC_HAI_LONG", -3, 10),  # 11: negative_value
    ("TTHC_SO_HOA_HO_SO", 50, 40),  # 12: numerator_exceeds_denominator
    ("KPI_PLACEHOLDER", 1, 2),  # 13: unknown_kpi, code written as text '=HYPERLINK(...)'
    ("TTHC_KET_QUA_DIEN_TU", "NUM_PLACEHOLDER", 5),  # 14: non_numeric, numerator '=1+1'
]
EXPECTED = {
    10: ("CSGD_CHU_KY_SO", "12,5", "42", "non_numeric"),
    11: ("TTHC_HAI_LONG", "-3", "10", "negative_value"),
    12: ("TTHC_SO_HOA_HO_SO", "50", "40", "numerator_exceeds_denominator"),
    13: (KPI_FORMULA, "1", "2", "unknown_kpi"),
    14: ("TTHC_KET_QUA_DIEN_TU", NUM_FORMULA, "5", "non_numeric"),
}
PLACEHOLDERS = {"KPI_PLACEHOLDER": KPI_FORMULA, "NUM_PLACEHOLDER": NUM_FORMULA, "NAME_PLACEHOLDER": NAME_FORMULA}


def with_text_cells(data: bytes) -> bytes:
    """Replace placeholder cells with text that starts with '=' (string cells, not formulas)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for row in book["BaoCao"].iter_rows():
        for cell in row:
            if cell.value in PLACEHOLDERS:
                cell.value = PLACEHOLDERS[cell.value]
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("feedback"))
    ws.write("reference/org_units.csv", wb.registry_csv())
    ws.write("reference/kpi_targets.csv", "kpi_code,area_code,year,target\nTTHC_HS_TRUC_TUYEN,*,2025,0.80\n")
    school = wb.school_xlsx(
        unit_code="06688", unit_name="NAME_PLACEHOLDER", period="Tháng 3/2025",
        report_date="07/04/2025 09:15", rows=ROWS,
    )  # fmt: skip
    ws.write(SCHOOL_FILE, with_text_cells(school))
    ws.write(TXT_FILE, "Mã đơn vị: 06688\n")
    ws.write(UNKNOWN_FILE, wb.school_xlsx(unit_code="../../thoat"))
    ws.run()
    return ws


def write_feedback(ws: Workspace, reports: Path) -> dict:
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return fb.write_all_feedback(con, reports)
    finally:
        con.close()


@pytest.fixture(scope="module")
def result(ws) -> dict:
    return write_feedback(ws, ws.reports)


def submission_id(ws, file_path) -> str:
    return ws.one("select submission_id from audit.submissions where file_path = ?", [file_path])[0]


def workbook_for(ws, result, file_path):
    sid = submission_id(ws, file_path)
    [path] = [p for p in result["paths"] if Path(p).stem.endswith("_" + sid[:8])]
    return Path(path), openpyxl.load_workbook(path)


HEADER_LABELS = {
    "Đơn vị", "Kỳ báo cáo", "Tệp đã nhận", "Ngày báo cáo", "Tên đơn vị ghi trong báo cáo",
    "Thời điểm tiếp nhận, xử lý", "Người lập biểu", "Mã tiếp nhận", "Trạng thái", "Số dòng",
    "Việc cần làm", "Lỗi", "Chi tiết", "Cách sửa",
}  # fmt: skip


def labelled(sheet) -> dict[str, object]:
    """Header block (above any table): label -> the next non-empty cell on its row."""
    out = {}
    for row in sheet.iter_rows():
        if row[0].value == "STT":
            break
        cells = [c for c in row if c.value is not None]
        for label, value in zip(cells, cells[1:]):
            if label.value in HEADER_LABELS:
                out[label.value] = value.value
    return out


def table(sheet) -> tuple[list, list[dict]]:
    """The table under the header row that starts with STT: (header cells, rows as dicts)."""
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "STT")
    headers = [c.value for c in header_row if c.value is not None]
    rows = []
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        if not isinstance(row[0].value, int):
            break
        rows.append({h: c for h, c in zip(headers, row)})
    return headers, rows


# --- the school workbook ------------------------------------------------------------------


def test_three_row_errors_listed_with_rows_raw_values_and_messages(ws, result):
    path, book = workbook_for(ws, result, SCHOOL_FILE)
    assert book.sheetnames == ["PhanHoi", "CanhBao"]
    sheet = book["PhanHoi"]
    assert sheet["A1"].value == fb.TITLE
    header = labelled(sheet)
    assert header["Đơn vị"] == "06688 – Trường THCS Hạ Long"
    assert header["Kỳ báo cáo"] == "Tháng 3/2025"
    assert header["Tệp đã nhận"] == SCHOOL_FILE
    assert header["Ngày báo cáo"] == "07/04/2025 09:15"
    assert header["Trạng thái"] == "Đã tiếp nhận, một số dòng bị loại"
    assert header["Thời điểm tiếp nhận, xử lý"].endswith("(giờ Việt Nam)")

    headers, rows = table(sheet)
    assert headers == [
        "STT", "Sheet", "Dòng", "Phạm vi", "Mã đơn vị", "Mã chỉ tiêu", "Tên chỉ tiêu",
        "Tử số", "Mẫu số", "Lỗi", "Chi tiết", "Cách sửa",
    ]  # fmt: skip
    by_line = {r["Dòng"].value: r for r in rows}
    assert sorted(by_line) == sorted(EXPECTED)  # the good row (9) is not listed
    assert [r["STT"].value for r in rows] == list(range(1, len(rows) + 1))
    for line, (kpi, num, den, code) in EXPECTED.items():
        row = by_line[line]
        assert row["Sheet"].value == "BaoCao"
        assert row["Phạm vi"].value == "Báo cáo của đơn vị"
        assert row["Mã đơn vị"].value == "06688"
        assert row["Mã chỉ tiêu"].value == kpi
        assert (row["Tử số"].value, row["Mẫu số"].value) == (num, den)
        assert row["Lỗi"].value == REASONS[code].message_vi
        assert row["Cách sửa"].value == REASONS[code].fix_vi
        assert row["Chi tiết"].value  # the specific sentence from the warehouse
    assert "12,5" in by_line[10]["Chi tiết"].value
    assert by_line[10]["Tên chỉ tiêu"].value == ws.one(
        "select name_vi from marts.dim_kpi where kpi_code = 'CSGD_CHU_KY_SO'"
    )[0]
    # The table header stays on screen and on every printed page.
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "STT")[0].row
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.column_dimensions["K"].width > 20
    assert by_line[10]["Chi tiết"].alignment.wrap_text


def test_warnings_sheet(ws, result):
    _, book = workbook_for(ws, result, SCHOOL_FILE)
    _, rows = table(book["CanhBao"])
    messages = {r["Nội dung cảnh báo"].value: r for r in rows}
    late = messages[REASONS["late_submission"].message_vi]
    assert late["Cách xử lý"].value == REASONS["late_submission"].fix_vi
    assert "07/04/2025" in late["Chi tiết"].value
    assert REASONS["unit_name_mismatch"].message_vi in messages
    assert book["CanhBao"].freeze_panes == "A5"


def test_text_from_the_submission_that_starts_with_equals_stays_text(ws, result):
    path, book = workbook_for(ws, result, SCHOOL_FILE)
    _, rows = table(book["PhanHoi"])
    by_line = {r["Dòng"].value: r for r in rows}
    for cell, text in ((by_line[13]["Mã chỉ tiêu"], KPI_FORMULA), (by_line[14]["Tử số"], NUM_FORMULA)):
        assert cell.data_type == "s" and cell.value == text
        assert cell.quotePrefix  # also safe when a user edits the cell or saves as CSV
    assert by_line[11]["Tử số"].quotePrefix  # '-3' too, shown unchanged
    assert labelled(book["PhanHoi"])["Tên đơn vị ghi trong báo cáo"] == NAME_FORMULA
    # No formula and no hyperlink anywhere, in any workbook written.
    for written in result["paths"]:
        reopened = openpyxl.load_workbook(written)
        for sheet in reopened:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (written, cell.coordinate, cell.value)
                    assert cell.hyperlink is None
        with zipfile.ZipFile(written) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = archive.read(name)
                    assert b"<f>" not in xml and b"<f " not in xml and b"hyperlink" not in xml
            assert not [n for n in archive.namelist() if "externalLink" in n]


# --- rejected files -----------------------------------------------------------------------


def test_rejected_file_names_its_reason_in_vietnamese(ws, result):
    path, book = workbook_for(ws, result, TXT_FILE)
    assert path.parent.name == fb.UNKNOWN_UNIT_DIR
    sheet = book["PhanHoi"]
    header = labelled(sheet)
    assert header["Trạng thái"] == "Bị từ chối"
    assert header["Tệp đã nhận"] == TXT_FILE
    assert header["Lỗi"] == REASONS["unsupported_format"].message_vi
    assert header["Cách sửa"] == REASONS["unsupported_format"].fix_vi
    assert ".txt" in header["Chi tiết"]
    assert any(c.value == "LÝ DO TỪ CHỐI" for row in sheet.iter_rows() for c in row)

    _, unknown = workbook_for(ws, result, UNKNOWN_FILE)
    header = labelled(unknown["PhanHoi"])
    assert header["Lỗi"] == REASONS["unknown_unit"].message_vi
    assert "../../thoat" in header["Chi tiết"]


def test_counts(ws, result):
    assert result["workbooks"] == 3
    assert result["rejected"] == 2
    assert result["rows_listed"] == len(EXPECTED)
    assert result["warnings_listed"] >= 2


# --- paths --------------------------------------------------------------------------------


def test_paths_stay_inside_reports_feedback(ws, result):
    root = (ws.reports / "feedback").resolve()
    for written in result["paths"]:
        path = Path(written)
        assert path.resolve().is_relative_to(root)
        assert path.resolve().parent.parent == root  # exactly <unit folder>/<file>
        assert ".." not in path.name and "\\" not in path.name and path.name.isascii()
        assert len(path.name.encode()) <= 120
    school, _ = workbook_for(ws, result, SCHOOL_FILE)
    assert school.parent.name == "06688"
    assert school.name.startswith("Bao_cao_thang_3_Ha_Long_")
    unknown, _ = workbook_for(ws, result, UNKNOWN_FILE)
    assert unknown.parent.name == fb.UNKNOWN_UNIT_DIR  # '../../thoat' is not a folder name
    on_disk = {str(p) for p in root.rglob("*.xlsx")}
    assert on_disk == set(result["paths"])


@pytest.mark.parametrize(
    "file_path, expected",
    [
        ("truong/Báo cáo tháng 3 Đồng Nai.xlsx", "Bao_cao_thang_3_Dong_Nai"),
        ("a/../../../etc/passwd", "passwd"),
        ("..", "tep"),
        ("x/..\\..\\..\\evil.csv", "evil"),
        ("x/" + "Trường " * 60 + ".json", None),
    ],
)
def test_safe_stem(file_path, expected):
    stem = fb.safe_stem(file_path)
    assert stem and ".." not in stem and "/" not in stem and "\\" not in stem
    assert len(stem) <= fb.MAX_STEM
    if expected:
        assert stem == expected


def test_unit_folder():
    assert fb.unit_folder("06688") == "06688"
    for bad in (None, "", "..", "../../x", "a/b", "-rf", "x" * 40, "Trường", "CON", "nul"):
        assert fb.unit_folder(bad) == fb.UNKNOWN_UNIT_DIR


# --- idempotence --------------------------------------------------------------------------


def test_rerun_rewrites_nothing_and_removes_stale_files(ws, result, tmp_path):
    reports = tmp_path / "reports"
    first = write_feedback(ws, reports)
    contents = {p: Path(p).read_bytes() for p in first["paths"]}
    stale = reports / "feedback" / "06688" / "old_abcdef12.xlsx"
    stale.write_bytes(b"stale")
    keep = reports / "feedback" / "ghi_chu.txt"
    keep.write_text("not ours")
    (reports / "feedback" / "99999").mkdir()
    (reports / "feedback" / "99999" / "gone_00000000.xlsx").write_bytes(b"x")

    second = write_feedback(ws, reports)
    assert second["changed"] == 0 and second["removed"] == 2
    assert {p: Path(p).read_bytes() for p in second["paths"]} == contents
    assert not stale.exists() and not (reports / "feedback" / "99999").exists()
    assert keep.exists()
    # Same warehouse, another folder: byte-identical files (no wall-clock time inside).
    assert {Path(p).relative_to(reports): b for p, b in contents.items()} == {
        Path(p).relative_to(ws.reports): Path(p).read_bytes() for p in result["paths"]
    }


# --- xlsx_safe ----------------------------------------------------------------------------


def test_write_cell_keeps_text_as_text(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    texts = ["=1+1", '=HYPERLINK("http://x","y")', "+84912", "-3", "@SUM(A1)", "\t=1", " =1",
             "#N/A", "http://example.com", "＝1+1", "bình thường", "="]  # fmt: skip
    for row, text in enumerate(texts, start=1):
        write_cell(sheet, row, 1, text)
    write_cell(sheet, len(texts) + 1, 1, "a\x00b\x1fc")
    write_cell(sheet, len(texts) + 2, 1, "x" * 40_000)
    write_cell(sheet, len(texts) + 3, 1, 42)
    path = tmp_path / "out.xlsx"
    assert atomic_save(book, path) is True
    assert atomic_save(book, path) is False  # same bytes: left alone
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temp file left
    back = openpyxl.load_workbook(path).active
    for row, text in enumerate(texts, start=1):
        cell = back.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert bool(cell.quotePrefix) == needs_quote_prefix(text)
        assert cell.hyperlink is None
    assert not back.cell(row=len(texts) - 1, column=1).quotePrefix  # 'bình thường'
    assert back.cell(row=len(texts) + 1, column=1).value == "a\ufffdb\ufffdc"
    assert len(back.cell(row=len(texts) + 2, column=1).value) == 32_767
    assert back.cell(row=len(texts) + 3, column=1).value == 42
