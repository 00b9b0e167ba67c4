"""Partitions and reruns: one month rebuilds alone; a second run changes nothing."""

import shutil

import pytest

from support.pipeline import Workspace
from support.story import CKS, HS, S1, S4, built_story, school, write_story

MART_TABLES = (
    "marts.fct_kpi_unit_month",
    "marts.fct_kpi_area_period",
    "marts.fct_reporting_completeness",
    "marts.fct_reconciliation",
    "marts.dim_org_unit",
    "marts.dim_kpi",
    "marts.dim_period",
)


def snapshot(ws: Workspace) -> dict[str, set[tuple]]:
    return {name: ws.table(name) for name in MART_TABLES}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Workspace:
    return built_story(tmp_path_factory, "reruns")


def test_second_run_changes_nothing(built):
    before = snapshot(built)
    audit_before = built.table("audit.submissions")
    raw_before = built.table("raw.figures")
    built.run()
    assert snapshot(built) == before
    assert built.table("audit.submissions") == audit_before
    assert built.table("raw.figures") == raw_before


def test_identical_copy_is_one_submission(built):
    shutil.copy(built.inbox / "truong/s1_t2.xlsx", built.inbox / "aaa_ban_sao.xlsx")
    before = built.query("select count(*) from audit.submissions")[0][0]
    built.run()
    assert built.query("select count(*) from audit.submissions")[0][0] == before
    # Recorded under the first of its paths in code-point order, with a warning.
    assert built.one(
        "select file_path, copies_received from audit.submissions where unit_code = ? "
        "and month = '2025-02-01'", [S1]
    ) == ("aaa_ban_sao.xlsx", 2)
    assert built.query(
        "select count(*) from audit.warnings where warning_code = 'duplicate_file'"
    )[0][0] == 1


def test_one_month_rebuilds_alone(tmp_path):
    """A late March file: land it, rebuild March only. Rows of other months do not move,
    and the result equals a full rebuild."""
    ws = Workspace(tmp_path / "one")
    write_story(ws)
    ws.run()
    before = snapshot(ws)
    # S4 (directly under the province) sends March late, on 20 April.
    ws.write("tre/s4_t3.xlsx", school(S4, "Tháng 3/2025", "20/04/2025", [(HS, 1, 2), (CKS, 3, 4)]))
    ws.land()
    ws.build_months("2025-03-01", "2025-03-01")
    after = snapshot(ws)

    def outside_march(rows, month_index):
        return {r for r in rows if str(r[month_index]) != "2025-03-01"}

    unit_month = before["marts.fct_kpi_unit_month"], after["marts.fct_kpi_unit_month"]
    assert outside_march(unit_month[0], 1) == outside_march(unit_month[1], 1)
    assert (S4, "2025-03-01", HS) in {(r[0], str(r[1]), r[2]) for r in unit_month[1]}
    completeness = before["marts.fct_reporting_completeness"], after["marts.fct_reporting_completeness"]
    assert outside_march(completeness[0], 2) == outside_march(completeness[1], 2)

    # Area periods: January and February month rows are untouched; March, Q1, H1 and the
    # year now include S4's figures (Quảng Ninh Q1 HS was 53/70 ... see the story).
    def periods(rows, wanted):
        return {r for r in rows if (r[2], str(r[3])) in wanted}

    untouched = {("month", "2025-01-01"), ("month", "2025-02-01")}
    area = before["marts.fct_kpi_area_period"], after["marts.fct_kpi_area_period"]
    assert periods(area[0], untouched) == periods(area[1], untouched)
    q1 = ws.one(
        "select numerator, denominator, reporting_units from marts.fct_kpi_area_period "
        "where area_code = '22' and period_type = 'quarter' and period_start = '2025-01-01' "
        "and kpi_code = ?", [HS]
    )
    assert q1 == (53 + 1, 70 + 2, 4)

    # The same warehouse rebuilt from scratch gives the same marts.
    fresh = Workspace(tmp_path / "fresh")
    shutil.copytree(ws.sources, fresh.sources)
    fresh.run()
    for name in MART_TABLES:
        if name == "marts.dim_period":
            continue
        assert fresh.table(name) == ws.table(name), name
