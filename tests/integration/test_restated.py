"""marts.fct_kpi_area_period_restated: history rolled up on today's tree, across the
July 2025 reorganisation (Bình Dương 74 merged into Hồ Chí Minh City 79; the district tier
dissolved). Real codes; every expected figure is worked out by hand below."""

import pytest

from support import workbooks as wb
from support.pipeline import Workspace

A, B, C, D = "22193001", "74718001", "74718002", "79000001"
HS, CKS = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"

REGISTRY = [
    # Quảng Ninh keeps its code; its row is renamed on 1 July (two rows, the latest open-ended).
    ("22", "Sở GDĐT Quảng Ninh", "province", "", "", "2000-01-01", "2025-06-30", ""),
    ("22", "Sở GDĐT Thành phố Quảng Ninh", "province", "", "", "2025-07-01", "", ""),
    ("193", "Phòng GDĐT thành phố Hạ Long", "district", "22", "", "2000-01-01", "2025-06-30", ""),
    ("06688", "Phường Hạ Long", "commune", "22", "", "2025-07-01", "", ""),
    (A, "Trường Tiểu học Cao Xanh", "school", "193", "tieu_hoc", "2010-01-01", "2025-06-30", ""),
    (A, "Trường Tiểu học Cao Xanh", "school", "06688", "tieu_hoc", "2025-07-01", "", ""),
    ("74", "Sở GDĐT Bình Dương", "province", "", "", "2000-01-01", "2025-06-30", "79"),
    ("79", "Sở GDĐT Thành phố Hồ Chí Minh", "province", "", "", "2000-01-01", "", ""),
    ("718", "Phòng GDĐT thành phố Thủ Dầu Một", "district", "74", "", "2000-01-01", "2025-06-30", ""),
    ("25747", "Phường Thủ Dầu Một", "commune", "79", "", "2025-07-01", "", ""),
    (B, "Trường Tiểu học Phú Cường", "school", "718", "tieu_hoc", "2010-01-01", "2025-06-30", ""),
    (B, "Trường Tiểu học Phú Cường", "school", "25747", "tieu_hoc", "2025-07-01", "", ""),
    # Closed in May, before the merger; its pupils went to B.
    (C, "Trường Tiểu học Phú Lợi", "school", "718", "tieu_hoc", "2010-01-01", "2025-05-31", B),
    (D, "Trường THPT Lê Quý Đôn", "school", "79", "thpt", "2010-01-01", "", ""),
]
# unit -> month -> [(kpi, numerator, denominator)]
FIGURES = {
    A: {"05": [(HS, 1, 2), (CKS, 5, 10)], "06": [(HS, 2, 3)], "07": [(HS, 3, 4), (CKS, 6, 10)]},
    B: {"05": [(HS, 1, 1)], "06": [(HS, 1, 2), (CKS, 7, 10)], "07": [(HS, 2, 2), (CKS, 8, 10)]},
    C: {"05": [(HS, 2, 4), (CKS, 3, 5)]},
    D: {"05": [(HS, 1, 5), (CKS, 1, 2)], "07": [(HS, 2, 5)]},
    "74": {"06": [(HS, 10, 20)]},
    "79": {"07": [(HS, 5, 10)]},
}


@pytest.fixture(scope="module")
def crossing(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("crossing"))
    ws.write("reference/org_units.csv", wb.registry_csv(REGISTRY))
    ws.write("reference/kpi_targets.csv", "kpi_code,area_code,year,target\nTTHC_HS_TRUC_TUYEN,*,2025,0.8\n")
    for unit, months in FIGURES.items():
        for month, rows in months.items():
            due = f"03/{int(month) + 1:02d}/2025"
            ws.write(f"{unit}_{month}.xlsx", wb.school_xlsx(
                unit_code=unit, unit_name="", period=f"Tháng {int(month)}/2025", report_date=due, rows=rows))
    ws.run()
    return ws


def rows(ws, table, where="true", params=()):
    return set(ws.query(
        f"select area_code, area_type, period_type, period_start::varchar, kpi_code, numerator, "
        f"denominator, target, target_met, reporting_units from marts.{table} where {where}", list(params)))


def figure(ws, table, area, period_type, start, kpi):
    return ws.one(
        f"select numerator, denominator, reporting_units from marts.{table} where area_code = ? "
        f"and period_type = ? and period_start = ? and kpi_code = ?", [area, period_type, start, kpi])


def test_nation_is_equal_in_both_marts(crossing):
    reported = rows(crossing, "fct_kpi_area_period", "area_code = 'VN'")
    assert reported and reported == rows(crossing, "fct_kpi_area_period_restated", "area_code = 'VN'")


def test_unchanged_province_is_equal_in_both_marts(crossing):
    # Quảng Ninh kept its boundaries (only its district tier went away).
    reported = rows(crossing, "fct_kpi_area_period", "area_code = '22'")
    assert reported and reported == rows(crossing, "fct_kpi_area_period_restated", "area_code = '22'")


def test_merged_province_month_is_the_sum_of_the_provinces_merged(crossing):
    # May: Bình Dương had B 1/1 and C 2/4 (3/5); Hồ Chí Minh City had D 1/5 -> 4/10.
    assert figure(crossing, "fct_kpi_area_period", "74", "month", "2025-05-01", HS) == (3, 5, 2)
    assert figure(crossing, "fct_kpi_area_period", "79", "month", "2025-05-01", HS) == (1, 5, 1)
    assert figure(crossing, "fct_kpi_area_period_restated", "79", "month", "2025-05-01", HS) == (4, 10, 3)


def test_merged_province_year_flow_is_the_sum(crossing):
    # 74 as reported: B May+June 2/3, C 2/4, its office 10/20 = 14/27.
    # 79 as reported: B July 2/2, D 1/5 + 2/5, its office 5/10 = 10/22. Restated: 24/49.
    assert figure(crossing, "fct_kpi_area_period", "74", "year", "2025-01-01", HS)[:2] == (14, 27)
    assert figure(crossing, "fct_kpi_area_period", "79", "year", "2025-01-01", HS)[:2] == (10, 22)
    assert figure(crossing, "fct_kpi_area_period_restated", "79", "year", "2025-01-01", HS) == (24, 49, 5)


def test_merged_province_year_stock_counts_each_unit_once(crossing):
    # Each unit once, with its last figure in the year: B July 8/10, C May 3/5, D May 1/2.
    assert figure(crossing, "fct_kpi_area_period_restated", "79", "year", "2025-01-01", CKS) == (12, 17, 3)
    # As reported, B counts in both provinces (June 7/10 in 74, July 8/10 in 79).
    assert figure(crossing, "fct_kpi_area_period", "74", "year", "2025-01-01", CKS)[:2] == (10, 15)
    assert figure(crossing, "fct_kpi_area_period", "79", "year", "2025-01-01", CKS)[:2] == (9, 12)


def test_school_closed_before_the_merger_counts_in_its_successors_province(crossing):
    # C closed on 31 May under district 718 of province 74; its successor B is now in
    # Phường Thủ Dầu Một, Hồ Chí Minh City: C's May figures count there.
    assert figure(crossing, "fct_kpi_area_period_restated", "25747", "month", "2025-05-01", CKS) == (3, 5, 1)
    # Q2 (April to June): B's June 7/10, C's May 3/5, D's May 1/2.
    assert figure(crossing, "fct_kpi_area_period_restated", "79", "quarter", "2025-04-01", CKS) == (11, 17, 3)


def test_closed_areas_have_no_restated_rows_and_types_are_todays(crossing):
    areas = dict(crossing.query(
        "select distinct area_code, area_type from marts.fct_kpi_area_period_restated"))
    assert areas == {"VN": "national", "22": "province", "06688": "commune",
                     "79": "province", "25747": "commune"}
    # The restated commune carries its history from before it existed (A's May figures).
    assert figure(crossing, "fct_kpi_area_period_restated", "06688", "month", "2025-05-01", HS) == (1, 2, 1)
    # Targets follow the restated area (today's province, the `*` row here).
    assert crossing.one(
        "select target, target_met from marts.fct_kpi_area_period_restated where area_code = '79' "
        "and period_type = 'year' and period_start = '2025-01-01' and kpi_code = ?", [HS]) == (0.8, False)


def test_province_workbook_compares_on_todays_boundaries(crossing):
    """The province workbook's comparison sheet shows this period and the same period a
    year earlier on today's tree; a merged province's workbook points to its successor."""
    import duckdb

    from dagster_project.publish.report_data import province_report
    from dagster_project.publish.workbook import SHEET_COMPARISON, build_province_workbook
    from dagster_project.quality.xlsx_fast import materialize
    from support.sheets import table

    con = duckdb.connect(str(crossing.warehouse), read_only=True)
    try:
        merged = build_province_workbook(province_report(con, "79", "year", "2025-01-01"))
        closed = build_province_workbook(province_report(con, "74", "month", "2025-05-01"))
    finally:
        con.close()
    for ws in (merged[SHEET_COMPARISON], closed[SHEET_COMPARISON]):
        materialize(ws)  # table rows are kept as values until saved
    rows = {r["Mã chỉ tiêu"]: r for r in table(merged[SHEET_COMPARISON])[2]}
    assert (rows[HS]["Tử số"], rows[HS]["Mẫu số"]) == (24, 49)  # restated, as worked out above
    assert (rows[CKS]["Tử số"], rows[CKS]["Mẫu số"]) == (12, 17)
    assert rows[HS]["Tử số cùng kỳ năm trước"] is None  # no 2024 data in this story
    texts = [c.value for row in closed[SHEET_COMPARISON].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("mã 79" in t for t in texts)
