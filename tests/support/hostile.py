"""Builders of hostile submissions, made in memory by the tests (nothing binary committed).

`raw_xlsx` writes a minimal but valid workbook by hand (so a test controls every byte of
every part: formulas with or without a cached value, hidden sheets, cells without `r`
references, DOCTYPEs); `zip_of` writes the zip container itself, so a member can declare
a size that its data does not have. Bombs are made from one deflate segment repeated:
after a full flush a deflate stream restarts from a clean state, so the segment's bytes
are the same every time and gigabytes of output cost a few megabytes and milliseconds.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from support.workbooks import report_grid

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass
class Raw:
    """A cell given as its XML body after the reference, e.g. `<f>1+1</f><v>2</v>`."""

    body: str
    type: str | None = None  # the cell's t attribute


def cell_xml(ref: str, value) -> str:
    if isinstance(value, Raw):
        kind = f' t="{value.type}"' if value.type else ""
        return f'<c r="{ref}"{kind}>{value.body}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(grid: list[list], merges: list[str] = (), prologue: str = "") -> bytes:
    rows = []
    for r, line in enumerate(grid, start=1):
        cells = "".join(
            cell_xml(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(line, start=1) if v is not None
        )
        if cells:
            rows.append(f'<row r="{r}">{cells}</row>')
    merged = ""
    if merges:
        merged = f'<mergeCells count="{len(merges)}">' + "".join(
            f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"  # fmt: skip
    return (f'{prologue}<worksheet xmlns="{NS}"><sheetData>{"".join(rows)}</sheetData>'
            f"{merged}</worksheet>").encode()  # fmt: skip


@dataclass
class Sheet:
    name: str
    xml: bytes
    state: str = "visible"  # visible | hidden | veryHidden


def workbook_parts(sheets: list[Sheet], shared_strings: bytes | None = None) -> dict[str, bytes]:
    """Every part of a minimal workbook, in zip order."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_CT}"/>'
        for n in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')  # fmt: skip
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
    }
    sheet_entries = "".join(
        f'<sheet name="{escape(s.name)}" sheetId="{n}" state="{s.state}" r:id="rId{n}"/>'
        for n, s in enumerate(sheets, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL_NS}">'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    ).encode()
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        rels += (f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')  # fmt: skip
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
    ).encode()
    for n, sheet in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = sheet.xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def raw_xlsx(sheets: list[Sheet], shared_strings: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in workbook_parts(sheets, shared_strings).items():
            archive.writestr(name, body)
    return out.getvalue()


def report_sheet(grid=None, merges=(), prologue="", **kw) -> bytes:
    """The BaoCao sheet of `report_grid(**kw)` (title row 1, labels 2-6, header 8, rows 9+)."""
    return sheet_xml(grid if grid is not None else report_grid(**kw), merges, prologue)


# --- the zip container by hand --------------------------------------------------------------


@dataclass
class Member:
    name: str
    data: bytes  # as stored (already deflated when method is 8)
    crc: int
    size: int  # the uncompressed size the headers declare
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, body: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Member(name, packer.compress(body) + packer.flush(), zlib.crc32(body), len(body))


def zip_of(members: list[Member]) -> bytes:
    """A zip file (no zip64) of the members exactly as given: sizes and CRCs are not checked."""
    out = io.BytesIO()
    central = []
    for m in members:
        name = m.name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, m.method, 0, 0x21,
                              m.crc, len(m.data), m.size, len(name), 0))  # fmt: skip
        out.write(name)
        out.write(m.data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, m.method, 0, 0x21, m.crc,
                        len(m.data), m.size, len(name), 0, 0, 0, 0, 0, offset) + name  # fmt: skip
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), size, start, 0))
    return out.getvalue()


def repeated_deflate(prefix: bytes, unit: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of prefix + unit * times + suffix, with its CRC-32 and size.

    Costs one compression of `unit`: after Z_FULL_FLUSH the compressor restarts clean, so
    each repetition of `unit` compresses to the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    first = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)
    second = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)
    assert first == second, "deflate segments differ: the repetition trick does not hold"
    tail = packer.compress(suffix) + packer.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    return head + first * times + tail, crc, len(prefix) + len(unit) * times + len(suffix)


def zip_bomb_xlsx(gib: float = 2.0, declared: int | None = None) -> bytes:
    """A school workbook whose shared-string part inflates to `gib` GiB of one string.

    `declared`: the size the zip headers claim for that part (default: the true size);
    a smaller number makes a bomb that lies about its size."""
    unit = b"a" * (16 << 20)
    times = int(gib * 1024 / 16)
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode()
    stream, crc, size = repeated_deflate(prefix, unit, times, b"</t></si></sst>")
    grid = report_grid(unit_code="22193003")
    grid[0] = [Raw("<v>0</v>", "s")]  # the title cell shows the (huge) shared string 0
    parts = workbook_parts([Sheet("BaoCao", sheet_xml(grid))], shared_strings=b"")
    members = [deflated(name, body) for name, body in parts.items() if name != "xl/sharedStrings.xml"]
    members.append(Member("xl/sharedStrings.xml", stream, crc, size if declared is None else declared))
    return zip_of(members)


def entity_bomb_xlsx() -> bytes:
    """Billion laughs in the shared strings: 10 levels of 10 references (10^9 'lol')."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol%d;" % (n - 1)) * 10}">' for n in range(1, 10)
    ]
    sst = (f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(entities)}]>'
           f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()  # fmt: skip
    grid = report_grid(unit_code="22193003")
    grid[0] = [Raw("<v>0</v>", "s")]
    return raw_xlsx([Sheet("BaoCao", sheet_xml(grid))], shared_strings=sst)


def external_entity_xlsx(target: str) -> bytes:
    """An external entity (XXE) naming a local file, used in the unit name cell."""
    grid = report_grid(unit_code="22193003", unit_name="__XXE__")
    sheet = sheet_xml(grid).replace(
        b'<t xml:space="preserve">__XXE__</t>', b'<t xml:space="preserve">&xxe;</t>'
    )
    prologue = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{target}">]>'
    return raw_xlsx([Sheet("BaoCao", prologue.encode() + sheet)])


def million_rows_xlsx(rows: int = 1_000_000, unit_code: str = "22193003") -> bytes:
    """The template followed by `rows` indicator rows, streamed straight into the zip."""
    grid = report_grid(unit_code=unit_code, rows=[])
    head = sheet_xml(grid).split(b"</sheetData>")[0]
    packer = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc, size, pieces = 0, 0, []

    def feed(body: bytes) -> None:
        nonlocal crc, size
        crc, size = zlib.crc32(body, crc), size + len(body)
        pieces.append(packer.compress(body))

    feed(head)
    first = 9
    step = 50_000
    for start in range(first, first + rows, step):
        feed(b"".join(
            b'<row r="%d"><c r="D%d"><v>%d</v></c></row>' % (r, r, r % 997)
            for r in range(start, min(start + step, first + rows))
        ))  # fmt: skip
    feed(b"</sheetData></worksheet>")
    pieces.append(packer.flush())
    parts = workbook_parts([Sheet("BaoCao", b"")])
    members = [deflated(n, b) for n, b in parts.items() if n != "xl/worksheets/sheet1.xml"]
    members.append(Member("xl/worksheets/sheet1.xml", b"".join(pieces), crc, size))
    return zip_of(members)


def many_sheets_xlsx(count: int = 200, **kw) -> bytes:
    """A good BaoCao sheet among `count - 1` other sheets, each with a small decoy table."""
    decoy = sheet_xml([["Mã chỉ tiêu", "Tử số", "Mẫu số"], ["TTHC_HS_TRUC_TUYEN", 1, 1]])
    sheets = [Sheet(f"Sheet{n}", decoy) for n in range(1, count)]
    sheets.insert(count // 2, Sheet("BaoCao", report_sheet(**kw)))
    return raw_xlsx(sheets)


def quoted_reference_xlsx(quote: bytes = b"'", spaces: bytes = b"") -> bytes:
    """A 1 KB workbook whose last cell, written `r='XFD1048576'` (or with spaces around
    `=`), stretches the sheet to 1048576 x 16384 cells for a reader."""
    far = b"<row r=%s1048576%s><c r%s=%s%sXFD1048576%s t=\"inlineStr\"><is><t>y</t></is></c></row>" % (
        quote, quote, spaces, spaces, quote, quote)
    head = report_sheet(unit_code="22193003").split(b"</sheetData>")[0]
    return raw_xlsx([Sheet("BaoCao", head + far + b"</sheetData></worksheet>")])


def implied_grid_xlsx(cols: int = 16384, rows: int = 20000) -> bytes:
    """A sheet whose cells carry no `r` reference: one row `cols` cells wide, then `rows`
    rows of one cell. A reader places them by order, so the grid is rows x cols cells
    (20000 x 16384: billions of bytes) although the part is under a megabyte. The values
    vary so that the compression ratio looks like a normal workbook's."""
    wide = b"<row>" + b"".join(b"<c><v>%d</v></c>" % ((n * 7919) % 100003) for n in range(cols)) + b"</row>"
    tall = b"".join(b"<row><c><v>%d</v></c></row>" % ((n * 104729) % 1000003) for n in range(rows))
    head = report_sheet(unit_code="22193003").split(b"</sheetData>")[0]
    sheet = head + wide + tall + b"</sheetData></worksheet>"
    return raw_xlsx([Sheet("BaoCao", sheet)])
