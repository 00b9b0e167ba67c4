"""Turns one submission (sender, month, report date, rows) into file bytes: xlsx, csv or json.

Every variation the contract allows is a field of `Layout`, so a file's look is data: the
generator picks layouts per unit (a unit keeps its template habits from month to month) and
the sample preset pins them to show each variation at least once.
"""

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from .kpis import KPI_BY_CODE
from .months import Month, first_day, last_day
from .xlsx import DateCell, Formula, Sheet, build_fast, build_openpyxl, col_letter


@dataclass
class Line:
    kpi: str
    num: object  # int normally; anything (text, None, negative) in a faulty row
    den: object
    note: str = ""
    unit: str = ""  # consolidated rows: the subject unit
    unit_name: str = ""


@dataclass
class Layout:
    # workbook
    sheet_name: str = "BaoCao"
    tong_hop_name: str = "TongHop"
    r0: int = 1
    c0: int = 1
    title_merged: bool = True
    label_style: str = "std"  # std nocolon upper ascii nfd spaces mixed
    value_gap: int = 0
    period_form: str = "thang"  # thang thang_nam T mm_yyyy iso excel excel_last
    date_form: str = "dt_text"  # dt_text d_text excel_dt excel_d iso_d
    columns: str = "std"  # std alt1 alt2 namefirst
    header_style: str = "std"  # std upper ascii
    rate: str = "none"  # none value formula
    num_text: str = "none"  # none dot space
    float_cells: bool = False
    binary_form: str = "co_khong"  # co_khong x_empty 10 co_empty_den
    total_row: bool = False
    after_total_junk: bool = False
    signature: bool = True
    preparer: str = "Nguyễn Thị Lan"
    name_override: str | None = None
    rate_error_kpi: str | None = None
    omit_labels: tuple[str, ...] = ()  # 'code' 'name' 'period' 'date' — for bad files
    label_values: dict = field(default_factory=dict)  # label -> raw value override — for bad files
    header_only: bool = False  # a table with a header and no rows — for bad files
    engine: str = "fast"  # fast | openpyxl
    # csv / json
    bom: bool = False
    crlf: bool = False
    json_indent: int | None = 2
    text_numbers: bool = False  # json: numbers as strings


# ----------------------------------------------------------------------------- text helpers
def strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in s if unicodedata.category(ch) != "Mn")


LABELS = {"code": "Mã đơn vị", "name": "Tên đơn vị", "period": "Kỳ báo cáo", "date": "Ngày báo cáo",
          "preparer": "Người lập biểu"}
STYLE_CYCLE = ("std", "nocolon", "upper", "ascii", "nfd", "spaces")


def label_text(base: str, style: str) -> str:
    if style == "std":
        return base + ":"
    if style == "nocolon":
        return base
    if style == "upper":
        return base.upper() + ":"
    if style == "ascii":
        return strip_accents(base) + ":"
    if style == "nfd":
        return unicodedata.normalize("NFD", base + ":")
    if style == "spaces":
        return "  " + base + ":  "
    raise ValueError(style)


def header_text(base: str, style: str) -> str:
    return {"std": base, "upper": base.upper(), "ascii": strip_accents(base)}[style]


def period_value(m: Month, form: str):
    y, mo = m
    return {
        "thang": f"Tháng {mo}/{y}",
        "thang_nam": f"Tháng {mo:02d} năm {y}",
        "T": f"T{mo}/{y}",
        "mm_yyyy": f"{mo:02d}/{y}",
        "iso": f"{y}-{mo:02d}",
    }.get(form) or DateCell(last_day(m) if form == "excel_last" else first_day(m), "month")


def date_value(dt: datetime, form: str):
    if form == "dt_text":
        return dt.strftime("%d/%m/%Y %H:%M")
    if form == "d_text":
        return dt.strftime("%d/%m/%Y")
    if form == "iso_d":
        return dt.strftime("%Y-%m-%d")
    if form == "excel_dt":
        return DateCell(dt.replace(second=0, microsecond=0), "datetime")
    if form == "excel_d":
        return DateCell(dt.date(), "date")
    raise ValueError(form)


def fmt_count(v, lay: Layout):
    """An int rendered the way this unit types numbers; anything else passes through."""
    if not isinstance(v, int) or isinstance(v, bool):
        return v
    if lay.num_text == "dot" and v >= 1000:
        return f"{v:,}".replace(",", ".")
    if lay.num_text == "space" and v >= 1000:
        return f"{v:,}".replace(",", " ")
    if lay.float_cells:
        return float(v)
    return v


def fmt_binary(num, den, lay: Layout):
    if not isinstance(num, int) or isinstance(num, bool) or den != 1 or num not in (0, 1):
        return num, den  # a faulty or hand-written value
    f = lay.binary_form
    if f == "co_khong":
        return ("Có" if num else "Không"), 1
    if f == "x_empty":
        return ("x" if num else None), None
    if f == "co_empty_den":
        return ("Có" if num else "Không"), None
    return num, 1


# ----------------------------------------------------------------------------- xlsx
COLSETS = {
    "std": [("stt", "STT"), ("ma", "Mã chỉ tiêu"), ("ten", "Tên chỉ tiêu"), ("tu", "Tử số"), ("mau", "Mẫu số"),
            ("tyle", "Tỷ lệ (%)"), ("ghichu", "Ghi chú")],
    "alt1": [("stt", "STT"), ("ten", "Chỉ tiêu"), ("ma", "Mã chỉ tiêu"), ("tu", "Số đạt"), ("mau", "Tổng số"),
             ("tyle", "Tỷ lệ (%)"), ("ghichu", "Ghi chú")],
    "alt2": [("ma", "Mã chỉ tiêu"), ("mau", "Mẫu số"), ("tu", "Tử số"), ("tyle", "Tỷ lệ (%)"), ("ten", "Chỉ tiêu"),
             ("ghichu", "Ghi chú")],
    "namefirst": [("ten", "Chỉ tiêu"), ("ma", "Mã chỉ tiêu"), ("tu", "Số lượng đạt"), ("mau", "Tổng số"),
                  ("tyle", "Tỷ lệ (%)"), ("ghichu", "Ghi chú")],
}
TITLE = "BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 06 NGÀNH GIÁO DỤC"


def _columns(lay: Layout) -> list[tuple[str, str]]:
    cols = [c for c in COLSETS[lay.columns] if lay.rate != "none" or c[0] != "tyle"]
    return [(k, header_text(lbl, lay.header_style)) for k, lbl in cols]


def _table_rows(sh: Sheet, r: int, c0: int, cols, lines: list[Line], lay: Layout, cons: bool) -> int:
    pos = {k: c0 + i for i, (k, _) in enumerate(cols)}
    for i, ln in enumerate(lines, 1):
        kp = KPI_BY_CODE.get(ln.kpi)
        num, den = ln.num, ln.den
        if kp is not None and kp.binary:
            num, den = fmt_binary(num, den, lay)
        vals = {"stt": i, "ma": ln.kpi, "ten": kp.name_vi if kp else "", "tu": fmt_count(num, lay),
                "mau": fmt_count(den, lay), "ghichu": ln.note or None,
                "ma_dv": ln.unit, "ten_dv": ln.unit_name}
        if "tyle" in pos:
            vals["tyle"] = None
            if (isinstance(ln.num, int) and isinstance(ln.den, int) and ln.den > 0 and not (kp and kp.binary)):
                rate = round(ln.num / ln.den * 100, 1)
                if ln.kpi == lay.rate_error_kpi:
                    rate = round(min(100.0, rate + 7.5) if rate < 90 else rate - 7.5, 1)
                if lay.rate == "formula" and isinstance(vals["tu"], (int, float)) and isinstance(vals["mau"], (int, float)) \
                        and ln.kpi != lay.rate_error_kpi:
                    vals["tyle"] = Formula(f"ROUND({col_letter(pos['tu'])}{r}/{col_letter(pos['mau'])}{r}*100,1)", rate)
                else:
                    vals["tyle"] = rate
        for k, c in pos.items():
            v = vals.get(k)
            if v is not None and v != "":
                sh.set(r, c, v)
        r += 1
    return r


def _own_sheet(sender_code: str, sender_name: str, m: Month, dt: datetime, lines: list[Line], lay: Layout) -> Sheet:
    sh = Sheet(lay.sheet_name)
    r0, c0 = lay.r0, lay.c0
    cols = _columns(lay)
    width = len(cols)
    sh.set(r0, c0, TITLE, bold=True)
    if lay.title_merged:
        sh.merges.append((r0, c0, r0, c0 + width - 1))
    sh.set(r0 + 1, c0, "(Báo cáo định kỳ hằng tháng theo Kế hoạch thực hiện Đề án 06)")
    if lay.title_merged:
        sh.merges.append((r0 + 1, c0, r0 + 1, c0 + width - 1))
    values = {"code": sender_code, "name": lay.name_override or sender_name,
              "period": period_value(m, lay.period_form), "date": date_value(dt, lay.date_form),
              "preparer": lay.preparer}
    values.update(lay.label_values)
    r = r0 + 3
    for i, key in enumerate(("code", "name", "period", "date", "preparer")):
        if key in lay.omit_labels or (key == "preparer" and not lay.preparer):
            continue
        style = STYLE_CYCLE[i % len(STYLE_CYCLE)] if lay.label_style == "mixed" else lay.label_style
        sh.set(r, c0, label_text(LABELS[key], style))
        v = values[key]
        if v is not None and v != "":
            sh.set(r, c0 + 1 + lay.value_gap, v)
        r += 1
    r += 1
    for i, (_, lbl) in enumerate(cols):
        sh.set(r, c0 + i, lbl, bold=True)
    r += 1
    if not lay.header_only:
        r = _table_rows(sh, r, c0, cols, lines, lay, cons=False)
    if lay.total_row:
        sh.set(r, c0, "Tổng cộng", bold=True)
        sh.set(r, c0 + 1, f"{len(lines)} chỉ tiêu")
        r += 1
        if lay.after_total_junk:
            sh.set(r, c0, "Ghi chú: số liệu tháng trước (không tính)")
            r += 1
            if lines:
                first = lines[0]
                junk = Sheet("x")
                _table_rows(junk, r, c0, cols, [Line(first.kpi, 0, 0, "dòng cũ, bỏ qua")], lay, cons=False)
                sh.cells.update(junk.cells)
                r += 1
    if lay.signature:
        r += 1
        sig_c = c0 + max(1, width - 2)
        sh.set(r, c0, "NGƯỜI LẬP BIỂU", bold=True)
        sh.set(r, sig_c, "THỦ TRƯỞNG ĐƠN VỊ", bold=True)
        sh.set(r + 1, sig_c, "(Ký, ghi rõ họ tên, đóng dấu)")
        if lay.preparer:
            sh.set(r + 4, c0, lay.preparer)
    sh.widths = {c0 + i: (38.0 if k in ("ten",) else 24.0 if k == "ma" else 12.0) for i, (k, _) in enumerate(cols)}
    return sh


TH_COLS = [("stt", "STT"), ("ma_dv", "Mã đơn vị"), ("ten_dv", "Tên đơn vị"), ("ma", "Mã chỉ tiêu"),
           ("tu", "Tử số"), ("mau", "Mẫu số"), ("ghichu", "Ghi chú")]


def _tong_hop_sheet(m: Month, lines: list[Line], lay: Layout) -> Sheet:
    sh = Sheet(lay.tong_hop_name)
    cols = [(k, header_text(lbl, lay.header_style)) for k, lbl in TH_COLS]
    sh.set(1, 1, "TỔNG HỢP SỐ LIỆU CỦA CÁC ĐƠN VỊ TRỰC THUỘC", bold=True)
    if lay.title_merged:
        sh.merges.append((1, 1, 1, len(cols)))
    sh.set(2, 1, f"Kỳ báo cáo: Tháng {m[1]}/{m[0]}")
    for i, (_, lbl) in enumerate(cols):
        sh.set(4, 1 + i, lbl, bold=True)
    _table_rows(sh, 5, 1, cols, lines, replace(lay, rate="none"), cons=True)
    sh.widths = {1: 6.0, 2: 12.0, 3: 40.0, 4: 28.0, 5: 10.0, 6: 10.0, 7: 20.0}
    return sh


def render_xlsx(code: str, name: str, m: Month, dt: datetime, own: list[Line], cons: list[Line] | None,
                lay: Layout) -> bytes:
    sheets = [_own_sheet(code, name, m, dt, own, lay)]
    if cons is not None:
        sheets.append(_tong_hop_sheet(m, cons, lay))
    if lay.engine == "openpyxl":
        return build_openpyxl(sheets)
    return build_fast(sheets)


# ----------------------------------------------------------------------------- csv / json
CSV_HEADER = ["ma_don_vi_bao_cao", "ky_bao_cao", "ngay_bao_cao", "pham_vi", "ma_don_vi", "ma_chi_tieu", "tu_so",
              "mau_so", "ghi_chu"]


def _plain(v, lay: Layout, binary: bool):
    if v is None:
        return ""
    if binary and isinstance(v, int) and not isinstance(v, bool) and v in (0, 1):
        if lay.binary_form in ("co_khong", "co_empty_den"):
            return "Có" if v else "Không"
        if lay.binary_form == "x_empty":
            return "x" if v else ""
    v = fmt_count(v, replace(lay, float_cells=False))
    return str(v)


def render_csv(code: str, m: Month, dt: datetime, own: list[Line], cons: list[Line] | None, lay: Layout,
               period_override: dict[int, str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if lay.crlf else "\n")
    w.writerow(CSV_HEADER)
    period = period_value(m, lay.period_form)
    if isinstance(period, DateCell):
        period = f"{m[0]}-{m[1]:02d}"
    when = date_value(dt, lay.date_form if lay.date_form in ("dt_text", "d_text", "iso_d") else "dt_text")
    rows = [("own", ln) for ln in own] + [("consolidated", ln) for ln in (cons or [])]
    for i, (scope, ln) in enumerate(rows):
        kp = KPI_BY_CODE.get(ln.kpi)
        binary = bool(kp and kp.binary)
        num, den = ln.num, ln.den
        if binary and lay.binary_form in ("x_empty", "co_empty_den") and den == 1:
            den = None
        w.writerow([code, (period_override or {}).get(i, period), when, scope, ln.unit or code, ln.kpi,
                    _plain(num, lay, binary), _plain(den, lay, False), ln.note])
    text = buf.getvalue()
    return (b"\xef\xbb\xbf" if lay.bom else b"") + text.encode("utf-8")


def _jnum(v, lay: Layout, binary: bool):
    if v is None or not isinstance(v, int) or isinstance(v, bool):
        return v
    if binary and lay.binary_form in ("co_khong", "co_empty_den") and v in (0, 1):
        return "Có" if v else "Không"
    if lay.text_numbers and v >= 1000:
        return fmt_count(v, replace(lay, num_text="dot" if lay.num_text == "none" else lay.num_text))
    return v


def render_json(code: str, m: Month, dt: datetime, own: list[Line], cons: list[Line] | None, lay: Layout) -> bytes:
    period = period_value(m, lay.period_form)
    if isinstance(period, DateCell):
        period = f"{m[0]}-{m[1]:02d}"
    form = lay.date_form if lay.date_form in ("dt_text", "d_text", "iso_d") else "iso_d"
    doc: dict = {"ma_don_vi": code, "ky_bao_cao": period, "ngay_bao_cao": date_value(dt, form)}

    def item(ln: Line, with_unit: bool) -> dict:
        kp = KPI_BY_CODE.get(ln.kpi)
        binary = bool(kp and kp.binary)
        d = {}
        if with_unit:
            d["ma_don_vi"] = ln.unit
        d["ma_chi_tieu"] = ln.kpi
        d["tu_so"] = _jnum(ln.num, lay, binary)
        if not (binary and lay.binary_form in ("x_empty", "co_empty_den") and ln.den == 1):
            d["mau_so"] = _jnum(ln.den, lay, False)
        if ln.note:
            d["ghi_chu"] = ln.note
        return d

    doc["chi_tieu"] = [item(ln, False) for ln in own]
    if cons is not None:
        doc["tong_hop"] = [item(ln, True) for ln in cons]
    text = json.dumps(doc, ensure_ascii=False, indent=lay.json_indent,
                      separators=(",", ": ") if lay.json_indent else (",", ":"))
    return (text + "\n").encode("utf-8")


def render(fmt: str, code: str, name: str, m: Month, dt: datetime, own: list[Line], cons: list[Line] | None,
           lay: Layout) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(code, name, m, dt, own, cons, lay)
    if fmt == "csv":
        return render_csv(code, m, dt, own, cons, lay)
    if fmt == "json":
        return render_json(code, m, dt, own, cons, lay)
    raise ValueError(fmt)

