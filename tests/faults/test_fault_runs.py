"""Faults on the real CLI: runs SIGKILLed in ingestion, in dbt and in report writing, a
second run started beside a first, and analysts reading through a run.

One tiny world (fault_world.py) and one clean run of it, shared by the module: the state
after kills and a rerun must equal the clean state (warehouse tables, the analysts' copy,
report files and their cells), and no temp file may be left.
"""

import json
import shutil
import subprocess
import sys
import duckdb
import pytest

from fault_world import (
    CliRun,
    cli_env,
    copy_workspace,
    snapshot,
    temp_files,
    write_march,
    write_world,
)
from support.pipeline import PROJECT_ROOT, Workspace


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The world run once, undisturbed (in-process: the same run_all the CLI calls)."""
    ws = Workspace(tmp_path_factory.mktemp("clean"))
    write_world(ws)
    ws.run()
    return ws, snapshot(ws)


def _raw_is_whole(ws: Workspace) -> list[tuple]:
    """Submissions whose landed rows disagree with their counts (a half-landed file)."""
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        landed = {s for (s,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}
        if "raw" not in landed or not con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'submissions'"
        ).fetchone()[0]:
            return []
        return con.execute(
            """
            select s.submission_id, s.rows_accepted, s.rows_quarantined,
                   (select count(*) from raw.figures f where f.submission_id = s.submission_id),
                   (select count(*) from raw.quarantine_rows q where q.submission_id = s.submission_id)
            from raw.submissions s
            where s.accepted and (s.rows_accepted <> (select count(*) from raw.figures f where f.submission_id = s.submission_id)
               or s.rows_quarantined <> (select count(*) from raw.quarantine_rows q where q.submission_id = s.submission_id))
            """
        ).fetchall()
    finally:
        con.close()


def _published(ws: Workspace) -> list:
    return sorted(ws.reports.glob("*/bao_cao_*.xlsx"))


def test_killed_in_ingestion_dbt_and_reports_then_rerun_equals_clean_run(clean, tmp_path):
    clean_ws, clean_state = clean
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(clean_ws.sources, ws.sources)  # the same bytes: the same submission ids
    env = cli_env(ws, tmp_path / "dagster_home")
    analysts_copy = ws.warehouse.with_name("de06_analyst.duckdb")

    # 1. Killed while landing the inbox (right after it listed the files it found).
    run = CliRun(env, kill_on=r"landed_submissions - found \d+ files")
    run.wait()
    assert run.killed_at and "found 7 files" in run.killed_at, run.log()
    assert _raw_is_whole(ws) == []
    assert not _published(ws) and not analysts_copy.exists()

    # 2. Killed in dbt, when the first incremental mart starts.
    run = CliRun(env, kill_on=r"START sql incremental model marts\.")
    run.wait()
    assert run.killed_at and "marts." in run.killed_at, run.log()
    assert not _published(ws) and not analysts_copy.exists()

    # 3. Killed in report writing, the moment the first workbook appears. Meanwhile a
    # second run is started: it refuses at once, naming this one, and exits non-zero.
    run = CliRun(env, kill_when=lambda: next(iter(_published(ws)), None))
    run.wait_for_line("DE06: analysts' copy")
    second = subprocess.run(
        [sys.executable, "-m", "dagster_project", "run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert second.returncode == 75, second.stdout + second.stderr
    assert f"the warehouse is in use by another run (pid {run.proc.pid}, started " in second.stderr
    assert "python -m dagster_project run" in second.stderr
    run.wait()
    assert run.killed_at and run.killed_at.endswith(".xlsx"), run.log()
    # The run got past dbt and the checks (an analysts' copy exists) and then died: every
    # workbook on disk has its sidecar (the workbook is the commit point).
    for xlsx in _published(ws):
        assert xlsx.with_suffix(".json").is_file(), xlsx

    # 4. The next run completes; everything is as if nothing had been killed.
    ws.run()
    state = snapshot(ws)
    for part in ("warehouse", "analysts_copy", "reports", "warehouse_folder"):
        assert state[part] == clean_state[part], part
    assert temp_files(ws) == []
    # The clean state is the world's real content, not two empty folders.
    assert len(clean_state["reports"]) > 10
    assert clean_state["warehouse"]["raw.submissions"] and clean_state["warehouse"]["marts.fct_kpi_area_period"]
    assert clean_state["warehouse_folder"] == ["de06.duckdb", "de06.duckdb.lock", "de06_analyst.duckdb"]
    assert clean_state["analysts_copy"] == clean_state["warehouse"]
    assert "2025-Q1/bao_cao_tinh_22_2025-Q1_v1.xlsx" in clean_state["reports"]
    feedback = [r for r in clean_state["reports"] if r.startswith("feedback/")]
    assert len(feedback) == 2  # S2's quarantined row and the rejected file
    assert "<run time>" in repr(clean_state["reports"][feedback[0]])  # the one cell ignored


READER = r"""
import json, os, sys, time
import duckdb

path, stop = sys.argv[1], sys.argv[2]
TABLES = ("select schema_name || '.' || table_name from duckdb_tables() "
          "where database_name = current_database() and schema_name in ('marts', 'audit') order by 1")

def observe():
    inode = os.stat(path).st_ino
    con = duckdb.connect(path, read_only=True)
    try:
        assert os.stat(path).st_ino == inode  # replaced while opening: look again next time
        names = [n for (n,) in con.execute(TABLES).fetchall()]
        counts = {n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names}
        months = [m.isoformat() for (m,) in con.execute(
            "select distinct month from marts.fct_kpi_unit_month order by 1").fetchall()]
        received = con.execute(
            "select sum(received_units) from marts.fct_reporting_completeness where area_code = '22'"
        ).fetchone()[0]
        return {"tables": counts, "months": months, "received": received}, inode
    finally:
        con.close()

def emit(record):
    print(json.dumps(record, sort_keys=True), flush=True)

while True:
    last = os.path.exists(stop)
    try:
        state, inode = observe()
        emit({"state": state, "inode": inode})
    except AssertionError:
        pass
    except Exception as exc:
        emit({"error": f"{type(exc).__name__}: {exc}"})
    if last:
        break
    time.sleep(0.05)
"""


def test_analysts_read_only_complete_states_through_a_run(clean, tmp_path):
    clean_ws, _ = clean
    ws = copy_workspace(clean_ws, tmp_path / "ws")
    write_march(ws)
    analysts_copy = ws.warehouse.with_name("de06_analyst.duckdb")
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(analysts_copy), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = json.loads(reader.stdout.readline())  # the reader is up before the run
        ws.run()
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    observed = [first] + [json.loads(line) for line in out.splitlines()]

    errors = [o["error"] for o in observed if "error" in o]
    assert errors == [], errors[:3]
    states = [json.dumps(o["state"], sort_keys=True) for o in observed]
    before, after = json.loads(states[0]), json.loads(states[-1])
    # Two complete states, worked out from the world: January and February, then March.
    assert before["months"] == ["2025-01-01", "2025-02-01"]
    assert after["months"] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    # Area 22, received own reports: January S1, S2, 193, S3 (4); February S1, S3 (2);
    # March S1, S2 (2).
    assert (before["received"], after["received"]) == (6, 8)
    assert set(before["tables"]) == set(after["tables"]) and len(before["tables"]) == 11
    assert before["tables"]["audit.submissions"] == 7 and after["tables"]["audit.submissions"] == 9
    # Every observation is one of the two, never something in between.
    assert set(states) <= {states[0], states[-1]}, {s for s in states} - {states[0], states[-1]}
    assert len(observed) >= 3
    # And a published file is never written again: one file (inode) holds one state, so
    # a reader that keeps the file open is not changed under (the copy is replaced, not
    # rewritten in place).
    by_file = {}
    for o, state in zip(observed, states):
        by_file.setdefault(o["inode"], set()).add(state)
    assert len(by_file) == 2 and all(len(s) == 1 for s in by_file.values()), by_file.keys()


def test_every_view_works_in_the_analysts_copy(clean):
    """The copy has another file name, hence another catalog: dbt's views must not name the
    warehouse's catalog ("de06"), or every staging and intermediate view breaks there."""
    ws, _ = clean
    con = duckdb.connect(str(ws.warehouse.with_name("de06_analyst.duckdb")), read_only=True)
    try:
        assert con.execute("select current_database()").fetchone()[0] == "de06_analyst"
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal "
            "and database_name = current_database()").fetchall()
        assert {s for s, _ in views} >= {"staging", "intermediate"}
        failed = []
        for schema, view in views:
            try:
                con.execute(f'select count(*) from "{schema}"."{view}"').fetchone()
            except duckdb.Error as exc:
                failed.append((schema, view, str(exc).splitlines()[0]))
        assert failed == []
    finally:
        con.close()
