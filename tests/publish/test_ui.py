"""The Dagster UI (what `make dev` serves) loads our code location and renders the asset
graph with our assets, in a real headless browser."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support.browser import dump_dom
from support.pipeline import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text())
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port),
         "-m", "dagster_project.definitions"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, "dagster-webserver exited"
            assert time.monotonic() < deadline, "dagster-webserver did not start"
            time.sleep(1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_asset_graph_page_shows_our_asset_groups(webserver):
    dom = dump_dom(f"{webserver}/asset-groups", wait_ms=20000)
    for group in ("ingest", "reference", "staging", "intermediate", "marts", "audit", "reports", "quality"):
        assert f">{group}<" in dom, group


@pytest.mark.parametrize(
    "prefix, names",
    [
        ("marts", ("fct_kpi_area_period", "fct_kpi_unit_month", "fct_reporting_completeness")),
        ("reports", ("province_workbooks", "district_workbooks", "feedback_workbooks")),
        ("raw", ("submissions", "figures", "quarantine_rows")),
    ],
)
def test_asset_catalog_lists_our_assets(webserver, prefix, names):
    dom = dump_dom(f"{webserver}/assets/{prefix}", wait_ms=20000)
    for name in names:
        assert name in dom, name


def test_schedules_and_sensors_are_visible(webserver):
    dom = dump_dom(f"{webserver}/automation", wait_ms=20000)
    for name in ("rollup_22", "rollup_79", "inbox_sensor", "landed_months_sensor"):
        assert name in dom, name
