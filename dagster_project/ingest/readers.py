"""Read one submission's bytes into a neutral structure: header fields and raw rows.

No checks beyond what reading needs: the file and row rules (`rules.py`) judge what was
read. A file that cannot be read at all raises `ReadError` with its file reason code
(`unreadable_file`, `missing_sheet` or `mixed_header`, the only ones a reader decides).

Workbooks are read with python-calamine, after a bounded scan of the zip container that
refuses zip bombs, XML entity declarations and absurd sheet dimensions before calamine
touches the bytes.
"""

import codecs
import csv
import io
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import repeat

from python_calamine import CalamineWorkbook

from dagster_project.ingest.kpis import KPIS
from dagster_project.ingest.model import Limits, RawRow
from dagster_project.ingest.normalize import ends_table, keys, label_key, nfc, sheet_key
from dagster_project.ingest.values import cell_text

OWN, CONSOLIDATED = "own", "consolidated"

OWN_SHEET_KEY = sheet_key("BaoCao")
CONSOLIDATED_SHEET_KEY = sheet_key("TongHop")

# Label cells above the BaoCao table -> header field.
FIELD_LABELS = {
    label_key("Mã đơn vị"): "unit_code",
    label_key("Tên đơn vị"): "unit_name",
    label_key("Kỳ báo cáo"): "period",
    label_key("Ngày báo cáo"): "report_date",
    label_key("Người lập biểu"): "preparer",
}

# Table columns: role -> label keys (first matching column wins).
KPI_KEYS = keys("Mã chỉ tiêu")
UNIT_KEYS = keys("Mã đơn vị")
NUMERATOR_KEYS = keys("Tử số", "Số đạt", "Số lượng đạt")
DENOMINATOR_KEYS = keys("Mẫu số", "Tổng số")
RATE_KEYS = keys("Tỷ lệ (%)", "Tỷ lệ", "Tỉ lệ (%)", "Tỉ lệ", "Tỷ lệ %", "Tỉ lệ %")
NOTE_KEYS = keys("Ghi chú")
COLUMN_ROLES = (
    ("kpi", KPI_KEYS),
    ("unit", UNIT_KEYS),
    ("numerator", NUMERATOR_KEYS),
    ("denominator", DENOMINATOR_KEYS),
    ("rate", RATE_KEYS),
    ("note", NOTE_KEYS),
)


# CSV / JSON field names (compared as label_key with '_' read as a space).
def _field_key(name: object) -> str:
    return label_key(name).replace("_", " ")


CSV_COLUMNS = {
    _field_key("ma_don_vi_bao_cao"): "sender",
    _field_key("ky_bao_cao"): "period",
    _field_key("ngay_bao_cao"): "report_date",
    _field_key("pham_vi"): "scope",
    _field_key("ma_don_vi"): "unit",
    _field_key("ma_chi_tieu"): "kpi",
    _field_key("tu_so"): "numerator",
    _field_key("so_dat"): "numerator",
    _field_key("so_luong_dat"): "numerator",
    _field_key("mau_so"): "denominator",
    _field_key("tong_so"): "denominator",
    _field_key("ty_le"): "rate",
    _field_key("ty le (%)"): "rate",
    _field_key("ghi_chu"): "note",
    _field_key("ten_don_vi"): "unit_name",
    _field_key("nguoi_lap_bieu"): "preparer",
}
OWN_SCOPE_WORDS = frozenset({_field_key(w) for w in ("own", "rieng", "rieng don vi")})
CONSOLIDATED_SCOPE_WORDS = frozenset(
    {_field_key(w) for w in ("consolidated", "tong_hop", "tonghop")}
)

# Bounds of the container scan.
_CHUNK = 1 << 16
_OVERLAP = 64
_MAX_ZIP_MEMBERS = 5000
_RATIO_FLOOR = 1 << 16  # parts smaller than this are never a bomb, whatever their ratio
_MAX_GRID_CELLS = 10_000_000  # calamine allocates rows x columns cells for a sheet
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UNSAFE_XML = re.compile(
    b"|".join(
        re.escape(text.encode(encoding))
        for text in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("ascii", "utf-16-le", "utf-16-be")
    ),
    re.IGNORECASE,
)


def _may_declare(window: bytes) -> bool:
    """Cheap pre-test for `<!` (UTF-8 or UTF-16): a markup declaration may follow."""
    # Every form has a `!` byte, rare in a sheet: one memchr usually answers.
    if b"!" not in window:
        return False
    if b"<!" in window:
        return True
    # UTF-16 text has NUL bytes; UTF-8 XML never does.
    return b"\x00" in window and (b"<\x00!" in window or b"\x00<\x00!" in window)


_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row)\b[^>]*?\sr="([A-Za-z]{0,3})([0-9]{1,10})"')
# Any reference beyond column Z or row 9999. Without one, a sheet is at most 9999 x 26
# cells and the exact scan above can be skipped (most school workbooks). Only an `r` after
# whitespace counts, as in `_CELL_REF` (`_has_big_ref`): the root's `xmlns:r="http...`
# is not a reference. (The pattern starts with its literal so the search stays fast.)
_BIG_REF = re.compile(rb'r="(?:[A-Za-z]{2}|[A-Za-z]?[0-9]{5})')
_XML_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # `\s` in a bytes pattern
_SMALL_ROWS, _SMALL_COLS = 9999, 26
# A row or cell start tag without an `r` attribute: its position is implied (the previous
# row + 1, the previous cell + 1), so the reference scan above cannot see how far the
# sheet reaches. Such sheets get a second, exact pass (`_implied_dimensions`).
# (The lookahead starts before the whitespace: `\s(?!...\sr=)` would consume the space
# before `r=` and flag every tag, sending every sheet through the slow pass.)
_IMPLIED_REF = re.compile(rb"<(?:[\w.-]+:)?(?:row|c)(?:\s*/?>|(?=\s)(?![^>]*?\sr\s*=))")
# The same test in two cheaper steps (`_may_imply`): without the namespace prefix, then,
# only when some `:row`/`:c` is there at all, with it (half the time of the one pattern).
_IMPLIED_PLAIN = re.compile(rb"<(?:row|c)(?:\s*/?>|(?=\s)(?![^>]*?\sr\s*=))")
_PREFIXED_TAG = re.compile(rb":(?:row|c)")
# `r='A1'`, `r = "A1"`, `r=" A1"`: legal XML that `_CELL_REF` does not read. (Another
# attribute ending in `r` written that way only costs the exact pass.)
_ODD_REF = re.compile(rb"r(?:\s+=|=\s*'|=\s+[\"']|=\"\s)")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']\s*([A-Za-z]{0,3})([0-9]{0,10})")
_MAX_TAG = 1 << 16  # a start tag longer than this is not from a spreadsheet program


class ReadError(Exception):
    """The file cannot be read as a submission: `code` is the file reason."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass
class ReadWarning:
    code: str
    sheet: str | None
    row_number: int | None
    detail: str


@dataclass
class ParsedFile:
    """What a reader found, before any rule: raw header values and raw rows."""

    unit_code: object = None
    unit_name: object = None
    period: object = None
    report_date: object = None
    preparer: object = None
    rows: list[RawRow] = field(default_factory=list)
    # sheet (None for CSV) -> table roles missing from its header ('numerator', ...)
    missing_columns: dict[str | None, frozenset[str]] = field(default_factory=dict)
    warnings: list[ReadWarning] = field(default_factory=list)


def code_text(value: object) -> str | None:
    """A unit or indicator code as text: trimmed; a whole float `22.0` -> `22`."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return nfc(text) if text else None


def _cell(value: object) -> object:
    """A raw cell as stored on a RawRow: blank -> None, strings trimmed and NFC."""
    if isinstance(value, str):
        text = value.strip()
        return nfc(text) if text else None
    return value


def _code(value: object) -> str | None:
    """`code_text(_cell(value))`: a `_cell` string is already trimmed, NFC and not empty."""
    return _cell(value) if isinstance(value, str) else code_text(value)  # type: ignore[return-value]


def _text(value: object) -> str | None:
    """`cell_text(_cell(value))`, likewise."""
    return _cell(value) if isinstance(value, str) else cell_text(value)  # type: ignore[return-value]


def _column(rows: list[list], col: int | None, convert=_cell) -> list:
    """`convert` of each row's cell in column `col`; None where a row (or the table) has none."""
    if col is None:
        return [None] * len(rows)
    values = [row[col] if col < len(row) else None for row in rows]
    if convert is _cell:  # figures: mostly floats, which `_cell` returns as they are
        return [value if type(value) is float else _cell(value) for value in values]
    return [convert(value) for value in values]


def read_submission(data: bytes, file_format: str, limits: Limits) -> ParsedFile:
    """Dispatch on the (lower-case) extension: 'xlsx', 'csv' or 'json'."""
    if file_format == "xlsx":
        return read_xlsx(data, limits)
    if file_format == "csv":
        return read_csv(data, limits)
    if file_format == "json":
        return read_json(data, limits)
    raise ValueError(f"not a submission format: {file_format}")


# --- workbooks ---------------------------------------------------------------------------


def _has_big_ref(window: bytes) -> bool:
    return any(
        m.start() > 0 and window[m.start() - 1] in _XML_SPACE for m in _BIG_REF.finditer(window)
    )


def _may_imply(window: bytes) -> bool:
    """`_IMPLIED_REF.search(window)`, as a truth value; also true for an `r` reference
    the quick scan (`_CELL_REF`) cannot read (single quotes, spaces around `=` or inside
    the quotes): the exact pass reads every form."""
    if _IMPLIED_PLAIN.search(window) is not None or _ODD_REF.search(window) is not None:
        return True
    return _PREFIXED_TAG.search(window) is not None and _IMPLIED_REF.search(window) is not None


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ch - 64)
    return number


def check_xlsx_container(data: bytes, limits: Limits) -> None:
    """Refuse what calamine should never open: not a zip, bombs, DTDs, absurd sheets."""
    if data.startswith(_OLE_MAGIC):
        raise ReadError(
            "unreadable_file",
            "Tệp là Excel 97-2003 (.xls) đổi tên thành .xlsx, hoặc tệp có đặt mật khẩu: "
            "mở bằng Excel, bỏ mật khẩu và lưu lại dạng .xlsx.",
        )
    if not data.startswith(b"PK"):
        raise ReadError(
            "unreadable_file",
            "Tệp có phần mở rộng .xlsx nhưng không phải tệp Excel (không đúng cấu trúc "
            "xlsx): mở bằng Excel và lưu lại dạng .xlsx.",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # BadZipFile, LargeZipFile, OSError, ValueError ...
        raise ReadError(
            "unreadable_file", f"Tệp .xlsx bị hỏng, không mở được ({exc.__class__.__name__})."
        ) from exc
    if len(members) > _MAX_ZIP_MEMBERS:
        raise ReadError("unreadable_file", f"Tệp .xlsx có {len(members)} thành phần, quá nhiều.")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unzipped_bytes:
        raise _bomb(f"dung lượng giải nén {declared} byte vượt giới hạn {limits.max_unzipped_bytes}")
    for member in members:
        if (
            member.file_size > _RATIO_FLOOR
            and member.file_size > limits.max_zip_ratio * max(member.compress_size, 1)
        ):
            raise _bomb(f"thành phần {member.filename} nén với tỷ lệ bất thường")
    total = 0
    exact_scan = (
        limits.max_rows_per_sheet < _SMALL_ROWS or _MAX_GRID_CELLS < _SMALL_ROWS * _SMALL_COLS
    )
    for member in members:
        name = member.filename.lower()
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = name.startswith("xl/worksheets/")
        max_row = max_col = 0
        implied = False
        size = 0
        tail = b""
        try:
            for chunk in _member_chunks(data, member):
                size += len(chunk)
                total += len(chunk)
                if size > member.file_size:
                    raise ValueError("more data than declared")
                if total > limits.max_unzipped_bytes:
                    raise _bomb("dung lượng giải nén vượt giới hạn")
                window = tail + chunk if tail else chunk
                if _may_declare(window) and _UNSAFE_XML.search(window):
                    raise ReadError(
                        "unreadable_file",
                        "Tệp .xlsx chứa khai báo DOCTYPE/ENTITY trong XML (cấu trúc không an "
                        "toàn, không có trong tệp Excel thông thường): mở bằng Excel và lưu "
                        "lại thành tệp mới.",
                    )
                if is_sheet and (exact_scan or _has_big_ref(window)):
                    for letters, digits in _CELL_REF.findall(window):
                        row = int(digits)
                        if row > max_row:
                            max_row = row
                        if letters:
                            col = _column_number(letters)
                            if col > max_col:
                                max_col = col
                    # Stop as soon as the sheet is too big: no need to inflate the rest.
                    _check_dimensions(max_row, max(max_col, 1), limits, member.filename)
                if is_sheet and not implied and _may_imply(window):
                    implied = True
                tail = window[-_OVERLAP:]
            if implied:
                rows, cols = _implied_dimensions(data, member, limits)
                max_row, max_col = max(max_row, rows), max(max_col, cols)
        except ReadError:
            raise
        except Exception as exc:  # truncated stream, bad deflate data, unsupported method
            raise ReadError(
                "unreadable_file",
                f"Tệp .xlsx bị hỏng ({member.filename}: {exc.__class__.__name__}).",
            ) from exc
        if is_sheet:
            _check_dimensions(max_row, max(max_col, 1), limits, member.filename)


def _implied_dimensions(data: bytes, member: zipfile.ZipInfo, limits: Limits) -> tuple[int, int]:
    """The rows and columns a sheet reaches when some rows or cells omit `r`.

    Walks every row and cell start tag in order, as a reader places them: a row without
    `r` follows the previous row, a cell without `r` the previous cell of its row. Stops
    (ReadError) as soon as the sheet is over the limits. Memory: one chunk plus one tag.
    """
    row = col = max_row = max_col = 0
    pending = b""
    for chunk in _member_chunks(data, member):
        window = pending + chunk if pending else chunk
        cut = window.rfind(b"<")
        if cut < 0:
            pending = b""
            continue
        # Every tag starting before the last '<' is complete (attribute values hold no '<').
        body, pending = window[:cut], window[cut:]
        if len(pending) > _MAX_TAG:
            end = pending.find(b">")
            if end < 0:
                raise ValueError("start tag too long")
            body, pending = body + pending[: end + 1], b""
        for kind, attrs in _TAG.findall(body):
            ref = _R_ATTR.search(attrs)
            if kind == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                if row > max_row:
                    max_row = row
                continue
            if ref and ref.group(1):
                col = _column_number(ref.group(1))
                if ref.group(2) and int(ref.group(2)) > max_row:
                    max_row = int(ref.group(2))
            else:
                col += 1
            if col > max_col:
                max_col = col
        if row > max_row:
            max_row = row
        _check_dimensions(max_row, max(max_col, 1), limits, member.filename)
    return max_row, max_col


def _member_chunks(data: bytes, member: zipfile.ZipInfo):
    """A member's uncompressed bytes in chunks of at most _CHUNK, never more at once.

    Reads the local header and inflates with zlib directly: much cheaper than zipfile's
    stream objects for the ten small parts of a school workbook.
    """
    offset = member.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise ValueError("bad local header")
    if member.flag_bits & 0x1:
        raise ValueError("encrypted member")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        for index in range(0, len(raw), _CHUNK):
            yield bytes(raw[index : index + _CHUNK])
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError(f"compression method {member.compress_type}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes | memoryview = raw
    while True:
        chunk = inflater.decompress(pending, _CHUNK)
        pending = inflater.unconsumed_tail
        if chunk:
            yield chunk
        if inflater.eof:
            return
        if not chunk and not pending:
            raise ValueError("truncated deflate stream")


def _check_dimensions(rows: int, cols: int, limits: Limits, where: str) -> None:
    if rows > limits.max_rows_per_sheet:
        raise ReadError(
            "unreadable_file",
            f"Một sheet có hơn {limits.max_rows_per_sheet} dòng (có dữ liệu ở dòng {rows}, "
            f"{where}): xóa các dòng thừa rồi gửi lại.",
        )
    if rows * cols > _MAX_GRID_CELLS:
        raise ReadError(
            "unreadable_file",
            f"Một sheet có vùng dữ liệu quá lớn ({rows} dòng x {cols} cột, {where}): xóa "
            "các ô thừa ở xa bảng số liệu rồi gửi lại.",
        )


def _bomb(what: str) -> ReadError:
    return ReadError(
        "unreadable_file",
        f"Tệp .xlsx có dấu hiệu bất thường ({what}); hệ thống không giải nén. Lưu lại tệp "
        "bằng Excel, chỉ giữ các sheet báo cáo, rồi gửi lại.",
    )


def _load_sheet(workbook: CalamineWorkbook, name: str, limits: Limits) -> list[list]:
    """All rows of a sheet, row index = sheet row - 1, column index = sheet column - 1."""
    sheet = workbook.get_sheet_by_name(name)
    end = sheet.end
    if end is not None:
        _check_dimensions(end[0] + 1, end[1] + 1, limits, name)
    # skip_empty_area=False keeps absolute positions (no offset arithmetic to get wrong).
    return sheet.to_python(skip_empty_area=False)


def _first_nonblank(row: list, start: int = 0) -> int | None:
    for index in range(start, len(row)):
        value = row[index]
        # `not normalize.is_blank(value)`, inline: it runs on every cell up to the first filled one.
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return index
    return None


def _table_end(grid: list[list], start: int) -> int:
    """Index of the first row from `start` that is empty or starts with Tổng/Cộng (or the end)."""
    for index in range(start, len(grid)):
        row = grid[index]
        first = _first_nonblank(row)
        if first is None or ends_table(row[first]):
            return index
    return len(grid)


def _row_is_blank(row: list) -> bool:
    return _first_nonblank(row) is None


def _find_header(grid: list[list], required: tuple[frozenset[str], ...]) -> int | None:
    """Index of the first row holding a cell for every one of `required`'s key sets."""
    for index, row in enumerate(grid):
        found = [False] * len(required)
        for value in row:
            if isinstance(value, str) and value:
                key = label_key(value)
                for n, wanted in enumerate(required):
                    if key in wanted:
                        found[n] = True
        if all(found):
            return index
    return None


def _columns(header: list) -> dict[str, int]:
    """Role -> column index, by label, first matching column wins."""
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        if not isinstance(value, str) or not value:
            continue
        key = label_key(value)
        for role, wanted in COLUMN_ROLES:
            if key in wanted and role not in columns:
                columns[role] = index
                break
    return columns


def _header_fields(grid: list[list], stop: int, parsed: ParsedFile) -> None:
    """Label cells above the table: value = first non-empty cell to the right."""
    found: set[str] = set()
    for row in grid[:stop]:
        for index, value in enumerate(row):
            if not isinstance(value, str) or not value:
                continue
            key = label_key(value)
            name = FIELD_LABELS.get(key)
            content: object = None
            if name is not None:
                right = _first_nonblank(row, index + 1)
                content = row[right] if right is not None else None
                if isinstance(content, str) and label_key(content) in FIELD_LABELS:
                    content = None  # the next label, not a value: this one is empty
            elif ":" in value:
                # "Mã đơn vị: 06688" written in one cell.
                label, _, rest = value.partition(":")
                name = FIELD_LABELS.get(label_key(label))
                content = rest.strip() or None
            if name is None or name in found:
                continue
            if content is None:
                continue  # a label with no value: a later one may have it
            found.add(name)
            setattr(parsed, name, _cell(content))


def _table_rows(
    grid: list[list],
    header_index: int,
    columns: dict[str, int],
    sheet: str,
    scope: str,
    sender: str | None,
    parsed: ParsedFile,
) -> list[RawRow]:
    """Rows under a header until the first empty row or a Tổng/Cộng row."""
    kpi_col = columns.get("kpi")
    end = _table_end(grid, header_index + 1)
    body = grid[header_index + 1 : end]
    count = len(body)
    # Built column by column: one pass over the rows per column, no per-row closures.
    units = (
        _column(body, columns.get("unit"), _code) if scope == CONSOLIDATED else [sender] * count
    )
    rows = list(
        map(
            RawRow,
            repeat(sheet, count),
            range(header_index + 2, end + 1),  # sheet row numbers (index + 1)
            repeat(scope, count),
            units,
            _column(body, kpi_col, _code),
            _column(body, columns.get("numerator")),
            _column(body, columns.get("denominator")),
            _column(body, columns.get("rate")),
            _column(body, columns.get("note"), _text),
        )
    )
    # Indicator rows stranded after the end are not read; tell the reviewer.
    if kpi_col is not None and end < len(grid):
        for index in range(end + 1, len(grid)):
            row = grid[index]
            if kpi_col < len(row) and (code_text(row[kpi_col]) or "").upper() in KPIS:
                parsed.warnings.append(
                    ReadWarning(
                        "data_after_table_end",
                        sheet,
                        index + 1,
                        f"Sheet {sheet}: bảng kết thúc ở dòng {end + 1} (dòng trống hoặc dòng "
                        f"Tổng/Cộng) nhưng dòng {index + 1} vẫn có mã chỉ tiêu "
                        f"'{code_text(row[kpi_col])}'; các dòng từ dòng {end + 1} trở đi "
                        "không được đọc.",
                    )
                )
                break
    return rows


def read_xlsx(data: bytes, limits: Limits) -> ParsedFile:
    check_xlsx_container(data, limits)
    parsed = ParsedFile()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        own_name = next((n for n in names if sheet_key(n) == OWN_SHEET_KEY), None)
        cons_name = next((n for n in names if sheet_key(n) == CONSOLIDATED_SHEET_KEY), None)
        if own_name is None:
            raise ReadError(
                "missing_sheet",
                "Không có sheet BaoCao; các sheet trong tệp: "
                + ", ".join(f"'{n}'" for n in names)
                + ".",
            )
        own_grid = _load_sheet(workbook, own_name, limits)
        cons_grid = _load_sheet(workbook, cons_name, limits) if cons_name is not None else None
    except (ReadError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine errors and Rust panics (pyo3 PanicException)
        raise ReadError(
            "unreadable_file",
            f"Không đọc được nội dung tệp Excel ({exc.__class__.__name__}): mở bằng Excel "
            "và lưu lại dạng .xlsx.",
        ) from exc

    header_index = _find_header(own_grid, (KPI_KEYS,))
    _header_fields(own_grid, len(own_grid) if header_index is None else header_index, parsed)
    sender = code_text(parsed.unit_code)
    if header_index is not None:
        columns = _columns(own_grid[header_index])
        parsed.missing_columns[own_name] = _missing(columns)
        parsed.rows.extend(
            _table_rows(own_grid, header_index, columns, own_name, OWN, sender, parsed)
        )
    if cons_grid is not None:
        cons_header = _find_header(cons_grid, (UNIT_KEYS, KPI_KEYS))
        if cons_header is None:
            if any(not _row_is_blank(row) for row in cons_grid):
                parsed.warnings.append(
                    ReadWarning(
                        "consolidated_header_not_found",
                        cons_name,
                        None,
                        f"Sheet '{cons_name}' không có dòng tiêu đề chứa cả 'Mã đơn vị' và "
                        "'Mã chỉ tiêu': số liệu tổng hợp không được đọc.",
                    )
                )
        else:
            columns = _columns(cons_grid[cons_header])
            parsed.missing_columns[cons_name] = _missing(columns)
            parsed.rows.extend(
                _table_rows(cons_grid, cons_header, columns, cons_name, CONSOLIDATED, sender, parsed)
            )
    return parsed


def _missing(columns: dict[str, int]) -> frozenset[str]:
    return frozenset(r for r in ("kpi", "numerator", "denominator") if r not in columns)


# --- text formats ------------------------------------------------------------------------


def _decode(data: bytes, what: str, parsed: ParsedFile) -> str:
    """UTF-8 (BOM allowed); UTF-16 with a BOM is read too, with a warning."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
            parsed.warnings.append(
                ReadWarning(
                    "encoding_not_utf8",
                    None,
                    None,
                    f"Tệp {what} được mã hóa UTF-16, không phải UTF-8; hệ thống vẫn đọc được "
                    "nhưng hãy xuất tệp dạng UTF-8 ở các kỳ sau.",
                )
            )
            return text
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(
            "unreadable_file",
            f"Tệp {what} không mã hóa UTF-8 (byte lỗi ở vị trí {exc.start}): xuất lại tệp với "
            "mã hóa UTF-8.",
        ) from exc


def _csv_roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        role = CSV_COLUMNS.get(_field_key(name))
        if role is not None and role not in roles:
            roles[role] = index
    return roles


def _pick_delimiter(first_line: str) -> str:
    """Comma, as the contract says; a semicolon or tab export is read too."""
    best, best_count = ",", -1
    for delimiter in (",", ";", "\t"):
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        count = len(_csv_roles(header))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_csv(data: bytes, limits: Limits) -> ParsedFile:
    parsed = ParsedFile()
    text = _decode(data, "CSV", parsed)
    if "\x00" in text:
        raise ReadError("unreadable_file", "Tệp CSV chứa ký tự NUL (tệp nhị phân hoặc hỏng).")
    first_line = next((line for line in text.splitlines() if line.strip(" ,;\t")), "")
    delimiter = _pick_delimiter(first_line)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    roles: dict[str, int] = {}
    records: list[tuple[int, list[str]]] = []
    previous_line = 0
    try:
        for record in reader:
            start_line = previous_line + 1
            previous_line = reader.line_num
            if not any(value.strip() for value in record):
                continue  # blank lines are not rows
            if header is None:
                header = record
                roles = _csv_roles(header)
                continue
            records.append((start_line, record))
            if len(records) > limits.max_rows_per_sheet:
                raise ReadError(
                    "unreadable_file",
                    f"Tệp CSV có hơn {limits.max_rows_per_sheet} dòng, vượt giới hạn.",
                )
    except csv.Error as exc:
        raise ReadError("unreadable_file", f"Tệp CSV sai cấu trúc: {exc}.") from exc

    if header is None or not ({"kpi", "numerator", "denominator", "sender"} & roles.keys()):
        raise ReadError(
            "unreadable_file",
            "Không nhận ra dòng tiêu đề của tệp CSV: dòng đầu phải là tên các cột "
            "ma_don_vi_bao_cao, ky_bao_cao, ngay_bao_cao, pham_vi, ma_don_vi, ma_chi_tieu, "
            "tu_so, mau_so, ghi_chu, phân cách bằng dấu phẩy.",
        )
    unknown = [name.strip() for name in header if name.strip() and _field_key(name) not in CSV_COLUMNS]
    if unknown:
        parsed.warnings.append(
            ReadWarning(
                "unknown_column",
                None,
                1,
                "Cột không thuộc mẫu, đã bỏ qua: " + ", ".join(f"'{n}'" for n in unknown) + ".",
            )
        )

    lines = [line for line, _ in records]
    values = [record for _, record in records]

    def column(role: str, convert=_cell) -> list:
        return _column(values, roles.get(role), convert)

    # The first three columns must be the same on every row (else mixed_header).
    header_columns = {}
    for role, label in (
        ("sender", "ma_don_vi_bao_cao"),
        ("period", "ky_bao_cao"),
        ("report_date", "ngay_bao_cao"),
    ):
        header_columns[role] = column(role)
        seen: dict[object, int] = {}
        for line, value in zip(lines, header_columns[role]):
            if value not in seen:
                seen[value] = line
            if len(seen) > 1:
                (v1, l1), (v2, l2) = list(seen.items())[:2]
                raise ReadError(
                    "mixed_header",
                    f"Cột {label} không giống nhau trên mọi dòng: dòng {l1} ghi "
                    f"'{v1 or ''}', dòng {l2} ghi '{v2 or ''}'. Mỗi tệp chỉ cho một đơn vị "
                    "gửi, một tháng và một ngày báo cáo.",
                )
    if records:
        parsed.unit_code = header_columns["sender"][0]
        parsed.period = header_columns["period"][0]
        parsed.report_date = header_columns["report_date"][0]
        parsed.unit_name = next((v for v in column("unit_name") if v is not None), None)
        parsed.preparer = next((v for v in column("preparer") if v is not None), None)
    sender = code_text(parsed.unit_code)
    parsed.missing_columns[None] = frozenset(
        r for r in ("kpi", "numerator", "denominator") if r not in roles
    )

    odd_scope: list[int] = []
    for line, unit, scope_value, kpi, numerator, denominator, rate, note in zip(
        lines,
        column("unit", _code),
        column("scope"),
        column("kpi", _code),
        column("numerator"),
        column("denominator"),
        column("rate"),
        column("note", _text),
    ):
        scope_key = _field_key(scope_value) if scope_value is not None else ""
        if scope_key in OWN_SCOPE_WORDS:
            scope = OWN
        elif scope_key in CONSOLIDATED_SCOPE_WORDS:
            scope = CONSOLIDATED
        else:
            if scope_key:
                odd_scope.append(line)
            scope = OWN if unit is None or unit == sender else CONSOLIDATED
        subject = (unit or sender) if scope == OWN else unit
        parsed.rows.append(
            RawRow(None, line, scope, subject, kpi, numerator, denominator, rate, note)
        )
    if odd_scope:
        parsed.warnings.append(
            ReadWarning(
                "unknown_scope_value",
                None,
                odd_scope[0],
                f"Cột pham_vi có giá trị không hợp lệ ở {len(odd_scope)} dòng (đầu tiên: dòng "
                f"{odd_scope[0]}); chỉ dùng 'own' hoặc 'consolidated'. Phạm vi đã được xác "
                "định theo cột ma_don_vi.",
            )
        )
    return parsed


def _normalised(obj: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in obj.items():
        out.setdefault(_field_key(key), value)
    return out


def read_json(data: bytes, limits: Limits) -> ParsedFile:
    parsed = ParsedFile()
    text = _decode(data, "JSON", parsed)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ReadError("unreadable_file", f"Tệp JSON sai cú pháp: {exc}.") from exc
    if not isinstance(document, dict):
        raise ReadError(
            "unreadable_file", "Tệp JSON phải là một đối tượng {...} theo mẫu DE06."
        )
    top = _normalised(document)
    sender_value = top.get("ma don vi")
    parsed.unit_code = _cell(sender_value if sender_value is not None else top.get("ma don vi bao cao"))
    parsed.unit_name = _cell(top.get("ten don vi"))
    parsed.period = _cell(top.get("ky bao cao"))
    parsed.report_date = _cell(top.get("ngay bao cao"))
    parsed.preparer = _cell(top.get("nguoi lap bieu"))
    sender = code_text(parsed.unit_code)
    for key, scope in (("chi tieu", OWN), ("tong hop", CONSOLIDATED)):
        sheet = key.replace(" ", "_")
        entries = top.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise ReadError("unreadable_file", f"Trường '{sheet}' của tệp JSON phải là một danh sách.")
        if len(entries) > limits.max_rows_per_sheet:
            raise ReadError("unreadable_file", f"Trường '{sheet}' có quá nhiều phần tử.")
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise ReadError(
                    "unreadable_file",
                    f"Phần tử thứ {index} của '{sheet}' không phải một đối tượng {{...}}.",
                )
            item = _normalised(entry)
            unit = code_text(_cell(item.get("ma don vi")))
            note = _cell(item.get("ghi chu"))
            parsed.rows.append(
                RawRow(
                    sheet=sheet,
                    row_number=index,
                    scope=scope,
                    unit_code=(unit or sender) if scope == OWN else unit,
                    kpi_code=code_text(_cell(item.get("ma chi tieu"))),
                    raw_numerator=_cell(item.get("tu so")),
                    raw_denominator=_cell(item.get("mau so")),
                    raw_rate=_cell(item.get("ty le")),
                    note=cell_text(note),
                )
            )
    return parsed
