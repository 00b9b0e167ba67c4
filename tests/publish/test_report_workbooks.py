"""The published report workbooks, end to end: real files in, the pipeline, the warehouse,
the workbooks reopened with openpyxl and read back.

A small story on real codes (Quảng Ninh 22 with Hạ Long 193 and Móng Cái 194, plus Bình
Dương 74 to prove the province filter), January to March 2025. Two registry names are
hostile: district 193 is called `=1+1` and school S1 `=HYPERLINK("http://x","y")`.
Expected figures are worked out by hand in the comments, never by the code under test.
"""

import hashlib
import json
import shutil
from datetime import date, datetime

import duckdb
import openpyxl
import pytest

from dagster_project.publish import report_data as rd
from dagster_project.publish import versions
from dagster_project.publish.workbook import (
    DISTRICT_SHEETS,
    PLAN_TITLE,
    PROVINCE_SHEETS,
    build_district_workbook,
    build_province_workbook,
)
from support import workbooks as wb
from support.pipeline import Workspace
from support.sheets import table
from support.story import school

S1, S2, S3, S4, S5 = "22193001", "22193002", "22194001", "22000001", "74718001"
LINK_NAME = '=HYPERLINK("http://x","y")'
FORMULA_NAME = "=1+1"

REGISTRY = [
    ("22", "Tỉnh Quảng Ninh", "province", "", "", "2000-01-01", "", ""),
    ("193", FORMULA_NAME, "district", "22", "", "2000-01-01", "", ""),
    ("194", "Thành phố Móng Cái", "district", "22", "", "2000-01-01", "", ""),
    (S1, LINK_NAME, "school", "193", "tieu_hoc", "2010-01-01", "", ""),
    (S2, "Trường THCS Hạ Long", "school", "193", "thcs", "2010-01-01", "", ""),
    (S3, "Trường Mầm non Hoa Mai", "school", "194", "mam_non", "2010-01-01", "", ""),
    (S4, "Trường THPT Hòn Gai", "school", "22", "thpt", "2010-01-01", "", ""),
    ("74", "Tỉnh Bình Dương", "province", "", "", "2000-01-01", "", ""),
    ("718", "Thành phố Thủ Dầu Một", "district", "74", "", "2000-01-01", "", ""),
    (S5, "Trường Tiểu học Phú Cường", "school", "718", "tieu_hoc", "2010-01-01", "", ""),
]
TARGETS = """kpi_code,area_code,year,target
TTHC_HS_TRUC_TUYEN,*,2025,0.80
CSGD_CHU_KY_SO,*,2025,1.00
"""
HS, CKS = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"
Q1 = date(2025, 1, 1)


def write_story(ws: Workspace) -> None:
    ws.write("reference/org_units.csv", wb.registry_csv(REGISTRY))
    ws.write("reference/kpi_targets.csv", TARGETS)
    # S1 reports every month itself, on time.
    ws.write("truong/s1_t1.xlsx", school(S1, "Tháng 1/2025", "03/02/2025", [(HS, 3, 4), (CKS, 10, 20)]))
    ws.write("truong/s1_t2.xlsx", school(S1, "Tháng 2/2025", "04/03/2025", [(HS, 5, 6), (CKS, 12, 20)]))
    ws.write("truong/s1_t3.xlsx", school(S1, "Tháng 3/2025", "04/04/2025", [(HS, 7, 10), (CKS, 14, 20)]))
    # S2: January late (6 Feb; the school deadline is day 5), nothing in February, March on time.
    ws.write("truong/s2_t1.xlsx", school(S2, "Tháng 1/2025", "06/02/2025", [(CKS, 5, 10)]))
    ws.write("truong/s2_t3.xlsx", school(S2, "Tháng 3/2025", "05/04/2025", [(HS, 2, 5), (CKS, 9, 10)]))
    # District 193 ("=1+1"). January: own HS 8/10; consolidates S2 CKS 5/11 (S2 says 5/10:
    # mismatch). February: S2 HS 1/3 and CKS 6/10 for a school that sent nothing (parent).
    ws.write("phong/193_t1.xlsx", school("193", "Tháng 1/2025", "08/02/2025", [(HS, 8, 10)],
                                         consolidated=[(S2, CKS, 5, 11)]))  # fmt: skip
    ws.write("phong/193_t2.xlsx", school("193", "Tháng 2/2025", "07/03/2025", [],
                                         consolidated=[(S2, HS, 1, 3), (S2, CKS, 6, 10)]))  # fmt: skip
    # S3 (Móng Cái) March: HS 1/2 itself; its CKS 4/8 only from the province (grandparent).
    ws.write("truong/s3_t3.xlsx", school(S3, "Tháng 3/2025", "05/04/2025", [(HS, 1, 2)]))
    ws.write(
        "so/22_t3.csv",
        wb.csv_bytes([
            wb.csv_record(HS, 30, 40, sender="22", period="2025-03", report_date="10/04/2025 16:30"),
            wb.csv_record(CKS, 4, 8, sender="22", period="2025-03", report_date="10/04/2025 16:30",
                          scope="consolidated", unit=S3),
        ]),
    )  # fmt: skip
    # Another province: never in Quảng Ninh's report.
    ws.write("binhduong/s5_t3.xlsx", school(S5, "Tháng 3/2025", "05/04/2025", [(HS, 6, 10), (CKS, 1, 2)]))


# Quảng Ninh, Q1, dossiers online (flow): S1 3/4+5/6+7/10 = 15/20; 193 own 8/10;
# S2 1/3 (Feb, parent) + 2/5 (Mar) = 3/8; S3 1/2; the province office 30/40 -> 57/80.
QN_Q1_HS = (57, 80)
# Digital signatures (stock, last month with a figure): S1 14/20, S2 9/10, S3 4/8 -> 27/38.
QN_Q1_CKS = (27, 38)


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("publish_story"))
    write_story(ws)
    ws.run()
    return ws


@pytest.fixture(scope="module")
def corrected(story, tmp_path_factory) -> Workspace:
    """A copy of the story after S1 corrected its March report: HS 8/10 instead of 7/10,
    sent on a later date (a new current version)."""
    ws = Workspace(tmp_path_factory.mktemp("publish_corrected"))
    shutil.copytree(story.root, ws.root, dirs_exist_ok=True)
    ws.write("truong/s1_t3_sua.xlsx", school(S1, "Tháng 3/2025", "12/04/2025 09:00", [(HS, 8, 10), (CKS, 14, 20)]))
    ws.run()
    return ws


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality")
    problems = {
        "problems": {
            "marts.fct_reconciliation:match": {
                "id": "Q-AAAA0001", "status": "open", "severity": "warning",
                "suite": "marts.fct_reconciliation", "what_vi": "=SUM(A1:A9)",
                "how_to_resolve_vi": "Rà soát bảng Tổng hợp.", "unexpected_count": 3,
            },
            "marts.fct_kpi_unit_month:keys": {
                "id": "Q-BBBB0002", "status": "open", "severity": "critical",
                "suite": "marts.fct_kpi_unit_month", "what_vi": "Khóa không trùng lặp",
                "unexpected_count": 1,
            },
            "audit.submissions:old": {
                "id": "Q-CCCC0003", "status": "resolved", "severity": "critical",
                "suite": "audit.submissions", "what_vi": "Đã xử lý", "unexpected_count": 0,
            },
        }
    }  # fmt: skip
    (folder / "problems.json").write_text(json.dumps(problems, ensure_ascii=False), encoding="utf-8")
    return folder


def connect(ws: Workspace):
    return duckdb.connect(str(ws.warehouse), read_only=True)


def province_report(ws, period_type="quarter", start=Q1, quality=None):
    con = connect(ws)
    try:
        return rd.province_report(con, "22", period_type, start, quality)
    finally:
        con.close()


@pytest.fixture(scope="module")
def province_book(story, quality_dir, tmp_path_factory):
    """The Q1 province workbook, saved and reopened."""
    report = province_report(story, quality=quality_dir)
    out = tmp_path_factory.mktemp("book") / "22_2025-Q1.xlsx"
    build_province_workbook(report).save(out)
    return openpyxl.load_workbook(out)


# --- the data ----------------------------------------------------------------------------


def test_province_report_figures_by_hand(story):
    report = province_report(story)
    summary = {r.indicator.kpi_code: r for r in report.summary}
    assert (summary[HS].numerator, summary[HS].denominator) == QN_Q1_HS
    assert (summary[CKS].numerator, summary[CKS].denominator) == QN_Q1_CKS
    assert summary[HS].status_vi == "Chưa đạt"  # 57/80 = 71.25 % < 80 %
    assert summary["DV_KDTM"].status_vi == "Không có chỉ tiêu" and summary["DV_KDTM"].numerator is None
    assert [r.indicator.kpi_code for r in report.summary][:2] == [HS, "TTHC_THANH_TOAN_TRUC_TUYEN"]
    # Districts: Hạ Long Q1 HS = S1 15/20 + own 8/10 + S2 3/8 = 26/38; Móng Cái = S3 1/2.
    areas = {(a.area_code, a.indicator.kpi_code): a for a in report.areas}
    assert (areas[("193", HS)].numerator, areas[("193", HS)].denominator) == (26, 38)
    assert (areas[("194", HS)].numerator, areas[("194", HS)].denominator) == (1, 2)
    assert {a.area_code for a in report.areas} == {"193", "194"}
    # Schools: S5 (Bình Dương) is not there; S4 has no figure and is still listed.
    schools = {(s.unit_code, s.indicator.kpi_code if s.indicator else None): s for s in report.schools}
    assert {code for code, _ in schools} == {S1, S2, S3, S4}
    assert schools[(S4, None)].source_vi == "Không có số liệu trong kỳ"
    s2_hs = schools[(S2, HS)]
    assert (s2_hs.numerator, s2_hs.denominator) == (3, 8)
    assert s2_hs.source_levels == ("self", "parent")
    assert s2_hs.months == (date(2025, 2, 1), date(2025, 3, 1))
    s3_cks = schools[(S3, CKS)]
    assert (s3_cks.numerator, s3_cks.denominator, s3_cks.source_vi) == (4, 8, "Cấp trên hai bậc tổng hợp")


def test_month_report_source_levels(story):
    # February: S2's figures come only from its district's consolidated sheet.
    report = province_report(story, "month", date(2025, 2, 1))
    s2 = {s.indicator.kpi_code: s for s in report.schools if s.unit_code == S2}
    assert (s2[CKS].numerator, s2[CKS].denominator, s2[CKS].source_vi) == (6, 10, "Cấp trên trực tiếp tổng hợp")
    # Change against January in percentage points: Quảng Ninh HS January = S1 3/4 + 193 8/10
    # = 11/14; February = S1 5/6 + S2 1/3 = 6/9.
    hs = next(r for r in report.summary if r.indicator.kpi_code == HS)
    assert (hs.numerator, hs.denominator) == (6, 9)
    assert hs.previous_value == pytest.approx(11 / 14)
    assert hs.change_points == pytest.approx((6 / 9 - 11 / 14) * 100)


def test_progress_lists_missing_and_late_units_with_deadline(story):
    report = province_report(story)
    january = next(c for c in report.completeness if c.month == date(2025, 1, 1))
    # Expected: 22, 193, 194, S1, S2, S3, S4 = 7; received S1, S2, 193; on time S1, 193.
    assert (january.expected_units, january.received_units, january.on_time_units) == (7, 3, 2)
    missing = {(m.month, m.unit_code): m for m in report.missing_units}
    late = missing[(date(2025, 1, 1), S2)]
    assert late.due_date == date(2025, 2, 5) and late.days_late == 1
    assert late.status_vi == "Báo cáo muộn 1 ngày"
    silent = missing[(date(2025, 3, 1), S4)]
    assert silent.first_report_date is None and silent.status_vi == "Chưa báo cáo"
    assert silent.due_date == date(2025, 4, 5)
    # Móng Cái's office (deadline day 8) never reported.
    assert missing[(date(2025, 2, 1), "194")].due_date == date(2025, 3, 8)
    assert (date(2025, 1, 1), S1) not in missing


def test_reconciliation_differences(story):
    report = province_report(story)
    rows = {(r.month, r.unit_code, r.indicator.kpi_code, r.status): r for r in report.reconciliation}
    mismatch = rows[(date(2025, 1, 1), S2, CKS, "mismatch")]
    assert (mismatch.self_numerator, mismatch.self_denominator) == (5, 10)
    assert (mismatch.reported_by, mismatch.reported_numerator, mismatch.reported_denominator) == ("193", 5, 11)
    assert mismatch.reported_by_name == FORMULA_NAME
    assert (date(2025, 2, 1), S2, CKS, "missing_self") in rows
    assert all(r.status != "match" for r in report.reconciliation)


# --- the province workbook ---------------------------------------------------------------


def test_province_workbook_structure(province_book):
    assert province_book.sheetnames == list(PROVINCE_SHEETS)
    summary = province_book["TongHop"]
    assert summary["A1"].value == PLAN_TITLE
    assert any("Tỉnh Quảng Ninh" in str(summary.cell(row=r, column=1).value) for r in range(1, 5))
    assert any("Quý I/2025" in str(summary.cell(row=r, column=1).value) for r in range(1, 5))
    assert summary._charts and province_book["TienDoBaoCao"]._charts
    header, names, rows = table(summary)
    value_col = names.index("Tỷ lệ") + 1
    assert summary.cell(row=header + 1, column=value_col).number_format == "0.0%"
    assert summary.cell(row=header + 1, column=names.index("Chỉ tiêu kế hoạch") + 1).number_format == "0.0%"
    for sheet in province_book.worksheets:
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows, sheet.title
    assert summary.freeze_panes == f"D{header + 1}"


def test_summary_sheet_equals_the_mart(story, province_book):
    _, _, rows = table(province_book["TongHop"])
    con = connect(story)
    try:
        mart = {
            r[0]: r[1:]
            for r in con.execute(
                """select kpi_code, numerator, denominator, value, target, target_met, reporting_units
                   from marts.fct_kpi_area_period
                   where area_code = '22' and period_type = 'quarter' and period_start = ?""",
                [Q1],
            ).fetchall()
        }
        kpis = [r[0] for r in con.execute("select kpi_code from marts.dim_kpi order by sort_order").fetchall()]
    finally:
        con.close()
    assert [r["Mã chỉ tiêu"] for r in rows] == kpis  # every indicator, in sort order
    assert set(mart) == {HS, CKS}
    for row in rows:
        code = row["Mã chỉ tiêu"]
        if code not in mart:
            assert row["Tử số"] is None and row["Tỷ lệ"] is None
            continue
        num, den, value, target, met, units = mart[code]
        assert (row["Tử số"], row["Mẫu số"], row["Số đơn vị có số liệu"]) == (num, den, units)
        assert row["Tỷ lệ"] == pytest.approx(value)
        assert row["Chỉ tiêu kế hoạch"] == pytest.approx(target)
        assert row["Đánh giá"] == ("Đạt" if met else "Chưa đạt")
    hs = next(r for r in rows if r["Mã chỉ tiêu"] == HS)
    assert (hs["Tử số"], hs["Mẫu số"]) == QN_Q1_HS


def test_area_and_school_sheets(province_book):
    _, _, areas = table(province_book["TheoDiaBan"])
    ha_long = next(r for r in areas if r["Mã địa bàn"] == "193" and r["Mã chỉ tiêu"] == HS)
    assert (ha_long["Tử số"], ha_long["Mẫu số"]) == (26, 38)
    _, _, schools = table(province_book["TheoTruong"])
    s2 = next(r for r in schools if r["Mã trường"] == S2 and r["Mã chỉ tiêu"] == HS)
    assert (s2["Tử số"], s2["Mẫu số"]) == (3, 8)
    assert s2["Nguồn số liệu"] == "Đơn vị tự báo cáo; Cấp trên trực tiếp tổng hợp"
    s3 = next(r for r in schools if r["Mã trường"] == S3 and r["Mã chỉ tiêu"] == CKS)
    assert s3["Nguồn số liệu"] == "Cấp trên hai bậc tổng hợp"
    assert {r["Mã trường"] for r in schools} == {S1, S2, S3, S4}


def test_progress_sheet(province_book):
    ws = province_book["TienDoBaoCao"]
    _, _, months = table(ws, "Tháng")
    assert [m["Tháng"] for m in months] == ["Tháng 1/2025", "Tháng 2/2025", "Tháng 3/2025"]
    assert (months[0]["Số đơn vị phải báo cáo"], months[0]["Số đơn vị đã báo cáo"]) == (7, 3)
    assert months[0]["Tỷ lệ đã báo cáo"] == pytest.approx(3 / 7)
    header, names, units = table(ws)
    late = next(u for u in units if u["Mã đơn vị"] == S2 and u["Tháng"] == "Tháng 1/2025")
    assert late["Hạn báo cáo"] == datetime(2025, 2, 5)
    assert late["Tình trạng"] == "Báo cáo muộn 1 ngày"
    assert ws.cell(row=header + 1, column=names.index("Hạn báo cáo") + 1).number_format == "dd/mm/yyyy"
    silent = [u for u in units if u["Mã đơn vị"] == S4]
    assert len(silent) == 3 and {u["Tình trạng"] for u in silent} == {"Chưa báo cáo"}


def test_reconciliation_and_quality_sheets(province_book):
    _, _, diffs = table(province_book["DoiChieu"])
    mismatch = next(d for d in diffs if d["Tình trạng"] == "Số liệu không khớp")
    assert (mismatch["Mã đơn vị"], mismatch["Mã chỉ tiêu"]) == (S2, CKS)
    assert (mismatch["Tử số đơn vị tự báo cáo"], mismatch["Mẫu số đơn vị tự báo cáo"]) == (5, 10)
    assert (mismatch["Tử số cấp trên tổng hợp"], mismatch["Mẫu số cấp trên tổng hợp"]) == (5, 11)
    _, _, problems = table(province_book["ChatLuong"])
    # Open problems only, critical first; the resolved one is not listed.
    assert [(p["Mã vấn đề"], p["Mức độ"]) for p in problems] == [
        ("Q-BBBB0002", "Nghiêm trọng"), ("Q-AAAA0001", "Cảnh báo"),
    ]  # fmt: skip
    assert problems[1]["Nội dung kiểm tra"] == "=SUM(A1:A9)"


def test_hostile_names_stay_text(province_book):
    def cells_with(value):
        return [
            cell for sheet in province_book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value == value
        ]  # fmt: skip

    link_cells, formula_cells = cells_with(LINK_NAME), cells_with(FORMULA_NAME)
    assert link_cells and formula_cells and cells_with("=SUM(A1:A9)")
    # The school's name in TheoTruong; the district's in TheoDiaBan, TheoTruong, DoiChieu.
    assert "TheoTruong" in {c.parent.title for c in link_cells}
    assert {"TheoDiaBan", "TheoTruong", "DoiChieu"} <= {c.parent.title for c in formula_cells}
    for cell in link_cells + formula_cells:
        assert cell.data_type == "s" and cell.hyperlink is None
    for sheet in province_book.worksheets:
        assert not sheet._hyperlinks
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), sheet.title


def test_district_workbook(story, tmp_path):
    con = connect(story)
    try:
        report = rd.district_report(con, "193", "month", date(2025, 2, 1), None)
        mart = dict(
            (r[0], r[1:])
            for r in con.execute(
                """select kpi_code, numerator, denominator from marts.fct_kpi_area_period
                   where area_code = '193' and period_type = 'month' and period_start = '2025-02-01'"""
            ).fetchall()
        )
    finally:
        con.close()
    assert report.province_code == "22" and report.province_name == "Tỉnh Quảng Ninh"
    path = tmp_path / "193.xlsx"
    build_district_workbook(report).save(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(DISTRICT_SHEETS)
    _, _, rows = table(book["TongHop"])
    shown = {r["Mã chỉ tiêu"]: (r["Tử số"], r["Mẫu số"]) for r in rows if r["Tử số"] is not None}
    # Hạ Long, February: S1 HS 5/6 + S2 1/3 = 6/9; CKS S1 12/20 + S2 6/10 = 18/30.
    assert shown == {k: tuple(v) for k, v in mart.items()} == {HS: (6, 9), CKS: (18, 30)}
    _, _, schools = table(book["TheoTruong"])
    assert {r["Mã trường"] for r in schools} == {S1, S2}
    assert book["TongHop"]._charts and book["TienDoBaoCao"]._charts


def test_listings(story):
    con = connect(story)
    try:
        assert rd.provinces_with_data(con, "quarter", Q1) == ["22", "74"]
        assert rd.areas_with_data(con, "22", "quarter", Q1) == ["193", "194"]
        assert rd.areas_with_data(con, "22", "month", date(2025, 1, 1)) == ["193"]
    finally:
        con.close()


# --- versions ----------------------------------------------------------------------------


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_is_frozen_and_versioned(story, corrected, tmp_path):
    out = tmp_path / "out"
    stem = "22_2025-Q1"

    first_report = province_report(story)
    first = versions.publish(out, stem, lambda: build_province_workbook(first_report), first_report.figures)
    assert (first.version, first.changed, first.path.name) == (1, True, f"{stem}_v1.xlsx")
    sidecar = json.loads((out / f"{stem}_v1.json").read_text(encoding="utf-8"))
    key = json.dumps(["22", HS, "2025-Q1"], ensure_ascii=False)
    assert sidecar["figures"][key][:2] == list(QN_Q1_HS)
    assert sidecar["figures"][key][3] == pytest.approx(0.80)
    v1_digest = _digest(first.path)

    # Same figures (a fresh report from the same warehouse): nothing new.
    calls = []
    again_report = province_report(story)
    again = versions.publish(out, stem, lambda: calls.append(1) or build_province_workbook(again_report),
                             again_report.figures)  # fmt: skip
    assert (again.version, again.changed, again.path) == (1, False, first.path)
    assert not calls
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}_v1.json", f"{stem}_v1.xlsx"]

    # After S1's corrected March (HS 8/10 instead of 7/10): version 2 with the changes.
    new_report = province_report(corrected)
    second = versions.publish(out, stem, lambda: build_province_workbook(new_report), new_report.figures)
    assert (second.version, second.changed, second.path.name) == (2, True, f"{stem}_v2.xlsx")
    assert _digest(first.path) == v1_digest  # version 1 untouched
    book = openpyxl.load_workbook(second.path)
    assert book.sheetnames == [*PROVINCE_SHEETS, "ThayDoi"]
    _, _, changes = table(book["ThayDoi"])
    by_key = {(c["Mã địa bàn/đơn vị"], c["Mã chỉ tiêu"], c["Kỳ"]): c for c in changes}
    province = by_key[("22", HS, "Quý I/2025")]
    assert (province["Tử số cũ"], province["Tử số mới"]) == (57, 58)
    assert (province["Mẫu số cũ"], province["Mẫu số mới"]) == (80, 80)
    assert province["Tỷ lệ cũ"] == pytest.approx(57 / 80) and province["Tỷ lệ mới"] == pytest.approx(58 / 80)
    assert province["Tên địa bàn/đơn vị"] == "Tỉnh Quảng Ninh"
    # The district ("=1+1") and the school (S1) changed too; nothing else did.
    district = by_key[("193", HS, "Quý I/2025")]
    assert (district["Tử số cũ"], district["Tử số mới"], district["Tên địa bàn/đơn vị"]) == (26, 27, FORMULA_NAME)
    assert by_key[(S1, HS, "Quý I/2025")]["Tên địa bàn/đơn vị"] == LINK_NAME
    assert set(by_key) == {("22", HS, "Quý I/2025"), ("193", HS, "Quý I/2025"), (S1, HS, "Quý I/2025")}
    school_name = next(c for c in book["ThayDoi"]["E"] if c.value == LINK_NAME)
    assert school_name.data_type == "s"

    # Publishing the corrected figures again changes nothing.
    third = versions.publish(out, stem, lambda: build_province_workbook(new_report), new_report.figures)
    assert (third.version, third.changed) == (2, False)


def test_publish_never_reuses_an_interrupted_version(tmp_path):
    figures = {("22", HS, "2025-Q1"): (1, 2, 0.5, 0.8)}
    first = versions.publish(tmp_path, "r", openpyxl.Workbook, figures)
    # An interrupted publish left v2's workbook without its sidecar.
    (tmp_path / "r_v2.xlsx").write_bytes(b"partial")
    second = versions.publish(tmp_path, "r", openpyxl.Workbook, {("22", HS, "2025-Q1"): (2, 2, 1.0, 0.8)})
    assert (first.version, second.version) == (1, 3)
    assert (tmp_path / "r_v2.xlsx").read_bytes() == b"partial"
    changes = openpyxl.load_workbook(second.path)["ThayDoi"]
    _, _, rows = table(changes)
    assert [(r["Tử số cũ"], r["Tử số mới"], r["Loại thay đổi"]) for r in rows] == [(1, 2, "Thay đổi")]
