"""Hand-made faulty files under inbox/loi/: every reason code of contract section 5 at least once.

Each file is a realistic mistake by a real unit of the sample (a typo in a code, a month that
does not exist, a closed school still sending …). File names start with the reason code the
warehouse should give. Files for row faults replace the unit's normal submission for that
month (the unit sent only the faulty file), so their good rows are real figures and their
faulty rows fall back to the parent's consolidated figure where there is one. Files for
file faults come on top of the unit's normal submission (the unit sent it again correctly).

Run by the sample preset; `python -m de06_synth.bad_files OUT` writes them alone for a
sample registry already in OUT (useful when editing this file).
"""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .generate import Context
from .months import parse_month
from .render import Layout, Line, render, render_csv

# unit-months whose normal file is replaced by a faulty one written here
REPLACED = [
    ("74723007", "2025-02"),  # row_unknown_kpi
    ("22200002", "2025-03"),  # row_missing_value
    ("22206004", "2025-03"),  # row_non_numeric
    ("22200003", "2025-04"),  # row_negative_value (JSON)
    ("74720008", "2025-05"),  # row_numerator_exceeds_denominator
    ("22202003", "2025-06"),  # row_binary_out_of_range
    ("74722006", "2025-02"),  # row_duplicate_kpi_row
    ("206", "2025-05"),  # unknown_subject_unit, unit_outside_scope, unit_inactive (consolidated rows)
    ("74", "2025-04"),  # unit_outside_scope (a CSV 'own' row naming another unit)
]

LIMIT = 20 * 1024 * 1024


class Writer:
    def __init__(self, ctx: Context, inbox: Path):
        self.ctx, self.inbox, self.rows = ctx, inbox, []

    def put(self, name: str, data: bytes, reasons: str, unit: str = "", mk: str = "", fmt: str = "",
            dt: datetime | None = None, note: str = "", kind: str = "bad_file") -> None:
        path = f"loi/{name}"
        target = self.inbox / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        utype = self.ctx.reg.units[unit].unit_type if unit in self.ctx.reg.units else ""
        self.rows.append([path, kind, unit, utype, mk, fmt, "1", dt.strftime("%Y-%m-%d %H:%M") if dt else "", "",
                          "", reasons, note])

    # a unit's usual file for a month, with the caller's changes
    def base(self, code: str, mk: str):
        ctx = self.ctx
        m = parse_month(mk)
        p = ctx.plan(code, m)
        v = p.versions[0]
        u = ctx.reg.units[code]
        own = ctx.own_lines(code, m, v)
        cons = ctx.consolidated(code, m, {}) if u.unit_type != "school" else None
        return m, v, u.row_in(m).unit_name, own, cons

    def school(self, name: str, code: str, mk: str, reasons: str, note: str, *, own_fn=None, lay: dict | None = None,
               fmt: str | None = None, code_in_file: str | None = None, m_in_file=None, dt: datetime | None = None,
               kind: str = "bad_file") -> None:
        m, v, uname, own, cons = self.base(code, mk)
        if own_fn:
            own = own_fn(own)
        layout = replace(v.layout, engine="fast", **(lay or {}))
        f = fmt or v.fmt
        data = render(f, code_in_file or code, uname, m_in_file or m, dt or v.dt, own, cons, layout)
        name = name.format(name=uname.replace("Trường ", ""))
        self.put(f"{name}.{f}", data, reasons, code, mk, f, dt or v.dt, note, kind)


def _set(own: list[Line], which: str, **kw) -> list[Line]:
    assert any(ln.kpi == which for ln in own), which
    return [replace(ln, **kw) if ln.kpi == which else ln for ln in own]


def write_all(ctx: Context, inbox: Path, large_file: bool = False) -> list[list[str]]:
    w = Writer(ctx, inbox)
    reg = ctx.reg
    closing = next(u.code for u in reg.schools() if u.active_to and u.active_to.isoformat() == "2025-04-20")
    opening = next(u.code for u in reg.schools() if u.active_from.isoformat() == "2025-03-15")

    # ------------------------------------------------------------------ file-level faults
    w.put("unsupported_format - Báo cáo tháng 3 (Excel 97-2003).xls",
          bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504, "unsupported_format", "22194002", "2025-03", "xls",
          note="an old-format workbook; the school sent the .xlsx as well")
    m, v, uname, own, _ = w.base("22193012", "2025-03")
    good = render("xlsx", "22193012", uname, m, v.dt, own, None, replace(v.layout, engine="fast"))
    w.put("unreadable_file - file hỏng khi tải về.xlsx", good[:700], "unreadable_file", "22193012", "2025-03", "xlsx",
          note="the first 700 bytes of the school's March workbook (download cut short)")
    m, v, uname, own, _ = w.base("22205006", "2025-02")
    js = render("json", "22205006", uname, m, v.dt, own, None, v.layout).rstrip()
    w.put("unreadable_file - json thiếu dấu đóng.json", js[:-1] + b"\n", "unreadable_file", "22205006", "2025-02",
          "json", note="JSON without its closing brace")
    w.school("missing_sheet - sheet tên Sheet1", "22194001", "2025-03", "missing_sheet",
             "the own sheet is called Sheet1", lay={"sheet_name": "Sheet1"})
    # mixed_header: a CSV export holding two months
    m, v, uname, own, _ = w.base("22193010", "2025-03")
    lay = replace(v.layout, period_form="iso")
    half = len(own) // 2
    data = render_csv("22193010", m, v.dt, own, None, lay, period_override={i: "2025-04" for i in range(half, len(own))})
    w.put("mixed_header - xuất gộp tháng 3 và tháng 4.csv", data, "mixed_header", "22193010", "2025-03", "csv", v.dt,
          "rows from line %d say 2025-04" % (half + 2))
    w.school("missing_unit_code - ô mã đơn vị để trống", "22196002", "2025-04", "missing_unit_code",
             "the unit-code cell holds only spaces", lay={"label_values": {"code": "   "}})
    w.school("unknown_unit - mã đơn vị gõ nhầm 74718099", "74718009", "2025-01", "unknown_unit",
             "unit code typed 74718099 instead of 74718009", code_in_file="74718099")
    w.school("missing_period - thiếu kỳ báo cáo", "22201001", "2025-02", "missing_period",
             "no 'Kỳ báo cáo' row", lay={"omit_labels": ("period",)})
    w.school("invalid_period - Tháng 13-2025", "74719001", "2025-01", "invalid_period",
             "period 'Tháng 13/2025'", lay={"label_values": {"period": "Tháng 13/2025"}})
    w.school("missing_report_date - thiếu ngày báo cáo", "74726002", "2025-04", "missing_report_date",
             "no 'Ngày báo cáo' row", lay={"omit_labels": ("date",)})
    w.school("invalid_report_date - ngày 31-02-2025", "22203001", "2025-02", "invalid_report_date",
             "report date '31/02/2025'", lay={"label_values": {"date": "31/02/2025"}})
    w.school("period_after_report_date - kỳ tháng 5 ngày 28-04", "74725002", "2025-04", "period_after_report_date",
             "period typed 05/2025 in a report dated 28/04/2025 (the April figures)",
             m_in_file=(2025, 5), dt=datetime(2025, 4, 28, 10, 0), lay={"period_form": "mm_yyyy", "date_form": "dt_text"})
    # unit_inactive: the closed school still sends June; the new school sends January
    m, v, uname, own, _ = w.base(closing, "2025-04")
    w.put("unit_inactive - trường đã sáp nhập gửi tháng 6.xlsx",
          render("xlsx", closing, uname, (2025, 6), datetime(2025, 7, 3, 9, 0), own, None, replace(v.layout, engine="fast")),
          "unit_inactive", closing, "2025-06", "xlsx", datetime(2025, 7, 3, 9, 0),
          f"{closing} closed on 2025-04-20 (merged into its successor)")
    m, v, uname, own, _ = w.base(opening, "2025-04")
    w.put("unit_inactive - trường mới gửi tháng 1.xlsx",
          render("xlsx", opening, uname, (2025, 1), datetime(2025, 2, 4, 9, 0), own, None, replace(v.layout, engine="fast")),
          "unit_inactive", opening, "2025-01", "xlsx", datetime(2025, 2, 4, 9, 0),
          f"{opening} opens on 2025-03-15")
    w.school("no_indicator_rows - bảng chỉ có dòng tổng", "22198001", "2025-03", "no_indicator_rows",
             "a header row followed directly by 'Tổng cộng'", lay={"header_only": True, "total_row": True})
    m, v, uname, own, _ = w.base("22200003", "2025-02")
    w.put("no_indicator_rows - json chi_tieu rỗng.json",
          render("json", "22200003", uname, m, v.dt, [], None, v.layout), "no_indicator_rows", "22200003",
          "2025-02", "json", v.dt, "an empty chi_tieu array and no tong_hop")
    # not submissions at all: an Office lock file
    w.inbox.joinpath("loi").mkdir(parents=True, exist_ok=True)
    w.inbox.joinpath("loi", "~$Báo cáo tháng 3.xlsx").write_bytes(b"\x0eNguyen Thi Lan" + b"\x00" * 150)
    w.rows.append(["loi/~$Báo cáo tháng 3.xlsx", "not_a_submission", "", "", "", "xlsx", "", "", "", "", "",
                   "Office lock file: not a submission"])
    if large_file:
        m, v, uname, own, _ = w.base("22", "2025-03")
        one = render_csv("22", m, v.dt, own, None, Layout(period_form="iso"))
        head, body = one.split(b"\n", 1)
        reps = LIMIT // len(body) + 2
        w.put("file_too_large - xuất toàn tỉnh 21MB.csv", head + b"\n" + body * reps, "file_too_large", "22",
              "2025-03", "csv", v.dt, "over 20 MiB (not in the committed sample)")

    # ------------------------------------------------------------------ row-level faults (replace the normal file)
    w.school("row_unknown_kpi - {name} T2-2025", "74723007", "2025-02", "unknown_kpi",
             "TTHC_HS_TRUCTUYEN (missing underscore)", kind="bad_rows",
             own_fn=lambda o: _set(o, "TTHC_HS_TRUC_TUYEN", kpi="TTHC_HS_TRUCTUYEN"))
    w.school("row_missing_value - {name} T3-2025", "22200002", "2025-03", "missing_value",
             "CSGD_CHU_KY_SO numerator empty", kind="bad_rows",
             own_fn=lambda o: _set(o, "CSGD_CHU_KY_SO", num=None))

    def non_numeric(o):
        o = _set(o, "CSGD_HOC_BA_SO", num="12,5")
        return _set(o, "TTHC_GAN_DINH_DANH", num="khoảng 40")
    w.school("row_non_numeric - {name} T3-2025", "22206004", "2025-03", "non_numeric",
             "CSGD_HOC_BA_SO '12,5' and TTHC_GAN_DINH_DANH 'khoảng 40'; district 206 covers the school",
             kind="bad_rows", own_fn=non_numeric)
    w.school("row_negative_value - {name} T4-2025", "22200003", "2025-04", "negative_value",
             "TTHC_HS_TRUC_TUYEN tu_so -3 (JSON)", kind="bad_rows",
             own_fn=lambda o: _set(o, "TTHC_HS_TRUC_TUYEN", num=-3))

    def exceeds(o):
        d = next(ln.den for ln in o if ln.kpi == "CSGD_CHU_KY_SO")
        return _set(o, "CSGD_CHU_KY_SO", num=d + 4)
    w.school("row_numerator_exceeds_denominator - {name} T5-2025", "74720008", "2025-05",
             "numerator_exceeds_denominator", "CSGD_CHU_KY_SO numerator = denominator + 4", kind="bad_rows",
             own_fn=exceeds)
    w.school("row_binary_out_of_range - {name} T6-2025", "22202003", "2025-06", "binary_out_of_range",
             "DV_KDTM = 2", kind="bad_rows", own_fn=lambda o: _set(o, "DV_KDTM", num=2),
             lay={"binary_form": "10"})

    def dup(o):
        out = []
        for ln in o:
            out.append(ln)
            if ln.kpi == "CSGD_CHU_KY_SO":
                out.append(replace(ln, num=max(0, ln.num - 2)))  # different figures: both quarantined
            if ln.kpi == "DV_QUAN_TRIET":
                out.append(ln)  # identical: the first is accepted, the repeat quarantined
        return out
    w.school("row_duplicate_kpi_row - {name} T2-2025", "74722006", "2025-02", "duplicate_kpi_row",
             "CSGD_CHU_KY_SO twice with different figures (both quarantined); DV_QUAN_TRIET twice identical "
             "(the repeat quarantined)", kind="bad_rows", own_fn=dup)

    # district 206, May: consolidated rows about an unknown unit, a unit of another district, itself,
    # and the school closed on 2025-04-20
    m, v, uname, own, cons = w.base("206", "2025-05")
    other = next(c for c in reg.children_in("205", m) if reg.units[c].unit_type == "school")
    src = [ln for ln in ctx.own_lines(other, m)][:3]
    extra = [Line(ln.kpi, ln.num, ln.den, "", "22206999", "Trường Mầm non Yên Hải 2") for ln in src[:2]]
    extra += [Line(ln.kpi, ln.num, ln.den, "", other, reg.units[other].name) for ln in src]
    extra += [Line(k, n, d, "", "206", uname) for k, n, d in ctx.figures("206", m)[:2]]
    extra += [Line(k, n, d, "", closing, reg.units[closing].name) for k, n, d in ctx.figures(closing, (2025, 4))[:3]]
    data = render("xlsx", "206", uname, m, v.dt, own, cons + extra, replace(v.layout, engine="openpyxl"))
    w.put("row_unknown_subject_unit + unit_outside_scope + unit_inactive - Thị xã Quảng Yên T5-2025.xlsx", data,
          "unknown_subject_unit;unit_outside_scope;unit_inactive", "206", "2025-05", "xlsx", v.dt,
          f"TongHop rows about 22206999 (unknown), {other} (district 205) and 206 itself (outside scope), "
          f"{closing} (closed 2025-04-20: unit_inactive)", kind="bad_rows")
    # province 74, April (CSV): an 'own' row naming another unit
    m, v, uname, own, cons = w.base("74", "2025-04")
    own2 = own + [Line("DV_QUAN_TRIET", 1, 1, "dòng của Sở GDĐT Quảng Ninh dán nhầm", "22")]
    data = render("csv", "74", uname, m, v.dt, own2, cons, v.layout)
    w.put("row_unit_outside_scope - Sở GDĐT Bình Dương T4-2025 (dòng own của đơn vị khác).csv", data,
          "unit_outside_scope", "74", "2025-04", "csv", v.dt, "last own row names unit 22", kind="bad_rows")
    return w.rows


if __name__ == "__main__":
    import sys

    from . import sample
    out = Path(sys.argv[1])
    reg = sample.build_registry()
    ctx = Context(sample.options(out), reg)
    ctx.story = sample.story(ctx)
    for r in write_all(ctx, out / "inbox"):
        print(r[0], "->", r[10])
