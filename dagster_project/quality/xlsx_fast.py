"""Writing our workbooks' cells fast, with exactly the bytes openpyxl would write.

Two costs dominate a large report workbook in openpyxl: creating and styling one `Cell`
object per table cell, and serialising every cell through et_xmlfile's generic,
namespace-aware element writer. Our cells are plain (a number, an inline string, a date,
a boolean or empty, with a style index), so:

- `fast_cell_writer()` (a `with` block) writes such cells as XML text directly; anything
  else (formulas, rich text, links, non-finite numbers, or an XML writer that is not
  et_xmlfile's) goes through openpyxl's own writer. Outside the block openpyxl is untouched.
- `defer_rows(ws, first_row, rows, style_ids)` keeps a table's rows as plain values with
  their style indices instead of `Cell` objects. Inside the block they are written as
  XML text between the sheet's ordinary rows; anywhere else (`materialize(ws)`, or a save
  without the block) they become ordinary cells first, so nothing is ever lost.

The values are stored as given: callers make them safe first (`xlsx_safe.safe_value`,
the quote prefix in the style), as `xlsx_safe.write_cell` does for single cells.
"""

import math
from contextlib import contextmanager
from copy import copy
from datetime import date, datetime, time
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import LXML
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet import _writer as sheet_writer
from openpyxl.worksheet.dimensions import SheetDimension

_ORIGINAL = sheet_writer.write_cell
_ORIGINAL_ROWS = sheet_writer.WorksheetWriter.write_rows
_ORIGINAL_DIMENSIONS = sheet_writer.WorksheetWriter.write_dimensions
_DEFERRED = "_de06_deferred_rows"  # worksheet attribute: [(first_row, rows, style_ids)]


def cell_xml(coordinate: str, style_id: int, value, epoch) -> str | None:
    """The `<c>` element openpyxl writes for a plain value (style index 0: unstyled),
    or None when the value is not plain. Text is stored inline, as openpyxl does."""
    tail = _cell_tail(style_id, value, epoch)
    return None if tail is None else f'<c r="{coordinate}"{tail}'


def _cell_tail(style_id: int, value, epoch) -> str | None:
    """A plain cell's XML after its coordinate (`cell_xml`)."""
    style = f' s="{style_id}"' if style_id else ""
    kind = type(value)
    if kind is str:
        if value == "":
            return f'{style} t="inlineStr" />'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if value is None:
        return f'{style} t="n" />'
    if kind is int or kind is Decimal or (kind is float and math.isfinite(value)):
        return f'{style} t="n"><v>{"%.16g" % value}</v></c>'
    if kind is bool:
        return f'{style} t="b"><v>{int(value)}</v></c>'
    if kind in (datetime, date, time) and getattr(value, "tzinfo", None) is None:
        return f'{style} t="n"><v>{"%.16g" % to_excel(value, epoch)}</v></c>'
    return None


_KIND_OF = {str: "s", int: "n", float: "n", Decimal: "n", type(None): "n", bool: "b", datetime: "d", date: "d", time: "d"}


def _write_cell(xf, worksheet, cell, styled=None):
    file = getattr(xf, "_file", None)
    workbook = worksheet.parent
    if (
        file is None or not getattr(xf, "_element_stack", None) or cell.hyperlink or workbook.iso_dates
        or _KIND_OF.get(type(cell._value)) != cell.data_type
    ):  # fmt: skip
        return _ORIGINAL(xf, worksheet, cell, styled)
    xml = cell_xml(cell.coordinate, cell.style_id if styled else 0, cell._value, workbook.epoch)
    if xml is None:
        return _ORIGINAL(xf, worksheet, cell, styled)
    file(xml)
    return None


# --- deferred table rows -------------------------------------------------------------------


def defer_rows(ws, first_row: int, rows: list, style_ids: list, all_plain: bool = False) -> None:
    """Keep `rows` (sequences of values, from column A) as the sheet's rows from
    `first_row` on, each cell styled by the matching index of `style_ids` (indices into
    the workbook's cell styles, e.g. from `style_index`). No cell objects are created,
    except for a row holding a value `cell_xml` cannot write (it becomes ordinary cells),
    and unless the workbook saves itself inside `fast_cell_writer()` (its class sets
    `defers_rows`): a plain openpyxl workbook gets ordinary cells, so no save loses rows.
    `all_plain`: the caller knows every value is one `cell_xml` writes (skips the check)."""
    if not getattr(ws.parent, "defers_rows", False):
        for row, (values, ids) in enumerate(zip(rows, style_ids), start=first_row):
            _cells(ws, row, values, ids)
        return
    blocks = ws.__dict__.setdefault(_DEFERRED, [])
    if all_plain:
        if rows:
            blocks.append((first_row, rows, style_ids))
        return
    start, run, run_ids = first_row, [], []
    for row, (values, ids) in enumerate(zip(rows, style_ids), start=first_row):
        if all(_plain(v) for v in values):
            if not run:
                start = row
            run.append(values)
            run_ids.append(ids)
            continue
        if run:
            blocks.append((start, run, run_ids))
            run, run_ids = [], []
        _cells(ws, row, values, ids)
    if run:
        blocks.append((start, run, run_ids))


def _plain(value) -> bool:
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    return kind in _PLAIN or (kind in (datetime, time) and value.tzinfo is None)


_PLAIN = frozenset({str, int, Decimal, bool, date, type(None)})


def _cells(ws, row: int, values, ids) -> None:
    styles = ws.parent._cell_styles
    for column, (value, style_id) in enumerate(zip(values, ids), start=1):
        cell = ws.cell(row=row, column=column)
        kind = _KIND_OF.get(type(value))
        if kind is None:
            cell.value = value
        else:  # text stays text (as xlsx_safe.write_cell); the style is the one given
            cell._value, cell.data_type = value, kind
        cell._style = copy(styles[style_id])


def style_index(ws, **style) -> int:
    """The workbook's cell-style index for the given cell attributes (font, fill, border,
    alignment, number_format, protection, quotePrefix), added when new."""
    scratch = Cell(ws, row=1, column=1)  # never placed in the sheet
    for name, setting in style.items():
        setattr(scratch, name, setting)
    return ws.parent._cell_styles.add(scratch._style)


def materialize(ws) -> None:
    """Turn the sheet's deferred rows into ordinary cells."""
    for first_row, rows, style_ids in ws.__dict__.pop(_DEFERRED, []):
        for row, (values, ids) in enumerate(zip(rows, style_ids), start=first_row):
            _cells(ws, row, values, ids)


def _deferred_extent(ws):
    """(min_row, min_col, max_row, max_col) of the deferred rows, or None."""
    blocks = ws.__dict__.get(_DEFERRED)
    if not blocks:
        return None
    top = min(first for first, _, _ in blocks)
    bottom = max(first + len(rows) - 1 for first, rows, _ in blocks)
    width = max((len(values) for _, rows, _ in blocks for values in rows), default=1)
    return top, 1, bottom, max(width, 1)


def _write_dimensions(self):
    extent = _deferred_extent(self.ws)
    if extent is None:
        return _ORIGINAL_DIMENSIONS(self)
    top, left, bottom, right = extent
    for row, column in self.ws._cells:
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, column), max(right, column)
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    self.xf.send(SheetDimension(ref).to_tree())


def _write_rows(self):
    ws = self.ws
    blocks = ws.__dict__.get(_DEFERRED)
    if not blocks:
        return _ORIGINAL_ROWS(self)
    taken = {row for row, _ in ws._cells} | set(ws.row_dimensions.keys())
    clash = any(first <= row < first + len(rows) for first, rows, _ in blocks for row in taken)
    if LXML or clash or ws.parent.iso_dates:  # not our XML writer, a row shared with cells, ISO dates
        materialize(ws)
        return _ORIGINAL_ROWS(self)
    deferred = sorted(
        ((first + offset, values, ids) for first, rows, ids_list in blocks
         for offset, (values, ids) in enumerate(zip(rows, ids_list))),
        key=lambda item: item[0],
    )  # fmt: skip
    ordinary = self.rows()
    epoch = ws.parent.epoch
    letters = [get_column_letter(c) for c in range(1, 1 + max(len(v) for _, v, _ in deferred))]
    texts: dict = {}
    xf = self.xf.send(True)
    file = xf._file
    with xf.element("sheetData"):
        i = 0
        for row_idx, values, ids in deferred:
            while i < len(ordinary) and ordinary[i][0] < row_idx:
                self.write_row(xf, ordinary[i][1], ordinary[i][0])
                i += 1
            file(_row_xml(row_idx, values, ids, letters, epoch, texts))
        for row_idx, cells in ordinary[i:]:
            self.write_row(xf, cells, row_idx)
    self.xf.send(None)


def _row_xml(row: int, values, ids, letters, epoch, texts: dict) -> str:
    """One deferred row's XML; `texts` remembers the XML of text cells (a school's name
    and an indicator's repeat on many rows)."""
    parts = [f'<row r="{row}">']
    for letter, style_id, value in zip(letters, ids, values):
        if type(value) is str:
            tail = texts.get((style_id, value))
            if tail is None:
                tail = texts[(style_id, value)] = _cell_tail(style_id, value, epoch)
        else:
            tail = _cell_tail(style_id, value, epoch)
        parts.append(f'<c r="{letter}{row}"{tail}')
    parts.append("</row>")
    return "".join(parts)


@contextmanager
def fast_cell_writer():
    """Within the block, workbooks are saved with the fast writers."""
    previous = (sheet_writer.write_cell, sheet_writer.WorksheetWriter.write_rows,
                sheet_writer.WorksheetWriter.write_dimensions)  # fmt: skip
    sheet_writer.write_cell = _write_cell
    sheet_writer.WorksheetWriter.write_rows = _write_rows
    sheet_writer.WorksheetWriter.write_dimensions = _write_dimensions
    try:
        yield
    finally:
        sheet_writer.write_cell = previous[0]
        sheet_writer.WorksheetWriter.write_rows, sheet_writer.WorksheetWriter.write_dimensions = previous[1:]
