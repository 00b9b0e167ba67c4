"""The protections one by one, cheaply: the analysts' copy is replaced atomically, the
warehouse lock refuses a second process, an interrupted report publish converges, and a
run sweeps the temp files a killed run left."""

import os
import signal
import subprocess
import sys

import duckdb
import openpyxl
import pytest

from dagster_project.analyst_copy import describe, publish_copy, temp_prefix
from dagster_project.pipeline import remove_interrupted_writes
from dagster_project.publish import versions
from dagster_project.resources import WarehouseResource
from dagster_project.warehouse_lock import WarehouseBusy, holds_lock, read_holder, warehouse_lock


def _warehouse(path, months: list[str], padding_rows: int) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts; create schema if not exists audit")
        con.execute("create or replace table marts.fct_kpi_unit_month (unit_code varchar, month date)")
        con.execute("create or replace table audit.submissions (submission_id varchar, body varchar)")
        con.executemany("insert into marts.fct_kpi_unit_month values ('22', ?::date)", [[m] for m in months])
        # Bulk, so the file spans many copy chunks.
        con.execute(
            "insert into audit.submissions select 's' || i, repeat(md5(i::varchar), 8) from range(?) t(i)",
            [padding_rows],
        )
    finally:
        con.close()


def test_analysts_copy_is_replaced_whole_never_written_in_place(tmp_path):
    source, dest = tmp_path / "de06.duckdb", tmp_path / "de06_analyst.duckdb"
    _warehouse(source, ["2025-01-01"], 1_000)
    first = publish_copy(source, dest)
    assert first.tables == {"audit.submissions": 1_000, "marts.fct_kpi_unit_month": 1}
    assert first.months == ["2025-01-01"] and first.size == dest.stat().st_size

    _warehouse(source, ["2025-01-01", "2025-02-01"], 20_000)
    seen = []

    def look_at_dest(copied: int) -> None:
        # Mid-copy, an analyst opening the copy sees the previous complete state.
        seen.append((copied, describe(dest)))

    second = publish_copy(source, dest, chunk_bytes=1 << 20, progress=look_at_dest)
    assert len(seen) > 4
    assert {str(state) for _, state in seen} == {str(({"audit.submissions": 1_000, "marts.fct_kpi_unit_month": 1}, ["2025-01-01"]))}
    assert describe(dest) == ({"audit.submissions": 20_000, "marts.fct_kpi_unit_month": 2}, ["2025-01-01", "2025-02-01"])
    assert second.months == ["2025-01-01", "2025-02-01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["de06.duckdb", "de06_analyst.duckdb"]


def test_analysts_copy_keeps_an_open_reader_and_sweeps_a_killed_copy(tmp_path):
    source, dest = tmp_path / "de06.duckdb", tmp_path / "de06_analyst.duckdb"
    _warehouse(source, ["2025-01-01"], 10)
    publish_copy(source, dest)
    reader = duckdb.connect(str(dest), read_only=True)
    leftover = tmp_path / f"{temp_prefix(dest)}killed"
    leftover.write_bytes(b"half a database")
    _warehouse(source, ["2025-01-01", "2025-03-01"], 20)
    publish_copy(source, dest)
    # The reader that had the old file open keeps reading it, whole.
    assert reader.execute("select count(*) from audit.submissions").fetchone()[0] == 10
    reader.close()
    assert describe(dest)[1] == ["2025-01-01", "2025-03-01"]
    assert not leftover.exists()
    with pytest.raises(ValueError):
        publish_copy(source, source)


# --- the warehouse lock, across real processes ------------------------------------------------

HOLDER = """
import sys, time
from dagster_project.warehouse_lock import warehouse_lock
with warehouse_lock(sys.argv[1], "holder for the test"):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def holder(tmp_path):
    warehouse = tmp_path / "de06.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield warehouse, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_a_second_process_is_refused_with_the_holders_pid(holder):
    warehouse, proc = holder
    with pytest.raises(WarehouseBusy) as refused:
        with warehouse_lock(warehouse):
            pass
    message = str(refused.value)
    assert f"pid {proc.pid}, started " in message and "holder for the test" in message
    assert str(warehouse) + ".lock" in message
    # The writing connection of the warehouse resource (UI-launched runs) is refused too,
    # before DuckDB is even asked; reading is not the lock's business.
    resource = WarehouseResource(database=str(warehouse))
    with pytest.raises(WarehouseBusy):
        with resource.get_connection():
            pass
    assert not warehouse.exists()
    # SIGKILL frees the lock: no stale lock after a killed run.
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with warehouse_lock(warehouse, "after the kill"):
        assert read_holder(warehouse.with_name("de06.duckdb.lock"))["pid"] == os.getpid()
        with resource.get_connection() as con:  # re-entrant inside the holder
            assert con.execute("select 42").fetchone() == (42,)
        assert holds_lock(warehouse)
    assert not holds_lock(warehouse)


def test_dbt_step_of_a_ui_run_is_refused_while_another_run_holds_the_warehouse(holder, tmp_path, monkeypatch):
    """dbt opens the file itself; the dbt asset takes the lock first, so a build launched
    from the UI beside a CLI run fails at once with the clear message, and dbt never runs."""
    from dagster import DagsterInstance

    from dagster_project.definitions import defs
    from dagster_project.pipeline import RUN_CONFIG

    warehouse, proc = holder
    monkeypatch.setenv("DE06_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DE06_ANALYST_WAREHOUSE", str(tmp_path / "de06_analyst.duckdb"))
    monkeypatch.setenv("DE06_REPORTS_DIR", str(tmp_path / "reports"))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("build_months").execute_in_process(
            instance=instance, raise_on_error=False, run_config=RUN_CONFIG,
            tags={"dagster/asset_partition_range_start": "2025-03-01",
                  "dagster/asset_partition_range_end": "2025-03-01"},
        )  # fmt: skip
    assert not result.success
    (failure,) = [e for e in result.all_node_events if e.is_step_failure]
    assert failure.step_key == "de06_dbt_models"
    assert f"in use by another run (pid {proc.pid}" in str(failure.event_specific_data.error)
    assert not warehouse.exists()  # dbt never opened (or created) the file


def test_a_writer_outside_de06_gives_a_clear_error_not_a_crash(tmp_path):
    warehouse = tmp_path / "de06.duckdb"
    duckdb.connect(str(warehouse)).close()
    script = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(600)"
    proc = subprocess.Popen([sys.executable, "-c", script, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseBusy) as refused:
            with WarehouseResource(database=str(warehouse)).get_connection():
                pass
        assert f"de06.duckdb is open in another process (pid {proc.pid})" in str(refused.value)
    finally:
        proc.kill()
        proc.wait()


# --- report publishing interrupted between its two files --------------------------------------

FIGURES = {("22", "TTHC_HS_TRUC_TUYEN", "2025-Q1"): (1, 2, 0.5, 0.8)}


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (no except/finally of ours catches it)."""


@pytest.mark.parametrize("killed_at_write", [1, 2])
def test_an_interrupted_publish_leaves_the_reports_as_if_it_had_not_happened(tmp_path, monkeypatch, killed_at_write):
    clean_dir, dirty_dir = tmp_path / "clean", tmp_path / "dirty"
    versions.publish(clean_dir, "r", openpyxl.Workbook, FIGURES)

    real_write_new, calls = versions._write_new, []

    def dying_write_new(path, data):
        calls.append(path.name)
        if len(calls) == killed_at_write:
            # The file lands, the process dies before the next one.
            real_write_new(path, data)
            raise Killed
        return real_write_new(path, data)

    monkeypatch.setattr(versions, "_write_new", dying_write_new)
    with pytest.raises(Killed):
        versions.publish(dirty_dir, "r", openpyxl.Workbook, FIGURES)
    monkeypatch.setattr(versions, "_write_new", real_write_new)
    again = versions.publish(dirty_dir, "r", openpyxl.Workbook, FIGURES)

    assert (again.version, again.changed) == (1, killed_at_write == 1)
    assert sorted(p.name for p in dirty_dir.iterdir()) == sorted(p.name for p in clean_dir.iterdir()) == ["r_v1.json", "r_v1.xlsx"]
    assert versions.latest_published(dirty_dir, "r")[1] == versions.latest_published(clean_dir, "r")[1]


def test_a_run_sweeps_the_temp_files_of_a_killed_run(tmp_path):
    keep = [tmp_path / "2025-01" / "bao_cao_22_2025-01_v1.xlsx", tmp_path / "quality" / "index.html",
            tmp_path / "quality" / "data_docs" / ".nojekyll"]  # fmt: skip
    gone = [tmp_path / "2025-01" / ".~tmp-abc.xlsx", tmp_path / "feedback" / "22" / ".~tmp-x.xlsx",
            tmp_path / "quality" / ".problems.json.k2j3.tmp"]  # fmt: skip
    for path in keep + gone:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert sorted(remove_interrupted_writes(tmp_path)) == sorted(gone)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in gone)


# --- where analysts look ------------------------------------------------------------------------


def test_the_analysts_copy_sits_beside_the_warehouse_unless_set(monkeypatch, tmp_path):
    from dagster_project.settings import get_settings

    monkeypatch.setenv("DE06_WAREHOUSE", str(tmp_path / "kho" / "de06.duckdb"))
    monkeypatch.delenv("DE06_ANALYST_WAREHOUSE", raising=False)
    settings = get_settings()
    assert settings.analyst_warehouse_path == tmp_path / "kho" / "de06_analyst.duckdb"
    assert settings.lock_path == tmp_path / "kho" / "de06.duckdb.lock"
    monkeypatch.setenv("DE06_ANALYST_WAREHOUSE", str(tmp_path / "share" / "kho.duckdb"))
    assert get_settings().analyst_warehouse_path == tmp_path / "share" / "kho.duckdb"


def test_make_sql_opens_the_analysts_copy_read_only(tmp_path):
    from support.pipeline import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("DE06_")}
    shown = subprocess.run(
        ["make", "-s", "-n", "-o", "setup", "sql", f"DE06_WAREHOUSE={tmp_path}/de06.duckdb"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f'duckdb -readonly "{tmp_path}/de06_analyst.duckdb"' in shown
    assert f'"{tmp_path}/de06.duckdb"' not in shown


def test_the_analysts_copy_waits_for_every_blocking_check_of_the_build():
    """Dagster skips an asset downstream of a failed blocking check (tests/quality/
    test_blocking.py shows it for the reports): the copy sits downstream of every asset the
    build job checks with a blocking check, so analysts keep the last copy that passed."""
    from dagster import AssetKey

    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    copy = AssetKey(["publish", "analyst_warehouse"])
    built = defs.resolve_job_def("build_months").asset_layer.asset_graph.get_all_asset_keys()
    assert copy in built
    ancestors = graph.get_ancestor_asset_keys(copy)
    gated = {s.asset_key for c in defs.asset_checks for s in c.check_specs if s.blocking} & set(built)
    assert {k.to_user_string() for k in gated} >= {"marts/fct_kpi_area_period", "marts/fct_kpi_unit_month", "audit/submissions"}
    assert gated - ancestors == set()
    assert graph.get(copy).group_name == "publish"
