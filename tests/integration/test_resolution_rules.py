"""Contract section 4 and 7 rules, end to end: real files in, real warehouse out.

A small story on real codes (Quảng Ninh 22 with Hạ Long 193 and Móng Cái 194; Bình
Dương 74 with Thủ Dầu Một 718), January to March 2025. Every expected figure below is
worked out by hand in the comments, never by the code under test.
"""

import pytest

from support.pipeline import Workspace
from support.story import CKS, HS, S1, S2, S3, S5, built_story


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Workspace:
    return built_story(tmp_path_factory, "story")


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
    deadlines, the period calendar; dbt/models/_unit_tests.yml) run against the built warehouse."""
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
    assert "PASS=5" in result.stdout


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
