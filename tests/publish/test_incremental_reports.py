"""Publishing only what changed: a report whose inputs are unchanged is not even computed,
and a late correction from one school recomputes and republishes exactly its district's
and its province's reports of the periods containing its month.

The shared story (tests/support/story.py), January to March 2025: Quảng Ninh 22 with Hạ
Long 193 (schools S1, S2, S3; Móng Cái 194 has no data) and Bình Dương 74 with Thủ Dầu Một
718 (school S5, January only). Reports, worked out by hand: province 22 and district 193
for each of 2025-01, 2025-02, 2025-03, 2025-Q1, 2025-H1, 2025 (12); province 74 and
district 718 for 2025-01, 2025-Q1, 2025-H1, 2025 (8): 20 workbooks.
"""

import json
import shutil
from dataclasses import asdict
from datetime import date

import duckdb
import openpyxl
import pytest

from dagster_project.publish import publishing
from dagster_project.publish import report_data as rd
from dagster_project.publish import versions
from support.sheets import table
from support.story import CKS, HS, S1, S2, S5, built_story, school_json

ALL_PERIODS = ("2025-01", "2025-02", "2025-03", "2025-Q1", "2025-H1", "2025")
WITH_JANUARY = ("2025-01", "2025-Q1", "2025-H1", "2025")
WITH_FEBRUARY = ("2025-02", "2025-Q1", "2025-H1", "2025")
WITH_MARCH = ("2025-03", "2025-Q1", "2025-H1", "2025")
REPORTS = (
    {("province", "22", p) for p in ALL_PERIODS}
    | {("district", "193", p) for p in ALL_PERIODS}
    | {("province", "74", p) for p in WITH_JANUARY}
    | {("district", "718", p) for p in WITH_JANUARY}
)


def stem(kind: str, area: str, period: str) -> str:
    return f"bao_cao_tinh_{area}_{period}" if kind == "province" else f"bao_cao_{area}_{period}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_story(tmp_path_factory, "incremental")


def snapshot(ws) -> dict[str, tuple[int, int]]:
    """Every published file: (modification time in ns, size)."""
    return {
        p.relative_to(ws.reports).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in ws.reports.glob("20*/*")
    }


def spy(monkeypatch) -> list[tuple[str, str, str]]:
    """Record every report the assets compute, as (kind, area, period key)."""
    calls = []
    real = publishing.area_reports

    def wrapper(cls, con, codes, period_type, start, *args, **kwargs):
        kind = "province" if cls is rd.ProvinceReport else "district"
        calls.extend((kind, code, rd.period_key(period_type, start)) for code in codes)
        return real(cls, con, codes, period_type, start, *args, **kwargs)

    monkeypatch.setattr(publishing, "area_reports", wrapper)
    return calls


def test_first_run_publishes_every_report_with_its_inputs_fingerprint(built):
    files = snapshot(built)
    assert {f for f in files if f.endswith("_v1.xlsx")} == {
        f"{p}/{stem(k, a, p)}_v1.xlsx" for k, a, p in REPORTS
    }
    assert {f for f in files if f.endswith(".xlsx")} == {f for f in files if f.endswith("_v1.xlsx")}
    sidecar = json.loads((built.reports / "2025-Q1" / "bao_cao_193_2025-Q1_v1.json").read_text("utf-8"))
    assert sidecar["inputs_fingerprint"].startswith(rd.INPUTS_FORMAT + ":")
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        tasks = rd.report_tasks(con, "2025-01-01", "2025-03-01")
    finally:
        con.close()
    assert {(t.kind, t.area_code, t.period_key) for t in tasks} == REPORTS
    by_stem = {t.stem: t.fingerprint for t in tasks}
    assert sidecar["inputs_fingerprint"] == by_stem["bao_cao_193_2025-Q1"]


def test_worker_processes_publish_what_this_process_publishes(built, tmp_path):
    """The pool `make run` uses (two fresh, spawned workers; the tests land with one):
    the same workbooks, figures and fingerprints as the run's in-process publishing."""
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        months = publishing.ancestry_months("2025-01-01", "2025-03-01")
        ancestry = rd.prepare_tables(con, *months)
        tasks = rd.report_tasks(con, "2025-01-01", "2025-03-01", None, None, ancestry)
    finally:
        con.close()
    assert {(t.kind, t.area_code, t.period_key) for t in tasks} == REPORTS
    results = publishing.publish_in_pool(tasks, str(built.warehouse), months, tmp_path, tmp_path / "quality", 2,
                                         progress=lambda message: None)  # fmt: skip
    assert [(r.version, r.changed) for r in results] == [(1, True)] * len(tasks)
    for task in tasks:
        pooled = json.loads((tmp_path / task.period_key / f"{task.stem}_v1.json").read_text("utf-8"))
        direct = json.loads((built.reports / task.period_key / f"{task.stem}_v1.json").read_text("utf-8"))
        assert (pooled["figures"], pooled["inputs_fingerprint"]) == (direct["figures"], direct["inputs_fingerprint"])
    book = openpyxl.load_workbook(tmp_path / "2025-Q1" / "bao_cao_tinh_22_2025-Q1_v1.xlsx")
    _, _, rows = table(book["TheoTruong"])
    assert {r["Mã trường"] for r in rows} >= {S1, S2}


def test_a_batch_of_areas_gives_each_area_the_report_it_gets_alone(built):
    """Publishing reads reports in batches (one query per part for many areas of one
    period): each area's report from a batch equals the one built for it alone, with
    areas of two provinces and one without data in the same batch."""
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        for cls, codes, alone in (
            (rd.DistrictReport, ["193", "194", "718"], rd.district_report),
            (rd.ProvinceReport, ["22", "74"], rd.province_report),
        ):
            for period_type, start in (("quarter", "2025-01-01"), ("month", "2025-01-01"), ("month", "2025-03-01")):
                batch = rd.area_reports(cls, con, codes, period_type, start)
                assert list(batch) == codes
                for code in codes:
                    assert asdict(batch[code]) == asdict(alone(con, code, period_type, start)), (code, start)
        quarter = rd.area_reports(rd.DistrictReport, con, ["193", "194", "718"], "quarter", "2025-01-01")
    finally:
        con.close()
    # Each report has its own schools only.
    assert {r.unit_code for r in quarter["193"].schools} >= {S1, S2}
    assert {r.unit_code for r in quarter["718"].schools} == {S5}
    assert quarter["194"].schools == [] and quarter["194"].province_code == "22"
    assert quarter["718"].province_code == "74"
    # Targets, batch-read: an indicator without figures still shows its plan target (the
    # area's own row, else the `*` row); 718's own HS row is 0.60.
    targets = {code: {r.indicator.kpi_code: (r.numerator, r.target) for r in quarter[code].summary} for code in quarter}
    assert (targets["194"][HS], targets["194"][CKS]) == ((None, 0.80), (None, 1.00))
    assert (targets["718"][HS], targets["718"][CKS]) == ((6, 0.60), (None, 1.00))
    assert {t for code in quarter for kpi, (_, t) in targets[code].items() if kpi not in (HS, CKS)} == {None}


def test_batches_keep_the_order_and_never_mix_kinds_or_periods():
    def task(kind, code, period_type, start):
        return rd.ReportTask(kind, code, period_type, date.fromisoformat(start), "22", "f")

    tasks = [
        task("province", "22", "month", "2025-01-01"),
        task("province", "74", "month", "2025-01-01"),
        task("district", "193", "month", "2025-01-01"),
        task("district", "194", "month", "2025-01-01"),
        task("district", "718", "month", "2025-01-01"),
        task("district", "193", "quarter", "2025-01-01"),
        task("district", "193", "month", "2025-02-01"),
    ]
    got = publishing.batches(tasks, {"province": 4, "district": 2})
    assert [[(t.area_code, t.period_type, str(t.period_start)) for t in b] for b in got] == [
        [("22", "month", "2025-01-01"), ("74", "month", "2025-01-01")],
        [("193", "month", "2025-01-01"), ("194", "month", "2025-01-01")],
        [("718", "month", "2025-01-01")],
        [("193", "quarter", "2025-01-01")],
        [("193", "month", "2025-02-01")],
    ]


def test_rerun_with_no_change_computes_and_writes_nothing(built, monkeypatch):
    before = snapshot(built)
    calls = spy(monkeypatch)
    built.run()
    assert calls == []  # not one report's data read, not one workbook built
    assert snapshot(built) == before  # no file written, replaced or touched


def test_late_correction_republishes_exactly_its_district_and_province(built, monkeypatch):
    before = snapshot(built)
    # S2 (Hạ Long 193) corrects March: digital signatures 8/10 instead of 9/10, sent later.
    built.write("truong/s2_t3_sua.json", school_json(S2, "2025-03", "2025-04-20", [(CKS, 8, 10)]))
    calls = spy(monkeypatch)
    built.run()
    affected = {("district", "193", p) for p in WITH_MARCH} | {("province", "22", p) for p in WITH_MARCH}
    assert sorted(calls) == sorted(affected)  # each computed once; 74, 718, January, February not at all

    after = snapshot(built)
    assert {f: after[f] for f in before} == before  # every earlier version untouched
    assert set(after) - set(before) == {
        f"{p}/{stem(k, a, p)}_v2.{ext}" for k, a, p in affected for ext in ("xlsx", "json")
    }
    book = openpyxl.load_workbook(built.reports / "2025-Q1" / "bao_cao_193_2025-Q1_v2.xlsx")
    _, _, changes = table(book["ThayDoi"])
    # Hạ Long Q1 signatures (a stock: each school's last month): S1 12/20 (February), S2 9/10
    # -> 8/10 (March), S3 4/8 (March, from the province's sheet): 25/38 -> 24/38.
    by_key = {(c["Mã địa bàn/đơn vị"], c["Mã chỉ tiêu"]): c for c in changes}
    assert set(by_key) == {("193", CKS), (S2, CKS)}
    assert (by_key[(S2, CKS)]["Tử số cũ"], by_key[(S2, CKS)]["Tử số mới"]) == (9, 8)
    assert (by_key[("193", CKS)]["Tử số cũ"], by_key[("193", CKS)]["Tử số mới"]) == (25, 24)
    assert by_key[("193", CKS)]["Mẫu số mới"] == 38
    sidecar = json.loads((built.reports / "2025-Q1" / "bao_cao_193_2025-Q1_v2.json").read_text("utf-8"))
    old = json.loads((built.reports / "2025-Q1" / "bao_cao_193_2025-Q1_v1.json").read_text("utf-8"))
    assert sidecar["inputs_fingerprint"] != old["inputs_fingerprint"]
    assert versions.published_inputs(built.reports / "2025-Q1")["bao_cao_193_2025-Q1"] == sidecar["inputs_fingerprint"]


# --- the fingerprint covers what the figures come from -----------------------------------


@pytest.fixture
def scratch(built, tmp_path):
    """A writable copy of the built warehouse, to change one mart row at a time."""
    path = tmp_path / built.warehouse.name  # same catalog name: the views name it
    shutil.copy(built.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def fingerprints(con) -> dict[tuple[str, str, str], str]:
    tasks = rd.report_tasks(con, "2025-01-01", "2025-03-01")
    return {(t.kind, t.area_code, t.period_key): t.fingerprint for t in tasks}


def changed_by(con, sql: str, params=()) -> set[tuple[str, str, str]]:
    """The reports whose fingerprint differs after `sql` (rolled back afterwards)."""
    base = fingerprints(con)
    con.execute("begin")
    try:
        assert con.execute(sql, list(params)).fetchone()[0] == 1  # one row changed
        now = fingerprints(con)
    finally:
        con.execute("rollback")
    assert set(now) == set(base) == REPORTS
    return {key for key in base if now[key] != base[key]}


def both(periods, district="193", province="22"):
    return {("district", district, p) for p in periods} | {("province", province, p) for p in periods}


def test_fingerprint_changes_with_a_school_figure_in_a_district(scratch):
    # S1 (Hạ Long) February dossiers: its district's and province's reports of February's periods.
    sql = f"""update marts.fct_kpi_unit_month set numerator = numerator + 1
              where unit_code = '{S1}' and month = '2025-02-01' and kpi_code = '{HS}'"""
    assert changed_by(scratch, sql) == both(WITH_FEBRUARY)
    # S5 (Thủ Dầu Một, Bình Dương) January: only Bình Dương's side.
    sql = f"""update marts.fct_kpi_unit_month set denominator = denominator + 1
              where unit_code = '{S5}' and month = '2025-01-01' and kpi_code = '{HS}'"""
    assert changed_by(scratch, sql) == both(WITH_JANUARY, "718", "74")


def test_fingerprint_tells_which_month_a_figure_belongs_to(scratch):
    # S1's signatures (a stock: the last month counts) January 10/20 and February 12/20
    # swapped: the same figures in other months, so each period's figure differs.
    sql = f"""update marts.fct_kpi_unit_month
              set numerator = case month when '2025-01-01' then 12 else 10 end
              where unit_code = '{S1}' and kpi_code = '{CKS}' and month in ('2025-01-01', '2025-02-01')
              returning 1"""
    base = fingerprints(scratch)
    scratch.execute("begin")
    try:
        assert len(scratch.execute(sql).fetchall()) == 2
        now = fingerprints(scratch)
    finally:
        scratch.execute("rollback")
    assert {k for k in base if now[k] != base[k]} == both(ALL_PERIODS) - both(["2025-03"])


def test_fingerprint_changes_with_area_rows_targets_and_progress(scratch):
    # A district's target for the quarter: its report, and its province's (TheoDiaBan).
    sql = f"""update marts.fct_kpi_area_period set target = 0.5
              where area_code = '193' and period_type = 'quarter' and kpi_code = '{HS}'"""
    assert changed_by(scratch, sql) == both(["2025-Q1"])
    # The province's January figure is February's previous period, shown beside it.
    sql = f"""update marts.fct_kpi_area_period set numerator = numerator + 1
              where area_code = '22' and period_type = 'month' and period_start = '2025-01-01'
              and kpi_code = '{HS}'"""
    assert changed_by(scratch, sql) == {("province", "22", "2025-01"), ("province", "22", "2025-02")}
    # Reporting progress of the district in March: its reports and its province's.
    sql = """update marts.fct_reporting_completeness set on_time_units = on_time_units - 1
             where area_code = '193' and month = '2025-03-01'"""
    assert changed_by(scratch, sql) == both(WITH_MARCH)


# --- the fingerprint in the sidecar ------------------------------------------------------


def test_sidecar_fingerprint_follows_inputs_without_a_new_version(tmp_path):
    figures = {("22", HS, "2025-Q1"): (1, 2, 0.5, 0.8)}
    first = versions.publish(tmp_path, "r", openpyxl.Workbook, figures, fingerprint="f1")
    assert versions.published_inputs(tmp_path) == {"r": "f1"}
    workbook = (first.path.stat().st_mtime_ns, first.path.read_bytes())
    # Other inputs, same figures: no new version, the workbook untouched, the fingerprint kept.
    again = versions.publish(tmp_path, "r", openpyxl.Workbook, dict(figures), fingerprint="f2")
    assert (again.version, again.changed) == (1, False)
    assert (first.path.stat().st_mtime_ns, first.path.read_bytes()) == workbook
    assert versions.published_inputs(tmp_path) == {"r": "f2"}
    sidecar = json.loads((tmp_path / "r_v1.json").read_text("utf-8"))
    assert sidecar["figures"] == {json.dumps(["22", HS, "2025-Q1"]): [1, 2, 0.5, 0.8]}
    # New figures: version 2 carries its own fingerprint.
    second = versions.publish(tmp_path, "r", openpyxl.Workbook, {("22", HS, "2025-Q1"): (2, 2, 1.0, 0.8)},
                              fingerprint="f3")  # fmt: skip
    assert (second.version, versions.published_inputs(tmp_path)) == (2, {"r": "f3"})
    # A sidecar without its workbook (a killed publish) is not a published version.
    (tmp_path / "r_v3.json").write_text('{"inputs_fingerprint":"f9"}', encoding="utf-8")
    assert versions.published_inputs(tmp_path) == {"r": "f3"}
