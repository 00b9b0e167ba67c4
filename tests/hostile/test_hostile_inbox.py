"""End to end (issue 7, items 1 and 4): one small workspace whose inbox holds good files,
the whole hostile set, a symlink to a valid workbook outside the workspace and names
with `..`, backslashes, spaces and decomposed (NFD) Vietnamese; the registry and one
submission are NFD with mixed case, and text that reads like a formula is sent in a
unit name. One real pipeline run (module fixture), then:

- every file has exactly one submission row with the expected status and reason;
- the good figures are in, the outside workbook's never are, nothing outside the
  workspace changed and nothing but sources, warehouse and reports exists in it;
- feedback workbooks land inside the reports folder whatever the file names;
- Vietnamese text is NFC with its diacritics in dims, raw, reports and feedback, and no
  workbook we write holds a formula.
"""

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from dagster_project.ingest.reasons import REASONS
from support import hostile as h
from support import story
from support import workbooks as wb
from support.pipeline import Workspace

S1, S2, S3, S4, S5 = story.S1, story.S2, story.S3, story.S4, story.S5
HS, CKS = story.HS, story.CKS
S1_NAME = "Trường Tiểu học Cao Xanh"  # NFC literal
SENT_NAME = "TRƯỜNG Tiểu học CAO XANH"
PROVINCE_NAME = "Sở GDĐT Quảng Ninh"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731

GOOD_FILE = "truong/Báo cáo tháng 1 Cao Xanh.xlsx"
PROBLEM_FILE = "truong/Lỗi ..\\..\\tháng 1 Hạ Long.xlsx"
LABELS = tuple(NFD(label) for label in ("MÃ ĐƠN VỊ:", "tên đơn vị", "KỲ BÁO CÁO", "Ngày Báo Cáo:", "NGƯỜI LẬP BIỂU"))

# file (NFC, relative to inbox/) -> (status in audit.submissions, reason_code)
EXPECTED = {
    GOOD_FILE: ("current", None),
    PROBLEM_FILE: ("current", None),
    "hostile/corrupt.xlsx": ("rejected", "unreadable_file"),
    "hostile/truncated.xlsx": ("rejected", "unreadable_file"),
    "hostile/zip bomb.xlsx": ("rejected", "unreadable_file"),
    "hostile/entity bomb.xlsx": ("rejected", "unreadable_file"),
    "hostile/xxe.xlsx": ("rejected", "unreadable_file"),
    "hostile/một triệu dòng.xlsx": ("rejected", "unreadable_file"),
    "hostile/implied grid.xlsx": ("rejected", "unreadable_file"),
    "hostile/200 sheets.xlsx": ("current", None),
    "hostile/merged.xlsx": ("current", None),
    "hostile/hidden.xlsx": ("current", None),
    "hostile/formulas.xlsx": ("current", None),
    "hostile/utf16.csv": ("current", None),
    "hostile/cp1258.csv": ("rejected", "unreadable_file"),
    "hostile/wrong shape.json": ("rejected", "unreadable_file"),
    "hostile/empty.xlsx": ("rejected", "unreadable_file"),
    "hostile/lien ket ..xlsx": ("rejected", "unreadable_file"),
}


def school(unit, period, report_date, rows, **kw):
    return wb.school_xlsx(unit_code=unit, period=period, report_date=report_date, rows=rows, **kw)


def write_workspace(ws: Workspace, outside: Path) -> None:
    registry = [tuple(NFD(v) if i == 1 else v for i, v in enumerate(row)) for row in story.REGISTRY]
    ws.write("reference/org_units.csv", wb.registry_csv(registry))
    ws.write("reference/kpi_targets.csv", story.TARGETS)
    ws.write(NFD(GOOD_FILE), school(S1, NFD("Tháng 1/2025"), "03/02/2025", [(HS, 3, 4), (CKS, 9, 20)],
                                    unit_name=NFD(SENT_NAME), labels=LABELS))  # fmt: skip
    # Written by hand so that the unit name is a text cell (openpyxl would make it a formula).
    problem = h.report_sheet(unit_code=S2, period="2025-01", report_date="04/02/2025",
                             rows=[(HS, -3, 10), (CKS, 5, 10)], unit_name=FORMULA_NAME)
    ws.write(NFD(PROBLEM_FILE), h.raw_xlsx([h.Sheet("BaoCao", problem)]))
    good = school(S3, "2025-02", "04/03/2025", [(HS, 1, 2)])
    ws.write("hostile/corrupt.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8)
    ws.write("hostile/truncated.xlsx", good[: len(good) // 2])
    ws.write("hostile/zip bomb.xlsx", h.zip_bomb_xlsx(gib=0.3))
    ws.write("hostile/entity bomb.xlsx", h.entity_bomb_xlsx())
    ws.write("hostile/xxe.xlsx", h.external_entity_xlsx(str(outside / "secret.txt")))
    ws.write(NFD("hostile/một triệu dòng.xlsx"), h.million_rows_xlsx())
    ws.write("hostile/implied grid.xlsx", h.implied_grid_xlsx())
    ws.write("hostile/200 sheets.xlsx", h.many_sheets_xlsx(200, unit_code=S3, period="2025-02", rows=[(HS, 1, 2)],
                                                            report_date="04/03/2025"))  # fmt: skip
    merged = wb.report_grid(unit_code=S3, period="2025-03", report_date="04/04/2025", rows=[(HS, 5, 8)])
    ws.write("hostile/merged.xlsx", h.raw_xlsx([h.Sheet("BaoCao", h.sheet_xml(merged, ["A1:G1", "A2:B2"]))]))
    hidden = wb.report_grid(unit_code=S5, period="2025-02", report_date="04/03/2025", rows=[(HS, 6, 9)])
    ws.write("hostile/hidden.xlsx", h.raw_xlsx([h.Sheet("BaoCao", h.sheet_xml(hidden), "hidden")]))
    formulas = wb.report_grid(unit_code=S4, period="2025-01", report_date="04/02/2025", rows=[(HS, 0, 50)])
    formulas[8][3] = h.Raw("<f>40+2</f><v>42</v>")
    ws.write("hostile/formulas.xlsx", h.raw_xlsx([h.Sheet("BaoCao", h.sheet_xml(formulas))]))
    records = [wb.csv_record(CKS, 7, 8, sender=S4, period="2025-02", report_date="04/03/2025")]
    ws.write("hostile/utf16.csv", wb.csv_bytes(records, encoding="utf-16"))
    noted = [wb.csv_record(CKS, 7, 8, sender=S4, period="2025-03", report_date="04/04/2025", note="NOTE")]
    # "Trường" in Windows-1258: u-horn 0xFD, then the grave tone as combining mark 0xCC.
    ws.write("hostile/cp1258.csv", wb.csv_bytes(noted).replace(b"NOTE", b"Tr\xfd\xccng"))
    ws.write("hostile/wrong shape.json", b'{"ma_don_vi": "22193003", "chi_tieu": {"TTHC_HS_TRUC_TUYEN": 1}}')
    ws.write("hostile/empty.xlsx", b"")
    (outside / "secret.txt").write_text("MAT_KHAU_BI_MAT_42")
    (outside / "that.xlsx").write_bytes(school(S5, "2025-03", "04/04/2025", [(HS, 777, 999)]))
    (ws.inbox / "hostile" / "lien ket ..xlsx").symlink_to(outside / "that.xlsx")


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    ws = Workspace(tmp_path_factory.mktemp("hostile_inbox"))
    write_workspace(ws, outside)
    before = snapshot(outside)
    ws.run()
    return ws, outside, before


def test_every_file_has_one_submission_with_its_status_and_reason(built):
    ws, _, _ = built
    rows = ws.query("select file_path, status, reason_code from audit.submissions")
    assert {path: (status, reason) for path, status, reason in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)
    assert ws.query("select count(*) from raw.submission_files")[0][0] == len(EXPECTED)
    details = dict(ws.query("select file_path, reason_detail from raw.submissions where not accepted"))
    assert "symlink" in details["hostile/lien ket ..xlsx"]
    assert "DOCTYPE/ENTITY" in details["hostile/xxe.xlsx"]
    assert "không mã hóa UTF-8" in details["hostile/cp1258.csv"]


def test_good_figures_in_and_the_outside_workbook_never(built):
    ws, outside, before = built
    figures = ws.query(
        "select s.file_path, f.unit_code, f.kpi_code, f.numerator, f.denominator from raw.figures f "
        "join raw.submissions s using (submission_id) order by 1, 3")
    assert figures == [
        ("hostile/200 sheets.xlsx", S3, HS, 1, 2),
        ("hostile/formulas.xlsx", S4, HS, 42, 50),
        ("hostile/hidden.xlsx", S5, HS, 6, 9),
        ("hostile/merged.xlsx", S3, HS, 5, 8),
        ("hostile/utf16.csv", S4, CKS, 7, 8),
        (GOOD_FILE, S1, CKS, 9, 20),
        (GOOD_FILE, S1, HS, 3, 4),
        (PROBLEM_FILE, S2, CKS, 5, 10),
    ]
    assert ws.query("select count(*) from marts.fct_kpi_unit_month where numerator = 777")[0][0] == 0
    assert ws.query(
        "select q.reason_code, q.raw_numerator from raw.quarantine_rows q join raw.submissions s "
        "using (submission_id) where s.file_path = ?", [PROBLEM_FILE]) == [("negative_value", "-3")]
    # Nothing outside the workspace changed; inside it, only its three folders exist.
    assert snapshot(outside) == before
    assert sorted(p.name for p in ws.root.iterdir()) == ["reports", "sources", "warehouse"]
    assert not any("MAT_KHAU" in str(v) for row in ws.query("select * from raw.submissions") for v in row)


def test_feedback_workbooks_stay_inside_the_reports_folder(built):
    ws, _, _ = built
    root = (ws.reports / "feedback").resolve()
    books = sorted(root.rglob("*.xlsx"))
    assert books and all(p.resolve().is_relative_to(root) for p in books)
    rejected = [p for p, (status, _) in EXPECTED.items() if status == "rejected"]
    titles = {}
    for book in books:
        sheet = openpyxl.load_workbook(book)["PhanHoi"]
        titles[sheet["D4"].value] = book
    assert set(rejected) | {PROBLEM_FILE} <= set(titles)
    problem = titles[PROBLEM_FILE]
    assert ".." not in problem.name and "\\" not in problem.name
    assert problem.parent == root / S2


def all_cells(folder: Path):
    for path in sorted(folder.rglob("*.xlsx")):
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield path, sheet.title, cell


def test_vietnamese_text_is_nfc_everywhere_and_nothing_becomes_a_formula(built):
    ws, _, _ = built
    assert ws.one("select unit_name from marts.dim_org_unit where unit_code = ?", [S1]) == (S1_NAME,)
    assert ws.one("select unit_name from marts.dim_org_unit where unit_code = '22'") == (PROVINCE_NAME,)
    assert ws.one("select unit_name, file_path from raw.submissions where unit_code = ?", [S1]) == (
        SENT_NAME, GOOD_FILE)
    # The province report for January names the school in NFC.
    reports = sorted((ws.reports / "2025-01").glob("bao_cao_tinh_22_*.xlsx"))
    assert reports, sorted(p.name for p in ws.reports.rglob("*.xlsx"))
    texts = {c.value for _, _, c in all_cells(reports[0].parent) if isinstance(c.value, str)}
    assert any(S1_NAME in t for t in texts) and not any(NFD(S1_NAME) in t for t in texts)
    # The problem file's feedback: its NFC name, the reason's Vietnamese message, and the
    # formula-like unit name kept as text.
    book = next(p for p in (ws.reports / "feedback" / S2).glob("*.xlsx"))
    cells = {c.value: c for _, _, c in all_cells(book.parent) if isinstance(c.value, str)}
    assert PROBLEM_FILE in cells and unicodedata.is_normalized("NFC", PROBLEM_FILE)
    assert REASONS["negative_value"].message_vi in cells
    assert cells[FORMULA_NAME].data_type == "s" and cells[FORMULA_NAME].quotePrefix
    # No cell of any workbook we wrote is a formula.
    formulas = [(p.name, s, c.coordinate) for p, s, c in all_cells(ws.reports) if c.data_type == "f"]
    assert formulas == []
