"""After a run, reviewers' pages exist and render in a real browser (headless Chromium)."""

import pytest

from dagster_project.quality.problems import short_id
from support.browser import dump_dom
from support.pipeline import Workspace
from support.story import built_story


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Workspace:
    return built_story(tmp_path_factory, "quality_pages")


def test_data_docs_index_renders_every_suite(story):
    index = story.reports / "quality" / "data_docs" / "index.html"
    assert index.exists()
    dom = dump_dom(index.as_uri())
    for suite in ("marts.fct_kpi_area_period", "marts.fct_kpi_unit_month", "raw.submissions",
                  "marts.fct_reporting_completeness", "staging.stg_raw__figures"):
        assert suite in dom, suite


def test_summary_page_shows_problems_in_vietnamese(story):
    page = story.reports / "quality" / "index.html"
    dom = dump_dom(page.as_uri())
    assert "Tóm tắt kiểm tra chất lượng dữ liệu Đề án 06" in dom
    # The story has one consolidated figure that disagrees with the school's own (S2,
    # January, 5/11 against 5/10): a warning, so reports are still published.
    assert short_id("marts.fct_reconciliation:consolidated_figures_match") in dom
    assert "Cảnh báo" in dom and "Không có lỗi nghiêm trọng" in dom
    # Rows are reachable: the query behind the problem is on the page.
    assert "from marts.fct_reconciliation" in dom
    # And the landing overview names the quarantine reasons with their messages.
    assert "Tiếp nhận tệp báo cáo" in dom
