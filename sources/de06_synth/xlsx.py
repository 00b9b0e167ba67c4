"""Workbooks: a tiny cell model, a fast string-template writer, and an openpyxl writer.

The fast writer emits a minimal but valid SpreadsheetML package (content types, relationships,
workbook, styles, one XML part per sheet, inline strings) and assembles the zip itself, so that
every byte is fixed: entries dated 1980-01-01 00:00, deflate level 9, no extra fields. The
constant parts are compressed once per process. openpyxl output is re-packed the same way
(with fixed document-property timestamps) so that it is deterministic too.
"""

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

from .months import excel_serial

DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
FIXED_PROPS_TIME = "2025-01-01T00:00:00Z"


@dataclass(frozen=True)
class Formula:
    text: str  # without the leading '='
    cached: float | int | None


@dataclass(frozen=True)
class DateCell:
    value: date | datetime
    fmt: str = "date"  # 'date' dd/mm/yyyy, 'datetime' dd/mm/yyyy hh:mm, 'month' mm/yyyy


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], object] = field(default_factory=dict)  # (row, col) 1-based
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    bold: set[tuple[int, int]] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)

    def set(self, r: int, c: int, v: object, bold: bool = False) -> None:
        if v is None or v == "":
            return
        self.cells[(r, c)] = v
        if bold:
            self.bold.add((r, c))

    def row(self, r: int, c0: int, values: list, bold: bool = False) -> None:
        for i, v in enumerate(values):
            self.set(r, c0 + i, v, bold)


def col_letter(c: int) -> str:
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


# ---------------------------------------------------------------------------- zip
_CONST_CACHE: dict[tuple[str, bytes], tuple[bytes, int]] = {}


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_parts(parts: list[tuple[str, bytes]], cache_const: int = 0) -> bytes:
    """A deterministic zip of (name, data); the first `cache_const` parts are memoised."""
    out = io.BytesIO()
    central = []
    for i, (name, data) in enumerate(parts):
        nb = name.encode("utf-8")
        if i < cache_const:
            hit = _CONST_CACHE.get((name, data))
            if hit is None:
                hit = (_deflate(data), zlib.crc32(data))
                _CONST_CACHE[(name, data)] = hit
            comp, crc = hit
        else:
            comp, crc = _deflate(data), zlib.crc32(data)
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, DOS_TIME, DOS_DATE, crc, len(comp), len(data),
                              len(nb), 0))
        out.write(nb)
        out.write(comp)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, DOS_TIME, DOS_DATE, crc,
                                   len(comp), len(data), len(nb), 0, 0, 0, 0, 0, offset) + nb)
    cd_start = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), cd_size, cd_start, 0))
    return out.getvalue()


def repack(xlsx: bytes) -> bytes:
    """Re-zip a workbook (e.g. from openpyxl) with fixed timestamps, in its own entry order."""
    zin = zipfile.ZipFile(io.BytesIO(xlsx))
    parts = []
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == "docProps/core.xml":
            data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                          lambda m: m.group(1) + FIXED_PROPS_TIME.encode() + m.group(3), data)
        parts.append((info.filename, data))
    return zip_parts(parts)


# ---------------------------------------------------------------------------- fast writer
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (XML_HEAD +
          f'<styleSheet xmlns="{NS_MAIN}">'
          '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
          '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/><numFmt numFmtId="166" formatCode="mm/yyyy"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font>'
          '<font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>').encode()
STYLE_ID = {"date": 1, "datetime": 2, "month": 3}
BOLD, RATE = 4, 5

ROOT_RELS = (XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>').encode()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escq(s: str) -> str:
    return _esc(s).replace('"', "&quot;")


def _num(v) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def _cell(ref: str, v, bold: bool) -> str:
    s = f' s="{BOLD}"' if bold else ""
    if isinstance(v, str):
        sp = ' xml:space="preserve"' if (v[:1].isspace() or v[-1:].isspace()) else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{sp}>{_esc(v)}</t></is></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"{s}><v>{_num(v)}</v></c>'
    if isinstance(v, DateCell):
        return f'<c r="{ref}" s="{STYLE_ID[v.fmt]}"><v>{_num(excel_serial(v.value))}</v></c>'
    if isinstance(v, Formula):
        cached = "" if v.cached is None else f"<v>{_num(v.cached)}</v>"
        return f'<c r="{ref}" s="{RATE}"><f>{_esc(v.text)}</f>{cached}</c>'
    raise TypeError(type(v))


def _sheet_xml(sh: Sheet, keep_widths: bool = False) -> bytes:
    rows: dict[int, list[int]] = {}
    for (r, c) in sh.cells:
        rows.setdefault(r, []).append(c)
    parts = [XML_HEAD, f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">']
    if sh.widths and keep_widths:
        parts.append("<cols>")
        for c in sorted(sh.widths):
            parts.append(f'<col min="{c}" max="{c}" width="{sh.widths[c]}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    cells, bold = sh.cells, sh.bold
    for r in sorted(rows):
        parts.append(f'<row r="{r}">')
        for c in sorted(rows[r]):
            parts.append(_cell(f"{col_letter(c)}{r}", cells[(r, c)], (r, c) in bold))
        parts.append("</row>")
    parts.append("</sheetData>")
    if sh.merges:
        parts.append(f'<mergeCells count="{len(sh.merges)}">')
        for r1, c1, r2, c2 in sh.merges:
            parts.append(f'<mergeCell ref="{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"/>')
        parts.append("</mergeCells>")
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def build_fast(sheets: list[Sheet]) -> bytes:
    n = len(sheets)
    ct = (XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, n + 1))
          + "</Types>").encode()
    wb = (XML_HEAD + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheets>'
          + "".join(f'<sheet name="{_escq(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
          + "</sheets></workbook>").encode("utf-8")
    rels = (XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
              'Target="styles.xml"/></Relationships>').encode()
    parts = [("[Content_Types].xml", ct), ("_rels/.rels", ROOT_RELS), ("xl/workbook.xml", wb),
             ("xl/_rels/workbook.xml.rels", rels), ("xl/styles.xml", STYLES)]
    parts += [(f"xl/worksheets/sheet{i}.xml", _sheet_xml(s)) for i, s in enumerate(sheets, 1)]
    return zip_parts(parts, cache_const=5)


# ---------------------------------------------------------------------------- openpyxl writer
def build_openpyxl(sheets: list[Sheet], creator: str = "Phòng Giáo dục và Đào tạo") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.properties.creator = creator
    fmt = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "month": "mm/yyyy"}
    bold = Font(bold=True)
    for i, sh in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sh.name
        for (r, c), v in sorted(sh.cells.items()):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, DateCell):
                cell.value = v.value
                cell.number_format = fmt[v.fmt]
            elif isinstance(v, Formula):
                cell.value = "=" + v.text
                cell.number_format = "0.0"
            else:
                cell.value = v
            if (r, c) in sh.bold:
                cell.font = bold
        for r1, c1, r2, c2 in sh.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for c, w in sh.widths.items():
            ws.column_dimensions[col_letter(c)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return repack(buf.getvalue())
