"""Every file and every row of the committed sample, and of a generated set, is accounted
for: accepted or rejected/quarantined with a reason, nothing lost. And the sample's story:
precedence, deadlines, reconciliation, reports, and history across the July 2025
reorganisation (both marts), with figures worked out in the tests."""

import csv
import subprocess
import sys
from collections import defaultdict

import openpyxl
import pytest

from dagster_project.ingest.reasons import FILE_CODES, ROW_CODES
from dagster_project.publish.workbook import PROVINCE_SHEETS
from support.pipeline import PROJECT_ROOT, Workspace, sample_workspace
from support.sheets import table


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Workspace:
    ws = sample_workspace(tmp_path_factory.mktemp("sample"))
    ws.run()
    return ws


def assert_accounted(ws: Workspace) -> None:
    files_on_disk = sum(
        1 for p in ws.inbox.rglob("*")
        if (p.is_file() or p.is_symlink()) and not p.name.startswith(("~$", "."))
    )  # fmt: skip
    # Every path is recorded, under exactly one submission.
    assert ws.one("select count(*) from raw.submission_files")[0] == files_on_disk
    assert ws.one(
        "select count(*) from raw.submission_files f anti join audit.submissions s using (submission_id)"
    )[0] == 0
    # Rejected files have a reason; accepted files account for all their rows.
    assert ws.query(
        "select file_path from audit.submissions where status = 'rejected' and reason_code is null"
    ) == []
    assert ws.query(
        "select file_path from audit.submissions where status <> 'rejected' "
        "and rows_total <> rows_accepted + rows_quarantined"
    ) == []
    # The counts agree with the rows actually landed.
    mismatched = ws.query(
        """
        select s.file_path, s.rows_accepted, coalesce(f.n, 0), s.rows_quarantined, coalesce(q.n, 0)
        from audit.submissions s
        left join (select submission_id, count(*) n from raw.figures group by 1) f using (submission_id)
        left join (select submission_id, count(*) n from raw.quarantine_rows group by 1) q using (submission_id)
        where s.status <> 'rejected'
          and (s.rows_accepted <> coalesce(f.n, 0) or s.rows_quarantined <> coalesce(q.n, 0))
        """
    )
    assert mismatched == []
    # Every quarantined row has a reason code known to the catalogue and a detail.
    assert ws.query(
        "select reason_code from audit.quarantine_rows where message_vi is null or detail is null"
    ) == []


def test_sample_every_file_and_row_accounted_for(sample):
    assert_accounted(sample)
    statuses = dict(sample.query("select status, count(*) from audit.submissions group by 1"))
    assert statuses["current"] > 500 and statuses["superseded"] > 0 and statuses["rejected"] > 0


def test_sample_triggers_every_reason_code(sample):
    file_reasons = {r for (r,) in sample.query(
        "select distinct reason_code from audit.submissions where status = 'rejected'")}
    row_reasons = {r for (r,) in sample.query("select distinct reason_code from audit.quarantine_rows")}
    # file_too_large needs a 20 MiB file: the sample stays small, and
    # tests/unit/test_rules.py triggers it with a real oversized file instead.
    assert set(FILE_CODES) - {"file_too_large"} <= file_reasons
    assert set(ROW_CODES) <= row_reasons


def test_sample_has_all_three_formats_and_levels(sample):
    formats = {f for (f,) in sample.query(
        "select distinct file_format from audit.submissions where status = 'current'")}
    assert {"xlsx", "csv", "json"} <= formats
    levels = {t for (t,) in sample.query(
        "select distinct u.unit_type from audit.submissions s join marts.dim_org_unit u using (unit_code) "
        "where s.status = 'current'")}
    assert {"school", "district", "province"} <= levels


def test_generated_province_month_accounted_for(tmp_path):
    """A generated set with faults: every file and row accounted for as well."""
    ws = Workspace(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "de06_synth", "--out", str(ws.sources), "--provinces", "74",
         "--months", "2025-05", "--fault-rate", "0.05", "--duplicate-rate", "0.02",
         "--resubmit-rate", "0.05", "--quiet", "--seed", "11"],
        check=True, cwd=PROJECT_ROOT, env={**__import__("os").environ, "PYTHONPATH": str(PROJECT_ROOT / "sources")},
        timeout=300,
    )  # fmt: skip
    ws.run()
    assert_accounted(ws)
    assert ws.one("select count(*) from audit.quarantine_rows")[0] > 0


# The sample's story (sources/README.md), checked in the warehouse. Each fact below comes
# from the generator's plan of the sample, not from the code under test.

def test_sample_value_at_district_override_target(sample):
    # Thủ Dầu Một, March: 138 of 230 dossiers online = 0.60, exactly 718's own target.
    assert sample.one(
        "select numerator, denominator, target, target_met from marts.fct_kpi_area_period "
        "where area_code = '718' and period_type = 'month' and period_start = '2025-03-01' "
        "and kpi_code = 'TTHC_HS_TRUC_TUYEN'"
    ) == (138, 230, 0.60, True)


def test_sample_precedence_cases(sample):
    def level(unit, month, kpi="CSGD_CHU_KY_SO"):
        rows = sample.query(
            "select source_level from marts.fct_kpi_unit_month where unit_code = ? and month = ? "
            "and kpi_code = ?", [unit, month, kpi])
        return rows[0][0] if rows else None

    assert level("22193006", "2025-04-01") == "parent"  # sent nothing; district 193 covers it
    assert level("22193013", "2025-02-01") == "parent"  # under the province; its JSON covers it
    assert level("74721003", "2025-05-01") == "grandparent"  # school and district silent in May
    assert level("721", "2025-05-01", "TTHC_HS_TRUC_TUYEN") == "parent"  # the office, by its province
    assert level("22199002", "2025-05-01") is None  # missing, and its district left it out
    assert level("22193006", "2025-03-01") == "self"


def test_sample_late_and_on_time_by_deadline(sample):
    def first_on_time(unit, month):
        return sample.one(
            "select has_accepted_submission and first_report_date::date <= due_date "
            "from intermediate.int_unit_month_reporting where unit_code = ? and month = ?",
            [unit, month])[0]

    assert first_on_time("74724004", "2025-03-01") is False  # sent 06/04, due 05/04
    assert first_on_time("22195003", "2025-03-01") is True  # 07/04: Quảng Ninh's schools are due the 7th
    assert first_on_time("74725005", "2025-04-01") is True  # 05/05 23:59
    assert first_on_time("74725006", "2025-04-01") is False  # 06/05 00:00


def test_sample_reconciliation_cases(sample):
    def status(unit, month, reporter):
        return {s for (s,) in sample.query(
            "select status from marts.fct_reconciliation where unit_code = ? and month = ? "
            "and reported_by = ?", [unit, month, reporter])}

    assert "mismatch" in status("22193009", "2025-03-01", "193")
    assert "match" in status("22193009", "2025-03-01", "22")
    assert status("22196003", "2025-03-01", "196") == {"missing_consolidated"}
    assert status("22193006", "2025-04-01", "193") == {"missing_self"}


def test_sample_feedback_workbook_for_every_problem_file(sample):
    """The run's feedback asset wrote one phiếu phản hồi per rejected file or file with
    quarantined rows, in the sender's folder when the sender is known."""
    problem = sample.query(
        "select submission_id, coalesce(unit_code, '') from audit.submissions "
        "where status = 'rejected' or rows_quarantined > 0"
    )
    books = list((sample.reports / "feedback").rglob("*.xlsx"))
    assert len(books) == len(problem) > 20
    names = {b.stem.rsplit("_", 1)[-1] for b in books}
    assert {sid[:8] for sid, _ in problem} == names
    known = [unit for _, unit in problem if unit]
    assert all((sample.reports / "feedback" / unit).is_dir() for unit in known)


def test_sample_province_workbooks_equal_the_marts(sample):
    """Every province workbook the run published reopens with all its sheets and charts,
    and its summary equals marts.fct_kpi_area_period for that province and period."""
    periods = {key: (ptype, start) for key, ptype, start in sample.query(
        "select period_key, period_type, period_start from marts.dim_period")}
    books = sorted(sample.reports.glob("20*/bao_cao_tinh_*_v1.xlsx"))
    with_data = set(sample.query(
        "select distinct area_code, period_key from marts.fct_kpi_area_period join marts.dim_period "
        "using (period_type, period_start) where area_type = 'province'"))
    # Quảng Ninh and Hồ Chí Minh City (its own office from January, Bình Dương's units from
    # July) every period of January–July 2025; Bình Dương 74 until June: 6 months, 2 quarters,
    # a half-year and the year.
    assert len(with_data) == 13 + 13 + 10
    names = {tuple(p.stem.removeprefix("bao_cao_tinh_").removesuffix("_v1").split("_", 1)) for p in books}
    assert names == with_data
    for path in books:
        province, key = path.stem.removeprefix("bao_cao_tinh_").removesuffix("_v1").split("_", 1)
        period_type, start = periods[key]
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == list(PROVINCE_SHEETS)
        assert book["TongHop"]._charts and book["TienDoBaoCao"]._charts
        mart = {
            code: (num, den, value) for code, num, den, value in sample.query(
                "select kpi_code, numerator, denominator, value from marts.fct_kpi_area_period "
                "where area_code = ? and period_type = ? and period_start = ?",
                [province, period_type, start],
            )
        }  # fmt: skip
        rows = {r["Mã chỉ tiêu"]: r for r in table(book["TongHop"])[2]}
        assert mart and set(mart) <= set(rows)
        for code, (num, den, value) in mart.items():
            assert (rows[code]["Tử số"], rows[code]["Mẫu số"]) == (num, den), (path.name, code)
            if value is not None:
                assert rows[code]["Tỷ lệ"] == pytest.approx(value)


# ---- History across the July 2025 reorganisation (issue 8) -------------------------------
# In the sample, Quảng Ninh (22) keeps its code (its districts give way to communes on
# 1 July 2025) and Bình Dương (74) is merged into Hồ Chí Minh City (79), whose own office
# reports from January. School 74718004 closed on 31 May with successor 74718001.

FLOW, STOCK = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"
RESTATED_COLUMNS = ("period_type, period_start, kpi_code, numerator, denominator, value, target, "
                    "target_met, reporting_units")


def _area_rows(ws, table, area):
    return set(ws.query(f"select {RESTATED_COLUMNS} from marts.{table} where area_code = ?", [area]))


def _figure(ws, table, area, period_type, start, kpi):
    rows = ws.query(
        f"select numerator, denominator, reporting_units from marts.{table} where area_code = ? "
        "and period_type = ? and period_start = ? and kpi_code = ?", [area, period_type, start, kpi])
    return rows[0] if rows else (0, 0, 0)


def _registry(ws) -> list[dict]:
    return list(csv.DictReader(open(ws.reference / "org_units.csv", encoding="utf-8")))


def _units_ever_under(ws, provinces: set[str]) -> set[str]:
    """Units any of whose registry rows hang (directly or through an office) under `provinces`."""
    parents = defaultdict(set)
    for r in _registry(ws):
        if r["parent_code"]:
            parents[r["unit_code"]].add(r["parent_code"])

    def reaches(code, seen):
        return code in provinces or any(p not in seen and reaches(p, seen | {p}) for p in parents[code])

    return {r["unit_code"] for r in _registry(ws) if reaches(r["unit_code"], {r["unit_code"]})}


def test_sample_nation_is_equal_in_both_marts(sample):
    reported = _area_rows(sample, "fct_kpi_area_period", "VN")
    periods = sample.one("select count(*) from marts.dim_period")[0]
    kpis = sample.one("select count(*) from marts.dim_kpi")[0]
    assert periods == 13 and len(reported) == periods * kpis  # every period and indicator
    assert reported == _area_rows(sample, "fct_kpi_area_period_restated", "VN")


def test_sample_unchanged_province_is_equal_in_both_marts(sample):
    reported = _area_rows(sample, "fct_kpi_area_period", "22")
    assert {(p, s) for p, s, *_ in reported} == set(sample.query(
        "select period_type, period_start from marts.dim_period"))
    assert reported == _area_rows(sample, "fct_kpi_area_period_restated", "22")


def test_sample_merged_province_month_is_the_sum(sample):
    kpis = [k for (k,) in sample.query("select kpi_code from marts.dim_kpi")]
    both = 0
    for kpi in kpis:
        n74, d74, u74 = _figure(sample, "fct_kpi_area_period", "74", "month", "2025-03-01", kpi)
        n79, d79, u79 = _figure(sample, "fct_kpi_area_period", "79", "month", "2025-03-01", kpi)
        assert u74 > 0 and u79 <= 1  # Bình Dương's units; Hồ Chí Minh City's own office
        both += u79
        assert _figure(sample, "fct_kpi_area_period_restated", "79", "month", "2025-03-01", kpi) == (
            n74 + n79, d74 + d79, u74 + u79), kpi
    assert both > 0  # the sums are sums of two provinces' figures, not a copy of one


def test_sample_merged_province_year_flow_is_the_sum_of_months(sample):
    months = [f"2025-{m:02d}-01" for m in range(1, 8)]
    num = den = 0
    for area in ("74", "79"):
        for month in months:
            n, d, _ = _figure(sample, "fct_kpi_area_period", area, "month", month, FLOW)
            num, den = num + n, den + d
    assert _figure(sample, "fct_kpi_area_period", "74", "month", "2025-07-01", FLOW) == (0, 0, 0)
    restated = _figure(sample, "fct_kpi_area_period_restated", "79", "year", "2025-01-01", FLOW)
    assert restated[:2] == (num, den) and den > 0


def test_sample_merged_province_year_stock_counts_each_unit_once(sample):
    members = _units_ever_under(sample, {"74", "79"})
    last = {}
    for unit, month, n, d in sample.query(
            "select unit_code, month, numerator, denominator from marts.fct_kpi_unit_month "
            "where kpi_code = ? and year(month) = 2025 order by month", [STOCK]):
        if unit in members:
            last[unit] = (n, d)  # ordered by month: the unit's last figure wins
    expected = (sum(n for n, _ in last.values()), sum(d for _, d in last.values()), len(last))
    assert _figure(sample, "fct_kpi_area_period_restated", "79", "year", "2025-01-01", STOCK) == expected
    # As reported, a unit that sent figures in both halves counts once in 74 and once in 79.
    n74, d74, u74 = _figure(sample, "fct_kpi_area_period", "74", "year", "2025-01-01", STOCK)
    n79, d79, u79 = _figure(sample, "fct_kpi_area_period", "79", "year", "2025-01-01", STOCK)
    assert u74 + u79 > expected[2]


def test_sample_school_closed_before_the_merger_counts_in_its_successors_areas(sample):
    closed, heir = "74718004", "74718001"
    rows = {r["unit_code"]: r for r in _registry(sample)}  # the latest row of each unit (file order)
    assert rows[closed]["active_to"] == "2025-05-31" and rows[closed]["successor_code"] == heir
    commune = rows[heir]["parent_code"]  # the heir's ward in Hồ Chí Minh City today
    assert rows[commune]["parent_code"] == "79" and rows[commune]["unit_type"] == "commune"
    today = {code for code, r in rows.items() if r["parent_code"] == commune} | {commune}
    may = {unit: (n, d) for unit, n, d in sample.query(
        "select unit_code, numerator, denominator from marts.fct_kpi_unit_month "
        "where kpi_code = ? and month = '2025-05-01'", [STOCK])}
    assert closed in may and may[closed][1] > 0
    units = [u for u in may if u in today or u == closed]
    expected = (sum(may[u][0] for u in units), sum(may[u][1] for u in units), len(units))
    assert _figure(sample, "fct_kpi_area_period_restated", commune, "month", "2025-05-01", STOCK) == expected
    # The closed school never reported in Hồ Chí Minh City: as reported, May is Bình Dương's.
    assert _figure(sample, "fct_kpi_area_period", commune, "month", "2025-05-01", STOCK) == (0, 0, 0)


def test_sample_closed_areas_have_no_restated_rows(sample):
    restated = dict(sample.query(
        "select distinct area_code, area_type from marts.fct_kpi_area_period_restated"))
    reported = dict(sample.query("select distinct area_code, area_type from marts.fct_kpi_area_period"))
    assert "74" in reported and {t for t in reported.values()} == {"national", "province", "district", "commune"}
    assert {a for a, t in restated.items() if t != "commune"} == {"VN", "22", "79"}
    assert "district" not in restated.values() and "74" not in restated
    open_communes = {r["unit_code"] for r in _registry(sample)
                     if r["unit_type"] == "commune" and not r["active_to"]}
    restated_communes = {a for a, t in restated.items() if t == "commune"}
    assert restated_communes <= open_communes  # only today's communes
    assert {a for a, t in reported.items() if t == "commune"} <= restated_communes
