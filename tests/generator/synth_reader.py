"""A small, independent reader of the contract's three formats, used only to check the generator.

It is deliberately written from the contract text (section 2 and 7), not from the generator's
code, so that a generated file that this reader gets wrong points at a real ambiguity.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime


def fold(s) -> str:
    """Case, diacritics, Unicode form, surrounding spaces and a trailing colon ignored."""
    s = unicodedata.normalize("NFD", str(s)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower().strip()
    if s.endswith(":"):
        s = s[:-1].strip()
    return s


def nospace(s) -> str:
    return fold(s).replace(" ", "")


LABELS = {"ma don vi": "code", "ten don vi": "name", "ky bao cao": "period", "ngay bao cao": "date",
          "nguoi lap bieu": "preparer"}
NUM = {"tu so", "so dat", "so luong dat"}
DEN = {"mau so", "tong so"}


@dataclass
class Parsed:
    sender: str | None = None
    name: str | None = None
    period: tuple[int, int] | None = None
    report: datetime | None = None
    own: list[tuple] = field(default_factory=list)  # (row_number, kpi, num_raw, den_raw, rate_raw)
    cons: list[tuple] = field(default_factory=list)  # (row_number, unit, kpi, num_raw, den_raw)
    sheets: list[str] = field(default_factory=list)


def parse_period(v) -> tuple[int, int] | None:
    if isinstance(v, (datetime, date)):
        return (v.year, v.month)
    s = str(v).strip()
    for pat in (r"^tháng\s+(\d{1,2})\s*/\s*(\d{4})$", r"^tháng\s+(\d{1,2})\s+năm\s+(\d{4})$", r"^t(\d{1,2})/(\d{4})$",
                r"^(\d{1,2})/(\d{4})$"):
        m = re.match(pat, unicodedata.normalize("NFC", s).lower())
        if m:
            mo, y = int(m.group(1)), int(m.group(2))
            return (y, mo) if 1 <= mo <= 12 else None
    m = re.match(r"^(\d{4})-(\d{2})$", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return (int(m.group(1)), int(m.group(2)))
    return None


def parse_date(v) -> datetime | None:
    if isinstance(v, datetime):
        return v
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    s = str(v).strip()
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            pass
    return None


def parse_count(v, binary: bool = False) -> int | None:
    """None for empty (binary: 0), raises ValueError when not a whole number."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return 0 if binary else None
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, float):
        if v != int(v):
            raise ValueError(v)
        return int(v)
    if isinstance(v, int):
        return v
    s = str(v).strip()
    if binary:
        f = fold(s)
        if f in ("co", "x"):
            return 1
        if f == "khong":
            return 0
    if re.fullmatch(r"-?\d{1,3}([. ]\d{3})+", s):
        return int(s.replace(".", "").replace(" ", ""))
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    raise ValueError(v)


def _ends(row) -> bool:
    first = next((c for c in row if c is not None and str(c).strip() != ""), None)
    if first is None:
        return True
    t = unicodedata.normalize("NFC", str(first)).strip().lower()
    return t.startswith("tổng") or t.startswith("cộng")


def _grid_calamine(data: bytes):
    import python_calamine as pc
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = [[None if c == "" else c for c in r] for r in rows]
    return out


def _grid_openpyxl(data: bytes):
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [list(r) for r in ws.iter_rows(values_only=True)]
    return out


def read_xlsx(data: bytes, engine: str = "calamine") -> Parsed:
    grids = _grid_calamine(data) if engine == "calamine" else _grid_openpyxl(data)
    p = Parsed(sheets=list(grids))
    own_name = next((n for n in grids if nospace(n) == "baocao"), None)
    th_name = next((n for n in grids if nospace(n) == "tonghop"), None)
    if own_name is None:
        raise LookupError("missing_sheet")
    g = grids[own_name]
    header_at = None
    for i, row in enumerate(g):
        cells = [c for c in row]
        if any(c is not None and fold(c) == "ma chi tieu" for c in cells):
            header_at = i
            break
        for j, c in enumerate(cells):
            if isinstance(c, str) and fold(c) in LABELS:
                key = LABELS[fold(c)]
                val = next((x for x in cells[j + 1:] if x is not None and str(x).strip() != ""), None)
                if key == "code":
                    p.sender = val
                elif key == "name":
                    p.name = val
                if key == "period" and val is not None:
                    p.period = parse_period(val)
                if key == "date" and val is not None:
                    p.report = parse_date(val)
                break
    if header_at is not None:
        hdr = [fold(c) if c is not None else "" for c in g[header_at]]
        ci = {"kpi": hdr.index("ma chi tieu")}
        for j, h in enumerate(hdr):
            if h in NUM:
                ci["num"] = j
            elif h in DEN:
                ci["den"] = j
            elif h in ("ty le (%)", "ty le"):
                ci["rate"] = j
        for i in range(header_at + 1, len(g)):
            row = g[i]
            if _ends(row):
                break
            get = lambda k: row[ci[k]] if k in ci and ci[k] < len(row) else None  # noqa: E731
            p.own.append((i + 1, get("kpi"), get("num"), get("den"), get("rate")))
    if th_name is not None:
        g = grids[th_name]
        for i, row in enumerate(g):
            f = [fold(c) if c is not None else "" for c in row]
            if "ma don vi" in f and "ma chi tieu" in f:
                ci = {"unit": f.index("ma don vi"), "kpi": f.index("ma chi tieu")}
                for j, h in enumerate(f):
                    if h in NUM:
                        ci["num"] = j
                    elif h in DEN:
                        ci["den"] = j
                for k in range(i + 1, len(g)):
                    r = g[k]
                    if _ends(r):
                        break
                    p.cons.append((k + 1, r[ci["unit"]], r[ci["kpi"]], r[ci["num"]], r[ci["den"]]))
                break
    if p.sender is not None and not isinstance(p.sender, str):
        p.sender = str(p.sender)
    return p


def read_csv(data: bytes) -> Parsed:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    hdr = rows[0]
    p = Parsed()
    heads = set()
    for n, r in enumerate(rows[1:], 2):
        d = dict(zip(hdr, r))
        heads.add((d["ma_don_vi_bao_cao"], d["ky_bao_cao"], d["ngay_bao_cao"]))
        if d["pham_vi"] == "own":
            p.own.append((n, d["ma_chi_tieu"], d["tu_so"], d["mau_so"], None))
        else:
            p.cons.append((n, d["ma_don_vi"], d["ma_chi_tieu"], d["tu_so"], d["mau_so"]))
    if len(heads) != 1:
        raise LookupError("mixed_header")
    s, per, dt = heads.pop()
    p.sender, p.period, p.report = s, parse_period(per), parse_date(dt)
    return p


def read_json(data: bytes) -> Parsed:
    doc = json.loads(data.decode("utf-8"))
    p = Parsed(sender=doc.get("ma_don_vi"), period=parse_period(doc.get("ky_bao_cao", "")),
               report=parse_date(doc.get("ngay_bao_cao", "")))
    for i, r in enumerate(doc.get("chi_tieu", []), 1):
        p.own.append((i, r.get("ma_chi_tieu"), r.get("tu_so"), r.get("mau_so"), None))
    for i, r in enumerate(doc.get("tong_hop", []), 1):
        p.cons.append((i, r.get("ma_don_vi"), r.get("ma_chi_tieu"), r.get("tu_so"), r.get("mau_so")))
    return p


def read(path_or_name: str, data: bytes, engine: str = "calamine") -> Parsed:
    ext = path_or_name.rsplit(".", 1)[-1].lower()
    if ext == "xlsx":
        return read_xlsx(data, engine)
    if ext == "csv":
        return read_csv(data)
    if ext == "json":
        return read_json(data)
    raise LookupError("unsupported_format")


def figures(p: Parsed, binary_codes: set[str]) -> tuple[dict, dict]:
    """{kpi: (num, den)} own and {(unit, kpi): (num, den)} consolidated, parsed (good files only)."""
    own, cons = {}, {}
    for _, kpi, n, d, _r in p.own:
        b = kpi in binary_codes
        num, den = parse_count(n, b), parse_count(d, b)
        if b and (d is None or str(d).strip() == ""):
            den = 1
        own[kpi] = (num, den)
    for _, unit, kpi, n, d in p.cons:
        b = kpi in binary_codes
        num, den = parse_count(n, b), parse_count(d, b)
        if b and (d is None or str(d).strip() == ""):
            den = 1
        cons[(str(unit), kpi)] = (num, den)
    return own, cons
