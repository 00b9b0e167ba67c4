"""The committed sample (`python -m de06_synth --sample --out sources`).

Quảng Ninh (22) and Bình Dương (74) with their real districts, about 150 schools (one in ten
of the estimated count), January–July 2025 on the crossing tree: January–June under the old
provinces and districts, July under the tree of 1 July 2025 (Quảng Ninh's communes replace its
districts; Bình Dương is merged into Hồ Chí Minh City, 79). Random events run at low rates; the
story below pins the events that the README promises, and bad_files.py adds the hand-made
faulty files under inbox/loi/. Every option is fixed here, so the bytes are fixed.

`year=True` continues the same sample to December 2025 (not committed: about 19 MB).
"""

import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from . import bad_files, generate, registry
from .months import parse_months
from .registry import Churn

SEED = 6
PROVINCES = ["22", "74"]
SCALE = 0.1
OPENING = Churn("open", "724", "mam_non", date(2025, 3, 15), name="Trường Mầm non Tuổi Hồng")
CLOSING = Churn("close", "206", "tieu_hoc", date(2025, 4, 20))  # TH Nam Hoà merges into TH Hiệp Hòa
# A Bình Dương school closed before the merger of 1 July: its history belongs to Hồ Chí Minh City
# on today's tree, through its successor.
CLOSING_74 = Churn("close", "718", "mam_non", date(2025, 5, 31))

CLEAN = {"missing": False, "resubmit": False, "duplicate": False, "fault": None}


def _dt(s: str) -> datetime:
    return datetime.strptime(s, "%d/%m/%Y %H:%M")


LAST_MONTH = "2025-07"  # the committed sample's last month: the first month on the new tree


def options(out: Path, year: bool = False, jobs: int = 2, progress: bool = True) -> generate.Options:
    return generate.Options(
        out=out, seed=SEED, tree="crossing", provinces=PROVINCES,
        months=parse_months("2025-01.." + ("2025-12" if year else LAST_MONTH)),
        late_rate=0.05, missing_rate=0.02, resubmit_rate=0.02, fault_rate=0.0, duplicate_rate=0.01,
        formats=("xlsx", "csv", "json"), jobs=jobs, scale=SCALE, churn_rate=0.0, messy=0.3, engine="fast",
        school_alt_formats=0.0,
        cover_missing=0.5, left_out_rate=0.01, mismatch_rate=0.02, province_extra_district_rate=0.0,
        manifest=None, progress=progress)


def build_registry() -> registry.Registry:
    return registry.build("crossing", PROVINCES, SEED, scale=SCALE,
                          churn=[OPENING, CLOSING, CLOSING_74], deadline_override=("22", "school", 7))


def story(ctx: generate.Context) -> generate.Story:
    reg = ctx.reg
    st = generate.Story()
    um = st.unit_month

    def pin(code: str, mk: str, **kw):
        assert code in reg.units, code
        d = um.setdefault((code, mk), {})
        d.update(kw)

    def clean(code: str, mk: str, **kw):
        """No random event for this unit-month except those asked for (earlier pins are kept)."""
        pin(code, mk, **kw)
        for k, v in CLEAN.items():
            um[(code, mk)].setdefault(k, v)

    def habit(code: str, **kw):
        assert code in reg.units, code
        st.unit_habit.setdefault(code, {}).update(kw)

    def layout(code: str, **kw):
        habit(code, layout={**st.unit_habit.get(code, {}).get("layout", {}), **kw})

    months = [f"2025-{m:02d}" for m in range(1, 7)]

    # ---- formats: provinces alternate CSV and JSON, a few schools send CSV or JSON
    for i, mk in enumerate(months):
        clean("22", mk, fmt="csv" if i % 2 == 0 else "json")
        clean("74", mk, fmt="json" if i % 2 == 0 else "csv")
    habit("22", layout={"bom": True, "crlf": True}, period_pool=("iso", "mm_yyyy"), date_pool=("dt_text", "iso_d"))
    habit("74", layout={"text_numbers": True, "json_indent": None, "binary_form": "co_khong"})
    for code in ("22193010", "74723009", "74726008"):
        habit(code, fmt="csv")
    for code in ("22205006", "74722008", "22200003"):
        habit(code, fmt="json")
    layout("74723009", bom=True, binary_form="x_empty", num_text="dot")
    layout("22200003", text_numbers=True)

    # ---- template variations (each at least once)
    layout("22194003", label_style="ascii")
    layout("22196004", label_style="nfd")
    layout("74719004", label_style="upper")
    layout("74722005", label_style="spaces")
    layout("22201002", label_style="nocolon", value_gap=1)
    layout("74725008", label_style="mixed")
    layout("74725011", num_text="dot")
    layout("74726011", num_text="space")
    layout("22193011", binary_form="x_empty")
    layout("74723010", binary_form="10")
    layout("22205007", binary_form="co_empty_den")
    layout("22206006", columns="alt1")
    layout("74721005", columns="alt2", header_style="upper")
    layout("74720004", header_style="ascii")
    layout("22194004", total_row=True, after_total_junk=True)
    layout("74719005", r0=3, c0=2, title_merged=True)
    layout("74724003", sheet_name="Báo cáo")
    layout("22199004", sheet_name="BAO CAO")
    layout("74720006", rate="value")
    layout("22205004", rate="formula")
    layout("74723006", float_cells=True)
    habit("22195004", upper_ext=True)
    layout("205", columns="namefirst", title_merged=True)  # the 'Công khai…' row is first in its row
    layout("203", total_row=True, after_total_junk=True)
    layout("718", rate="formula")  # openpyxl formulas: no cached value
    # a few district offices save their workbooks with openpyxl (theme, document properties, their own
    # XML layout); the other files use the compact writer
    for code in ("193", "194", "205", "206", "718"):
        layout(code, engine="openpyxl")
    for i, (code, form) in enumerate((("22198002", "T"), ("22199003", "mm_yyyy"), ("74720007", "excel"),
                                      ("74726005", "excel_last"), ("22203003", "thang_nam"), ("74724005", "iso"))):
        pin(code, months[i % 6], layout={"period_form": form})
    for code, form in (("74726005", "excel_dt"), ("22203002", "excel_d"), ("22201003", "d_text")):
        habit(code, date_pool=(form,))

    # ---- deadlines and lateness
    clean("22195003", "2025-03", report_dt=_dt("07/04/2025 16:20"), layout={"date_form": "dt_text"})  # QN override: on time
    clean("74724004", "2025-03", report_dt=_dt("06/04/2025 09:10"), layout={"date_form": "dt_text"})  # late
    clean("74725005", "2025-04", report_dt=_dt("05/05/2025 23:59"), layout={"date_form": "dt_text"})  # last minute
    clean("74725006", "2025-04", report_dt=_dt("06/05/2025 00:00"), layout={"date_form": "dt_text"})  # one minute late
    clean("196", "2025-02", report_dt=_dt("10/03/2025 15:00"))  # a district office late
    clean("74", "2025-06", fmt="csv", report_dt=_dt("11/07/2025 08:40"))  # a province late (due the 10th)

    # ---- missing units
    clean("22199002", "2025-05", missing=True)  # nobody covers it: no figure at all
    clean("199", "2025-05")
    st.cons[("199", "22199002", "2025-05")] = "no_cover"
    # parent precedence: the district fills in for a school that did not send
    clean("22193006", "2025-04", missing=True)
    clean("193", "2025-04")
    st.cons[("193", "22193006", "2025-04")] = "cover"
    # parent precedence for a directly managed school: the province fills in
    clean("22193013", "2025-02", missing=True)
    clean("22", "2025-02")
    st.cons[("22", "22193013", "2025-02")] = "cover"
    # grandparent precedence: school and its district both silent, the province covers both
    clean("74721003", "2025-05", missing=True)
    clean("721", "2025-05", missing=True)
    clean("74", "2025-05")
    # a quarantined row falls back to the district's figure (bad file loi/row_non_numeric …)
    clean("206", "2025-03")
    st.cons[("206", "22206004", "2025-03")] = "cover"

    # ---- resubmissions
    f = {k: (n, d) for k, n, d in ctx.figures("22195001", (2025, 2))}
    n, d = f["CSGD_CHU_KY_SO"]
    n2, d2 = f["CSGD_XAC_THUC_HOC_SINH"]
    clean("22195001", "2025-02", resubmit=True, report_dt=_dt("04/03/2025 08:15"),
          report_dt2=_dt("10/03/2025 14:20"), layout={"date_form": "dt_text"},
          changes={"CSGD_CHU_KY_SO": (min(d, n + 2), d), "CSGD_XAC_THUC_HOC_SINH": (max(0, n2 - 4), d2)})
    clean("195", "2025-02")
    for k in ("22195001",):
        st.cons[("195", k, "2025-02")] = "cover"
    clean("194", "2025-04", resubmit=True, report_dt=_dt("07/05/2025 10:30"), report_dt2=_dt("09/05/2025 16:45"))
    clean("22", "2025-06", resubmit=True, report_dt=_dt("08/07/2025 09:00"), report_dt2=_dt("12/07/2025 11:30"))
    clean("74722008", "2025-03", resubmit=True, report_dt=_dt("03/04/2025 10:00"),
          report_dt2=_dt("04/04/2025 08:30"))  # a JSON resubmission

    # ---- duplicates: identical bytes in another folder
    clean("22193005", "2025-01", duplicate=True,
          dup_path="email chuyển tiếp/2025-02/Fwd Báo cáo tháng 1 - Trường Tiểu học Vũ Oai.xlsx")
    clean("74", "2025-03", duplicate=True, dup_path="74/trung_lap/So GDDT Binh Duong - bao cao thang 3.json")
    clean("74724003", "2025-02", duplicate=True)

    # ---- reconciliation
    clean("22193009", "2025-03")
    clean("193", "2025-03")
    st.cons[("193", "22193009", "2025-03")] = "mismatch"
    clean("22196003", "2025-03")
    clean("196", "2025-03")
    st.cons[("196", "22196003", "2025-03")] = "left_out"

    # ---- warnings
    clean("22202002", "2025-03", layout={"name_override": "Trường TH Lương Minh - Ba Chẽ"})
    clean("74720006", "2025-03", layout={"rate_error_kpi": "CSGD_CHU_KY_SO"})

    # ---- provinces: which districts' schools they also consolidate
    for mk in months:
        st.prov_districts[("22", mk)] = ["193"] if mk == "2025-03" else []
        st.prov_districts[("74", mk)] = ["721"] if mk == "2025-05" else []

    # ---- the opening and the closing school
    opening = next(u.code for u in reg.schools() if u.active_from == OPENING.on)
    closing = next(u.code for u in reg.schools() if u.active_to == CLOSING.on)
    clean(opening, "2025-03", report_dt=_dt("04/04/2025 09:00"))  # partial month: may report, not expected
    clean(closing, "2025-04", report_dt=_dt("05/05/2025 08:00"))

    # ---- files replaced by a faulty version under inbox/loi/
    for code, mk in bad_files.REPLACED:
        clean(code, mk, skip=True)

    # ---- a value exactly at its target: district 718, March, TTHC_HS_TRUC_TUYEN = 0.60 (the 718 override)
    m = (2025, 3)
    kids = [c for c in reg.children_in("718", m) if reg.units[c].unit_type == "school"]
    for c in kids + ["718"]:
        clean(c, "2025-03", late=False)
    sn = sd = 0
    for c in kids:
        for k, n, d in ctx.figures(c, m):
            if k == "TTHC_HS_TRUC_TUYEN":
                sn, sd = sn + n, sd + d
    off = {k: (n, d) for k, n, d in ctx.figures("718", m)}
    d = off["TTHC_HS_TRUC_TUYEN"][1]
    while True:
        tot = sd + d
        if tot % 5 == 0 and 0 <= 3 * tot // 5 - sn <= d:
            break
        d += 1
    st.fig[("718", "2025-03", "TTHC_HS_TRUC_TUYEN")] = (3 * (sd + d) // 5 - sn, d)
    gn, _ = off["TTHC_GAN_DINH_DANH"]
    st.fig[("718", "2025-03", "TTHC_GAN_DINH_DANH")] = (min(gn, d), d)
    return st


def build_sample(out: Path, year: bool = False, large_file: bool = False, jobs: int = 2,
                 progress: bool = True, manifest_name: str = "sample_manifest.csv") -> dict:
    out = Path(out)
    for sub in ("inbox", "reference"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "inbox").mkdir(parents=True)
    reg = build_registry()
    opt = replace(options(out, year, jobs, progress), manifest=out / manifest_name)
    ctx = generate.Context(opt, reg)
    ctx.story = story(ctx)
    extra = bad_files.write_all(ctx, out / "inbox", large_file=large_file)
    return generate.run(ctx, extra_rows=extra)
