"""The fast cell writer used when publishing writes exactly the bytes openpyxl's own
cell writer writes, for every kind of value our sheets hold, hostile text included."""

from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

from dagster_project.publish import fast_cells
from dagster_project.publish import styles as st
from dagster_project.quality.xlsx_safe import workbook_bytes

VALUES = [
    "Trường Tiểu học", "  lề trái", "lề phải  ", "   ", "", "a & b < c > d \"e\" 'f'", "=1+1",
    '=HYPERLINK("http://x","y")', "#N/A", "-5", "dòng 1\ndòng 2", "\tthụt", "x\x01y",
    0, 7, -3, 12345678901234567, 0.1, 1 / 3, 1e-20, Decimal("2.50"), float("nan"),
    None, True, False, date(2025, 3, 1), datetime(2025, 4, 10, 16, 30),
]


def book() -> Workbook:
    wb = Workbook()
    ws = wb.active
    header, _ = st.write_table(ws, 2, [st.Column("Giá trị", 20), st.Column("Số", 12, st.INTEGER)],
                               [[v, v] for v in VALUES])  # fmt: skip
    st.title_block(ws, [("title", "Tiêu đề & <thử>")], 2, start_row=header + len(VALUES) + 2)
    ws.cell(row=1, column=5).value = "không định dạng"  # a cell with no style
    return wb


def test_fast_writer_writes_the_same_bytes(monkeypatch):
    expected = workbook_bytes(book())
    delegated = []
    original = fast_cells._ORIGINAL

    def counting(xf, worksheet, cell, styled=None):
        delegated.append(cell._value)
        return original(xf, worksheet, cell, styled)

    monkeypatch.setattr(fast_cells, "_ORIGINAL", counting)
    with fast_cells.fast_cell_writer():
        fast = workbook_bytes(book())
    assert fast == expected
    # Only what the fast path leaves to openpyxl went there: booleans, dates, NaN.
    assert len(delegated) == 2 * 5
    assert {type(v).__name__ for v in delegated} == {"bool", "date", "datetime", "float"}
    # Outside the block openpyxl's own writer is back.
    assert fast_cells.sheet_writer.write_cell is original
