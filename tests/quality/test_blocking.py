"""A critical expectation that fails blocks the run's reports; a warning does not."""

import json
import shutil

import pytest

from dagster_project.definitions import build_definitions
from dagster_project.quality.problems import short_id
from dagster_project.settings import EXPECTATIONS_DIR
from support.pipeline import Workspace
from support.story import write_story


def tightened_suites(root, severity: str):
    """The real suites, plus one expectation on the area mart that the story's figures
    break: no area value may exceed 0.1 (Hạ Long's January dossiers are 0.8)."""
    target = root / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, target)
    path = target / "marts" / "fct_kpi_area_period.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].append({
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "value", "max_value": 0.1},
        "meta": {"id": "test_values_below_ten_percent", "severity": severity,
                 "what_vi": "Tỷ lệ không vượt 10% (kiểm thử)", "how_to_resolve_vi": "Kiểm thử."},
    })  # fmt: skip
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    return target


def published(ws: Workspace) -> list:
    return sorted(p.name for p in ws.reports.glob("20*/*.xlsx"))


@pytest.mark.parametrize("severity", ["critical", "warning"])
def test_gate(tmp_path, severity):
    ws = Workspace(tmp_path / severity)
    write_story(ws)
    definitions = build_definitions(tightened_suites(tmp_path, severity))
    outcome = ws.run(definitions=definitions, expect_success=False)
    summary = (ws.reports / "quality" / "index.html").read_text(encoding="utf-8")
    problem = short_id("marts.fct_kpi_area_period:test_values_below_ten_percent")
    assert problem in summary
    # The marts were built either way; feedback to senders is not held back.
    assert ws.one("select count(*) from marts.fct_kpi_area_period")[0] > 0
    assert "marts/fct_kpi_area_period" in outcome.materialized
    assert "reports/feedback_workbooks" in outcome.materialized
    if severity == "critical":
        assert not outcome.success
        assert "reports/province_workbooks" not in outcome.materialized
        assert "reports/district_workbooks" not in outcome.materialized
        assert published(ws) == []
        assert "không được phát hành" in summary
    else:
        assert outcome.success
        assert "reports/province_workbooks" in outcome.materialized
        assert "bao_cao_tinh_22_2025-Q1_v1.xlsx" in published(ws)
        assert "bao_cao_193_2025-01_v1.xlsx" in published(ws)
        assert "Không có lỗi nghiêm trọng" in summary and "Cảnh báo" in summary
