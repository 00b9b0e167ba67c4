"""How report sheets look, apart from what they say: fonts, fills, number formats, column
widths, frozen headers, print setup and native charts.

Every cell goes through `put`, which writes with `quality.xlsx_safe.write_cell`: text is
always stored as text (never a formula, error value or link), whatever it starts with.
"""

import math
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import TIME_FORMATS
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.quality.xlsx_fast import defer_rows, fast_cell_writer, style_index
from dagster_project.quality.xlsx_safe import clean_text, needs_quote_prefix, safe_sheet_text, safe_value, write_cell

PERCENT = "0.0%"
INTEGER = "#,##0"
POINTS = '+0.0;-0.0;0.0'  # percentage points: the value is already ×100
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

FONT_NAME = "Times New Roman"  # the usual face of Vietnamese administrative documents
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=12, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=11, italic=True)
BODY_FONT = Font(name=FONT_NAME, size=11)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
NOT_MET_FILL = PatternFill("solid", fgColor="FFC7CE")
WARN_FILL = PatternFill("solid", fgColor="FFEB9C")
_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")
CENTER = Alignment(horizontal="center", vertical="top")


class ReportWorkbook(Workbook):
    """A workbook whose tables keep their rows as values (`write_table`), not cell
    objects: saving writes them with `xlsx_fast`. Read a table in memory only after
    `xlsx_fast.materialize(ws)`; a saved file holds every cell."""

    defers_rows = True

    def save(self, filename):
        with fast_cell_writer():
            super().save(filename)


@dataclass(frozen=True)
class Column:
    """A table column: its header, width (characters), number format, and whether long
    text wraps."""

    header: str
    width: float = 12
    number_format: str | None = None
    wrap: bool = False
    center: bool = False


def put(ws: Worksheet, row: int, column: int, value, *, font=BODY_FONT, number_format=None,
        fill=None, border=None, alignment=None):  # fmt: skip
    """Write one cell safely (text stays text) with the given look (`look_index`)."""
    ws.cell(row=row, column=column)._style = copy(
        ws.parent._cell_styles[look_index(ws, font, number_format, fill, border, alignment)]
    )
    return write_cell(ws, row, column, value)


def look_index(ws: Worksheet, font=BODY_FONT, number_format=None, fill=None, border=None, alignment=None,
               quote: bool = False) -> int:  # fmt: skip
    """The workbook's cell-style index of a look (and the quote prefix), found once per
    workbook: setting style attributes on an openpyxl cell hashes the style objects and
    looks them up in the workbook's collections, most of a report's build time when done
    for every cell."""
    key = (id(font), number_format or None, id(fill), id(border), id(alignment), quote)
    cache = _style_cache(ws.parent)
    found = cache.get(key)
    if found is None:
        style = {"font": font}  # unset attributes keep openpyxl's defaults
        for name, setting in (("number_format", number_format or None), ("fill", fill),
                              ("border", border), ("alignment", alignment)):  # fmt: skip
            if setting is not None:
                style[name] = setting
        if quote:
            style["quotePrefix"] = True
        # The style objects ride along so that their ids stay theirs while cached.
        found = cache[key] = (style_index(ws, **style), (font, fill, border, alignment))
    return found[0]


def _style_cache(workbook) -> dict:
    """Per workbook (style indices belong to one workbook's collections)."""
    cache = workbook.__dict__.get("_de06_style_cache")
    if cache is None:
        cache = workbook.__dict__["_de06_style_cache"] = {}
    return cache


def title_block(ws: Worksheet, lines: list[tuple[str, str]], width: int, start_row: int = 1) -> int:
    """Title lines (`("title" | "subtitle" | "note", text)`), each merged across `width`
    columns. Returns the next free row."""
    fonts = {"title": TITLE_FONT, "subtitle": SUBTITLE_FONT, "note": NOTE_FONT}
    row = start_row
    for kind, text in lines:
        put(ws, row, 1, text, font=fonts[kind], alignment=Alignment(horizontal="left", vertical="center"))
        if width > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.row_dimensions[row].height = 21 if kind == "title" else 18
        row += 1
    return row


def section_title(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text, font=SUBTITLE_FONT)
    return row + 1


def note(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text, font=NOTE_FONT)
    return row + 1


def header_row(ws: Worksheet, row: int, columns: list[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        put(ws, row, index, column.header, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=HEADER_ALIGN)
    ws.row_dimensions[row].height = 33


def _alignment(column: Column):
    return WRAP if column.wrap else (CENTER if column.center else None)


def data_rows(ws: Worksheet, first_row: int, columns: list[Column], rows: list[list], fills=None) -> None:
    """The table's data rows from `first_row`, as `put` would write them cell by cell
    (text made safe, bordered, the column's number format unless empty, `fills(values)`
    colouring cells), kept as values with their style indices (`xlsx_fast.defer_rows`):
    a table of a province's schools has a million cells."""
    looks: dict[tuple, int] = {}  # (column, fill, empty, quote prefix) -> style index
    texts: dict[str, tuple[str, bool]] = {}  # as sent -> (safe text, quote prefix)
    table, table_ids = [], []
    plain = True  # every value one xlsx_fast writes as text (all but NaN and infinities)
    for values in rows:
        row_fills = fills(values) if fills else None
        safe, ids = [], []
        for index, (column, value) in enumerate(zip(columns, values), start=1):
            if type(value) is str:
                found = texts.get(value)
                if found is None:
                    text = clean_text(value)
                    found = texts[value] = (text, needs_quote_prefix(text))
                value, quote = found
            elif value is None or type(value) is int:
                quote = False
            elif type(value) is float:
                quote = False
                plain = plain and math.isfinite(value)
            else:
                value = safe_value(value)
                quote = type(value) is str and needs_quote_prefix(value)
            fill = row_fills.get(index) if row_fills else None
            key = (index, id(fill), value is None, quote)
            look = looks.get(key)
            if look is None:
                number_format = column.number_format if value is not None else None
                # openpyxl gives a date its default format where the column has none
                number_format = number_format or TIME_FORMATS.get(type(value))
                look = looks[key] = look_index(ws, BODY_FONT, number_format, fill, BORDER, _alignment(column), quote)
            safe.append(value)
            ids.append(look)
        table.append(safe)
        table_ids.append(ids)
    defer_rows(ws, first_row, table, table_ids, all_plain=plain)


def write_table(ws: Worksheet, row: int, columns: list[Column], rows: list[list],
                fills=None, empty_text: str | None = None) -> tuple[int, int]:  # fmt: skip
    """Header at `row`, then one line per row. `fills(values) -> {column index: fill}`
    colours cells. With no rows, `empty_text` is written under the header. Widens the
    sheet's columns to fit. Returns (header row, last row written)."""
    header_row(ws, row, columns)
    widen(ws, [c.width for c in columns])
    data_rows(ws, row + 1, columns, rows, fills)
    last = row + len(rows)
    if not rows and empty_text:
        last += 1
        put(ws, last, 1, empty_text, font=NOTE_FONT)
    return row, last


def widen(ws: Worksheet, widths: list[float]) -> None:
    """Column widths in characters; a column shared by several tables keeps the widest."""
    for index, width in enumerate(widths, start=1):
        dim = ws.column_dimensions[get_column_letter(index)]
        if not dim.width or dim.width < width:
            dim.width = width


def status_fill(text) -> PatternFill | None:
    return {"Đạt": MET_FILL, "Chưa đạt": NOT_MET_FILL}.get(text)


def freeze(ws: Worksheet, row: int, column: int = 1) -> None:
    """Freeze everything above `row` and left of `column`."""
    ws.freeze_panes = f"{get_column_letter(column)}{row}"  # no cell created there


def auto_filter(ws: Worksheet, header: int, last_row: int, width: int) -> None:
    if last_row > header:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(width)}{last_row}"


def print_setup(ws: Worksheet, title_rows: tuple[int, int] | None, header_text: str = "") -> None:
    """A4 landscape, fit to one page wide, rows `title_rows` repeated on every page,
    the report's name in the page header and page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if header_text:
        ws.oddHeader.center.text = safe_sheet_text(header_text)
        ws.oddHeader.center.size = 9
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.size = 9


def _axes_visible(chart) -> None:
    # openpyxl 3.1 writes <c:delete val="1"/> by default: newer Excel then hides the axes.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def bar_chart_value_vs_target(ws: Worksheet, anchor: str, categories: tuple[int, int, int],
                              value_col: int, target_col: int, header_row_: int, title: str):  # fmt: skip
    """Clustered bars of the indicators' values and targets. `categories` is (column,
    first row, last row) of the category labels; values/targets sit on the same rows with
    their series names in `header_row_`."""
    cat_col, first, last = categories
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: the indicator codes stay readable
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = "Tỷ lệ"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.scaling.orientation = "maxMin"  # first indicator on top, as in the table
    for col in (value_col, target_col):
        # from the header row: the header names the series, the rows below are its values
        chart.add_data(Reference(ws, min_col=col, min_row=header_row_, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=first, max_row=last))
    chart.legend.position = "b"
    _axes_visible(chart)
    chart.x_axis.tickLblSkip = 1
    chart.width = 24
    chart.height = max(10.0, 0.75 * (last - first + 1) + 3)
    ws.add_chart(chart, anchor)
    return chart


def line_chart_over_months(ws: Worksheet, anchor: str, categories: tuple[int, int, int],
                           series_cols: list[int], header_row_: int, title: str):  # fmt: skip
    """Lines of shares (completeness, timeliness) over the months of the period."""
    cat_col, first, last = categories
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "Tỷ lệ"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    for col in series_cols:
        chart.add_data(Reference(ws, min_col=col, min_row=header_row_, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=first, max_row=last))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    chart.legend.position = "b"
    _axes_visible(chart)
    chart.height = 7.5
    chart.width = 18
    ws.add_chart(chart, anchor)
    return chart
