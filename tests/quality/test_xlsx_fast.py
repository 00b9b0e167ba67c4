"""The fast writers used for our workbooks write exactly the bytes openpyxl's own writer
writes, for every kind of value our sheets hold, hostile text included: cell by cell
(`fast_cell_writer`) and for table rows kept as values (`defer_rows`)."""

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from dagster_project.publish import styles as st
from dagster_project.quality import xlsx_fast
from dagster_project.quality.xlsx_safe import workbook_bytes

VALUES = [
    "Trường Tiểu học", "  lề trái", "lề phải  ", "   ", "", "a & b < c > d \"e\" 'f'", "=1+1",
    '=HYPERLINK("http://x","y")', "#N/A", "-5", "dòng 1\ndòng 2", "\tthụt", "x\x01y",
    0, 7, -3, 12345678901234567, 0.1, 1 / 3, 1e-20, Decimal("2.50"), float("nan"),
    None, True, False, date(2025, 3, 1), datetime(2025, 4, 10, 16, 30),
]
# The huge integer in the date column reads back as an out-of-range date: openpyxl warns.
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")

COLUMNS = [st.Column("Giá trị", 20), st.Column("Số", 12, st.INTEGER), st.Column("Ngày", 12, st.DATE)]


def book(workbook: Workbook) -> Workbook:
    ws = workbook.active
    st.title_block(ws, [("title", "Bảng thử"), ("note", "ghi chú")], 3)
    rows = [[v, v, v] for v in VALUES]
    fills = lambda values: {1: st.WARN_FILL} if values[0] == "=1+1" else None  # noqa: E731
    header, last = st.write_table(ws, 4, COLUMNS, rows, fills=fills)
    st.title_block(ws, [("title", "Tiêu đề & <thử>")], 2, start_row=last + 2)
    st.freeze(ws, header + 1, 2)
    ws.cell(row=1, column=5).value = "không định dạng"  # a cell with no style
    second = workbook.create_sheet("Trống")
    st.write_table(second, 1, COLUMNS, [], empty_text="Không có số liệu.")
    return workbook


def test_fast_cell_writer_writes_the_same_bytes(monkeypatch):
    expected = workbook_bytes(book(Workbook()))
    delegated = []
    original = xlsx_fast._ORIGINAL

    def counting(xf, worksheet, cell, styled=None):
        delegated.append(cell._value)
        return original(xf, worksheet, cell, styled)

    monkeypatch.setattr(xlsx_fast, "_ORIGINAL", counting)
    with xlsx_fast.fast_cell_writer():
        fast = workbook_bytes(book(Workbook()))
    assert fast == expected
    # Only what the fast path leaves to openpyxl went there: the NaN, in each column.
    assert len(delegated) == 3 and all(v != v for v in delegated)
    # Outside the block openpyxl's own writers are back.
    assert xlsx_fast.sheet_writer.write_cell is original
    assert xlsx_fast.sheet_writer.WorksheetWriter.write_rows is xlsx_fast._ORIGINAL_ROWS


def test_a_report_workbook_keeps_table_rows_as_values_and_writes_them_as_openpyxl_would(monkeypatch):
    deferred_book = book(st.ReportWorkbook())
    ws = deferred_book.active
    # The table's rows hold no cell objects (the NaN row, which the fast path cannot
    # write, is the exception), yet the file has them all.
    table_rows = range(5, 5 + len(VALUES))
    assert {r for r, _ in ws._cells} & set(table_rows) == {5 + VALUES.index(VALUES[21])}
    fast = workbook_bytes(deferred_book)

    # The same workbook with ordinary cells, saved by openpyxl's own writers.
    ordinary = book(st.ReportWorkbook())
    for sheet in ordinary.worksheets:
        xlsx_fast.materialize(sheet)
    monkeypatch.setattr(st.ReportWorkbook, "save", Workbook.save)
    assert workbook_bytes(ordinary) == fast

    reopened = openpyxl.load_workbook(__import__("io").BytesIO(fast))["Sheet"]
    assert reopened.cell(row=5 + VALUES.index("=1+1"), column=1).value == "=1+1"
    assert reopened.cell(row=5 + VALUES.index("=1+1"), column=1).data_type == "s"
    assert reopened.cell(row=5 + VALUES.index("=1+1"), column=1).quotePrefix
    assert reopened.cell(row=5, column=1).value == "Trường Tiểu học"
    assert reopened.cell(row=5 + VALUES.index(-3), column=2).value == -3
    assert reopened.cell(row=5 + len(VALUES) + 1, column=1).value == "Tiêu đề & <thử>"
    assert reopened.dimensions == f"A1:E{5 + len(VALUES) + 1}"


def test_a_plain_workbook_gets_ordinary_cells_so_any_save_keeps_the_rows(tmp_path):
    workbook = book(Workbook())
    assert xlsx_fast._DEFERRED not in workbook.active.__dict__
    workbook.save(tmp_path / "plain.xlsx")  # openpyxl's own save, no fast writer
    reopened = openpyxl.load_workbook(tmp_path / "plain.xlsx").active
    assert reopened.cell(row=5, column=1).value == "Trường Tiểu học"


def test_a_report_workbook_saved_directly_keeps_the_rows(tmp_path):
    book(st.ReportWorkbook()).save(tmp_path / "report.xlsx")
    reopened = openpyxl.load_workbook(tmp_path / "report.xlsx").active
    assert [reopened.cell(row=5 + i, column=3).value for i in (-1, 0, 25)] == [
        "Ngày", "Trường Tiểu học", datetime(2025, 3, 1)
    ]
