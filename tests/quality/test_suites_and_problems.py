"""The suite files and the problem register (pure parts of the quality gate)."""

import json

import pytest

from dagster_project.quality.checks import build_quality_checks
from dagster_project.quality.problems import render_summary, short_id, update_problems
from dagster_project.quality.suites import SuiteError, load_suite, load_suites
from dagster_project.quality.validate import ExpectationOutcome
from dagster_project.settings import EXPECTATIONS_DIR

CHECKED = {
    "raw.submissions", "staging.stg_raw__figures", "marts.fct_kpi_unit_month",
    "marts.fct_kpi_area_period", "marts.fct_kpi_area_period_restated", "marts.fct_reporting_completeness", "marts.fct_reconciliation",
    "marts.dim_org_unit", "marts.dim_kpi", "marts.dim_period", "audit.submissions",
}  # fmt: skip


def test_one_suite_per_checked_asset_named_by_its_key():
    suites = {s.name: s for s in load_suites(EXPECTATIONS_DIR)}
    assert CHECKED <= set(suites)
    for suite in suites.values():
        assert suite.path.relative_to(EXPECTATIONS_DIR).as_posix() == "/".join(suite.asset_key) + ".json"
        for e in suite.expectations:
            assert e.severity in ("critical", "warning")
            assert e.meta.get("what_vi") and e.meta.get("how_to_resolve_vi"), (suite.name, e.id)


def test_the_contract_expectations_are_there():
    suites = {s.name: s for s in load_suites(EXPECTATIONS_DIR)}
    ids = {name: {e.id for e in s.expectations} for name, s in suites.items()}
    assert "value_between_0_and_1" in ids["marts.fct_kpi_unit_month"]
    assert "numerator_not_above_denominator" in ids["marts.fct_kpi_area_period"]
    assert "area_month_equals_sum_of_units" in ids["marts.fct_kpi_area_period"]
    assert "received_not_above_expected" in ids["marts.fct_reporting_completeness"]
    assert "unit_code_known_to_registry" in ids["marts.fct_kpi_unit_month"]
    assert "every_row_accounted_for" in ids["raw.submissions"]
    stock = next(e for e in suites["marts.fct_kpi_unit_month"].expectations if e.id == "stock_denominator_stable")
    assert stock.severity == "warning"


def test_factory_makes_one_check_per_expectation_blocking_when_critical():
    checks = build_quality_checks()
    suites = load_suites(EXPECTATIONS_DIR)
    specs = {(spec.asset_key.to_user_string(), spec.name): spec for c in checks for spec in c.check_specs}
    assert len(specs) == sum(len(s.expectations) for s in suites)
    for suite in suites:
        for e in suite.expectations:
            spec = specs[("/".join(suite.asset_key), e.id)]
            assert spec.blocking is e.is_critical


def test_frames_select_only_named_columns_and_group_queries():
    suite = next(s for s in load_suites(EXPECTATIONS_DIR) if s.name == "marts.fct_kpi_area_period")
    frames = suite.frames()
    plain = [q for q in frames if q.startswith("select \"")]
    assert len(plain) == 1 and "from marts.fct_kpi_area_period" in plain[0]
    assert '"value"' in plain[0] and '"target"' not in plain[0]
    assert len(frames) == 3  # the table, and the two recomputation queries


def test_bad_suite_files_are_refused(tmp_path):
    bad = tmp_path / "marts" / "x.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps({"name": "marts.y", "meta": {"asset_key": ["marts", "x"]}, "expectations": []}))
    with pytest.raises(SuiteError, match="asset key"):
        load_suite(bad)
    bad.write_text(json.dumps({"name": "marts.x", "meta": {"asset_key": ["marts", "x"]},
                               "expectations": [{"type": "t", "kwargs": {}, "meta": {"id": "a", "severity": "fatal"}}]}))
    with pytest.raises(SuiteError, match="severity"):
        load_suite(bad)


def _outcome(spec, success, count=0):
    return ExpectationOutcome("marts.fct_kpi_unit_month", spec, success, element_count=10, unexpected_count=count)


def test_a_problem_keeps_its_id_and_is_resolved_when_it_disappears():
    suite = next(s for s in load_suites(EXPECTATIONS_DIR) if s.name == "marts.fct_kpi_unit_month")
    spec = next(e for e in suite.expectations if e.id == "value_between_0_and_1")
    state = update_problems({}, suite.name, [_outcome(spec, False, 3)], "run1", "t1")
    (entry,) = state["problems"].values()
    assert entry["status"] == "open" and entry["first_run"] == "run1"
    assert entry["id"] == short_id("marts.fct_kpi_unit_month:value_between_0_and_1")
    page = render_summary(state, "run1", "t1")
    assert entry["id"] in page and "Mới" in page and "không được phát hành" in page

    state = update_problems(state, suite.name, [_outcome(spec, False, 2)], "run2", "t2")
    (entry2,) = state["problems"].values()
    assert entry2["id"] == entry["id"] and entry2["first_run"] == "run1" and entry2["unexpected_count"] == 2
    assert "Từ t1" in render_summary(state, "run2", "t2")

    state = update_problems(state, suite.name, [_outcome(spec, True)], "run3", "t3")
    (entry3,) = state["problems"].values()
    assert entry3["status"] == "resolved" and entry3["resolved_run"] == "run3"
    page = render_summary(state, "run3", "t3")
    assert "đã khắc phục" in page and "Không có vấn đề nào đang mở" in page
