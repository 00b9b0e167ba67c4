"""Contract section 4 and 7 rules, end to end: real files in, real warehouse out.

A small story on real codes (Quảng Ninh 22 with Hạ Long 193 and Móng Cái 194; Bình
Dương 74 with Thủ Dầu Một 718), January to March 2025. Every expected figure below is
worked out by hand in the comments, never by the code under test.
"""

import pytest

from support import workbooks as wb
from support.pipeline import Workspace

S1, S2, S3, S4, S5 = "22193001", "22193002", "22193003", "22000001", "74718001"

REGISTRY = [
    ("22", "Sở GDĐT Quảng Ninh", "province", "", "", "2000-01-01", "", ""),
    ("193", "Phòng GDĐT thành phố Hạ Long", "district", "22", "", "2000-01-01", "", ""),
    ("194", "Phòng GDĐT thành phố Móng Cái", "district", "22", "", "2000-01-01", "", ""),
    (S1, "Trường Tiểu học Cao Xanh", "school", "193", "tieu_hoc", "2010-01-01", "", ""),
    (S2, "Trường THCS Hạ Long", "school", "193", "thcs", "2010-01-01", "", ""),
    (S3, "Trường Mầm non Hoa Mai", "school", "193", "mam_non", "2010-01-01", "", ""),
    (S4, "Trường THPT Hòn Gai", "school", "22", "thpt", "2010-01-01", "", ""),
    ("74", "Sở GDĐT Bình Dương", "province", "", "", "2000-01-01", "", ""),
    ("718", "Phòng GDĐT thành phố Thủ Dầu Một", "district", "74", "", "2000-01-01", "", ""),
    (S5, "Trường Tiểu học Phú Cường", "school", "718", "tieu_hoc", "2010-01-01", "", ""),
]
TARGETS = """kpi_code,area_code,year,target
TTHC_HS_TRUC_TUYEN,*,2025,0.80
CSGD_CHU_KY_SO,*,2025,1.00
TTHC_HS_TRUC_TUYEN,718,2025,0.60
"""
HS, CKS = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"


def school(unit, period, report_date, rows, consolidated=None, name="Trường"):
    return wb.school_xlsx(
        unit_code=unit, unit_name=name, period=period, report_date=report_date,
        rows=rows, consolidated=consolidated,
    )  # fmt: skip


def write_story(ws: Workspace) -> None:
    ws.write("reference/org_units.csv", wb.registry_csv(REGISTRY))
    ws.write("reference/kpi_targets.csv", TARGETS)
    # S1, January: two versions. v1 (3 Feb) is the first, on time; v2 (4 Feb) is current.
    ws.write("truong/s1_t1_lan1.xlsx", school(S1, "Tháng 1/2025", "03/02/2025", [(HS, 3, 4), (CKS, 9, 20)]))
    ws.write("truong/s1_t1_lan2.xlsx", school(S1, "Tháng 1/2025", "04/02/2025 10:00", [(HS, 3, 4), (CKS, 10, 20)]))
    ws.write("truong/s1_t2.xlsx", school(S1, "T2/2025", "05/03/2025", [(HS, 5, 6), (CKS, 12, 20)]))
    ws.write("truong/s1_t3.xlsx", school(S1, "03/2025", "04/04/2025", [(HS, 7, 10)]))
    # S2: January late (6 Feb, school deadline day 5); March sent as JSON.
    ws.write("truong/s2_t1.xlsx", school(S2, "2025-01", "06/02/2025", [(CKS, 5, 10)]))
    ws.write(
        "truong/s2_t3.json",
        wb.json_bytes(wb.json_doc(
            unit=S2, period="2025-03", report_date="2025-04-05",
            chi_tieu=[{"ma_chi_tieu": CKS, "tu_so": 9, "mau_so": 10}],
        )),
    )  # fmt: skip
    # District 193. January (8 Feb, on time): own HS 8/10; consolidates S1 CKS 10/20
    # (match with S1's current v2), S2 CKS 5/11 (mismatch: S2 says 5/10), and leaves
    # out S1's HS (missing_consolidated).
    ws.write(
        "phong/193_t1.xlsx",
        school("193", "Tháng 01 năm 2025", "08/02/2025", [(HS, 8, 10)],
               consolidated=[(S1, CKS, 10, 20), (S2, CKS, 5, 11)]),
    )  # fmt: skip
    # February (9 Feb... of March: late): S2 CKS 6/10 for a school that sent nothing
    # (missing_self; parent precedence), S1 HS 5/6 and CKS 12/20 (match).
    ws.write(
        "phong/193_t2.xlsx",
        school("193", "T2/2025", "09/03/2025", [],
               consolidated=[(S2, CKS, 6, 10), (S1, HS, 5, 6), (S1, CKS, 12, 20)]),
    )  # fmt: skip
    # Province 22, March, CSV (10 Apr, province deadline day 10: on time): own HS 30/40,
    # and S3's CKS 4/8 — S3's district sent nothing for March: grandparent precedence.
    ws.write(
        "so/22_t3.csv",
        wb.csv_bytes([
            wb.csv_record(HS, 30, 40, sender="22", period="2025-03", report_date="10/04/2025 16:30"),
            wb.csv_record(CKS, 4, 8, sender="22", period="2025-03", report_date="10/04/2025 16:30",
                          scope="consolidated", unit=S3),
        ]),
    )  # fmt: skip
    # S5 under Thủ Dầu Một, January: HS 6/10 = 0.60, exactly 718's own target.
    ws.write("binhduong/s5_t1.xlsx", school(S5, "Tháng 1/2025", "05/02/2025 23:59", [(HS, 6, 10)]))


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("story"))
    write_story(ws)
    ws.run()
    return ws


def area(ws, code, period_type, start, kpi):
    return ws.one(
        """select numerator, denominator, value, target, target_met, reporting_units
           from marts.fct_kpi_area_period
           where area_code = ? and period_type = ? and period_start = ? and kpi_code = ?""",
        [code, period_type, start, kpi],
    )


def test_versions_latest_report_date_is_current(story):
    rows = dict(story.query(
        "select file_path, status from audit.submissions where unit_code = ? and month = '2025-01-01'",
        [S1],
    ))  # fmt: skip
    assert rows == {"truong/s1_t1_lan1.xlsx": "superseded", "truong/s1_t1_lan2.xlsx": "current"}
    # v2 replaced v1 whole: S1's January CKS is v2's 10/20, not v1's 9/20.
    assert story.one(
        "select numerator, denominator, source_level from marts.fct_kpi_unit_month "
        "where unit_code = ? and month = '2025-01-01' and kpi_code = ?", [S1, CKS]
    ) == (10, 20, "self")


def test_parent_precedence(story):
    # S2 sent nothing for February; its district consolidated 6/10.
    assert story.one(
        "select numerator, denominator, source_level from marts.fct_kpi_unit_month "
        "where unit_code = ? and month = '2025-02-01' and kpi_code = ?", [S2, CKS]
    ) == (6, 10, "parent")
    # In January S2 reported itself: its own 5/10 wins over the district's 5/11.
    assert story.one(
        "select numerator, denominator, source_level from marts.fct_kpi_unit_month "
        "where unit_code = ? and month = '2025-01-01' and kpi_code = ?", [S2, CKS]
    ) == (5, 10, "self")


def test_grandparent_precedence(story):
    assert story.one(
        "select numerator, denominator, source_level from marts.fct_kpi_unit_month "
        "where unit_code = ? and month = '2025-03-01' and kpi_code = ?", [S3, CKS]
    ) == (4, 8, "grandparent")


def test_district_quarter_flow(story):
    # Hạ Long Q1, dossiers online: S1 3/4 + 5/6 + 7/10 = 15/20, the office's own 8/10.
    num, den, value, target, met, units = area(story, "193", "quarter", "2025-01-01", HS)
    assert (num, den, units) == (23, 30, 2)
    assert value == pytest.approx(23 / 30)
    assert (target, met) == (0.80, False)


def test_district_quarter_stock(story):
    # Hạ Long Q1, digital signatures: each school's last month with a figure:
    # S1 February 12/20, S2 March 9/10 (own), S3 March 4/8 (grandparent) = 25/38.
    num, den, value, _, met, units = area(story, "193", "quarter", "2025-01-01", CKS)
    assert (num, den, units) == (25, 38, 3)
    assert met is False


def test_province_half_year(story):
    # Quảng Ninh H1, dossiers online: S1 15/20 + Hạ Long office 8/10 + province office 30/40.
    num, den, value, target, met, units = area(story, "22", "half_year", "2025-01-01", HS)
    assert (num, den, units) == (53, 70, 3)
    assert value == pytest.approx(53 / 70)
    assert target == 0.80 and met is False


def test_national_year(story):
    # Nation 2025: Quảng Ninh 53/70 + S5 6/10 = 59/80; VN takes only the `*` target.
    num, den, value, target, met, units = area(story, "VN", "year", "2025-01-01", HS)
    assert (num, den, units) == (59, 80, 4)
    assert value == pytest.approx(0.7375)
    assert (target, met) == (0.80, False)


def test_value_exactly_at_district_override_target(story):
    # Thủ Dầu Một's own 2025 target for HS is 0.60 (the plan's override); 6/10 meets it.
    num, den, value, target, met, _ = area(story, "718", "month", "2025-01-01", HS)
    assert (num, den, target, met) == (6, 10, 0.60, True)
    # Its province has no row of its own: the national 0.80 applies, and 6/10 misses it.
    assert area(story, "74", "month", "2025-01-01", HS)[3:5] == (0.80, False)


def test_completeness_with_late_and_missing_unit(story):
    # Hạ Long, January: expected the office, S1, S2, S3 = 4; received S1, S2, the office;
    # S3 missing; S2's first (only) report 6 Feb is after its 5 Feb deadline.
    row = story.one(
        "select expected_units, received_units, on_time_units, completeness, timeliness "
        "from marts.fct_reporting_completeness where area_code = '193' and month = '2025-01-01'"
    )
    assert row == (4, 3, 2, 0.75, 0.5)
    # Quảng Ninh, January: 22, 193, 194, S1, S2, S3, S4 expected; S1, S2, 193 received.
    assert story.one(
        "select expected_units, received_units, on_time_units from marts.fct_reporting_completeness "
        "where area_code = '22' and month = '2025-01-01'"
    ) == (7, 3, 2)
    # Timeliness judges S1's first version (3 Feb), not its current one.
    late = story.query(
        "select s.unit_code from audit.warnings w join audit.submissions s using (submission_id) "
        "where w.warning_code = 'late_submission' order by 1"
    )
    assert late == [("193",), (S2,)]  # 193's February came on 9 March, after day 8


def test_reconciliation_statuses(story):
    rows = set(story.query(
        "select unit_code, month::varchar, kpi_code, reported_by, self_numerator, "
        "self_denominator, reported_numerator, reported_denominator, status "
        "from marts.fct_reconciliation"
    ))  # fmt: skip
    assert rows == {
        (S1, "2025-01-01", CKS, "193", 10, 20, 10, 20, "match"),
        (S2, "2025-01-01", CKS, "193", 5, 10, 5, 11, "mismatch"),
        (S1, "2025-01-01", HS, "193", 3, 4, None, None, "missing_consolidated"),
        (S2, "2025-02-01", CKS, "193", None, None, 6, 10, "missing_self"),
        (S1, "2025-02-01", HS, "193", 5, 6, 5, 6, "match"),
        (S1, "2025-02-01", CKS, "193", 12, 20, 12, 20, "match"),
        (S3, "2025-03-01", CKS, "22", None, None, 4, 8, "missing_self"),
    }


def test_dbt_unit_tests_pass(story):
    """dbt's own unit tests of the rules (precedence, stock periods, version ties,
    deadlines; dbt/models/_unit_tests.yml) run against the built warehouse."""
    import json
    import subprocess

    from dagster_project.settings import DBT_PROJECT_DIR, dbt_executable

    result = subprocess.run(
        [
            dbt_executable(), "test", "--select", "test_type:unit",
            "--profiles-dir", str(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(story.root / "dbt_target"),
            "--vars", json.dumps({"warehouse_path": str(story.warehouse)}),
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS=4" in result.stdout


def test_dbt_docs_generate_offline(story):
    """`make docs` works without the network: the catalog covers the marts."""
    import json
    import subprocess

    from dagster_project.settings import DBT_PROJECT_DIR, dbt_executable

    target = story.root / "dbt_docs"
    result = subprocess.run(
        [
            dbt_executable(), "docs", "generate",
            "--profiles-dir", str(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target),
            "--vars", json.dumps({"warehouse_path": str(story.warehouse)}),
        ],
        capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((target / "catalog.json").read_text())
    assert "model.de06.fct_kpi_area_period" in catalog["nodes"]
    assert (target / "index.html").stat().st_size > 10_000
