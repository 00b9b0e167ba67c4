"""A faster way for openpyxl to write the cells of our report sheets.

Without lxml, openpyxl serialises every cell by building an ElementTree element and
passing it through et_xmlfile's generic, namespace-aware serialiser: about half of a
report workbook's build time. Our cells are plain (a number, an inline string, or empty,
with a style index), so `fast_cell_writer()` writes those as the same XML text directly;
anything else (dates, booleans, formulas, rich text, links, non-finite numbers, or an
XML writer that is not et_xmlfile's) goes through openpyxl's own writer. Active only
inside the `with` block (openpyxl's module attribute is restored on exit); workbooks
saved elsewhere are untouched.
"""

import math
from contextlib import contextmanager
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl.worksheet import _writer as sheet_writer

_ORIGINAL = sheet_writer.write_cell


def _write_cell(xf, worksheet, cell, styled=None):
    file = getattr(xf, "_file", None)
    value = cell._value
    kind = cell.data_type
    if file is None or not getattr(xf, "_element_stack", None) or cell.hyperlink:
        return _ORIGINAL(xf, worksheet, cell, styled)
    style = f' s="{cell.style_id}"' if styled else ""
    if kind == "s" and type(value) is str:
        if value == "":
            file(f'<c r="{cell.coordinate}"{style} t="inlineStr" />')
            return None
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        file(f'<c r="{cell.coordinate}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
        return None
    if kind == "n" and (value is None or type(value) in (int, float, Decimal)):
        if value is None:
            file(f'<c r="{cell.coordinate}"{style} t="n" />')
            return None
        if type(value) is float and not math.isfinite(value):
            return _ORIGINAL(xf, worksheet, cell, styled)
        file(f'<c r="{cell.coordinate}"{style} t="n"><v>{"%.16g" % value}</v></c>')
        return None
    return _ORIGINAL(xf, worksheet, cell, styled)


@contextmanager
def fast_cell_writer():
    """Within the block, workbooks are saved with the fast cell writer."""
    previous = sheet_writer.write_cell
    sheet_writer.write_cell = _write_cell
    try:
        yield
    finally:
        sheet_writer.write_cell = previous
