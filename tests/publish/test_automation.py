"""Schedules per province after its deadline, and the inbox sensors."""

from datetime import date, datetime

from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from dagster_project.definitions import defs
from dagster_project.publish.automation import (
    PROVINCES_TAG,
    inbox_fingerprint,
    previous_month,
    province_deadline_day,
    read_deadline_rows,
    rollup_run_request,
)
from support.pipeline import SAMPLE_SOURCES

DEADLINES = [
    {"area_code": "*", "unit_type": "school", "day": "5"},
    {"area_code": "22", "unit_type": "school", "day": "7"},
    {"area_code": "22", "unit_type": "province", "day": "12"},
    {"area_code": "74", "unit_type": "commune", "day": "9"},
]


def test_deadline_day_is_the_provinces_last_due_day():
    assert province_deadline_day("22", DEADLINES) == 12  # its own province row
    assert province_deadline_day("74", DEADLINES) == 10  # commune 9 < province default 10
    assert province_deadline_day("01", []) == 10  # built-in defaults: 5 / 8 / 10


def test_previous_month_across_the_year():
    assert previous_month(date(2025, 1, 11)) == date(2024, 12, 1)
    assert previous_month(date(2025, 7, 11)) == date(2025, 6, 1)


def test_rollup_request_builds_last_month_for_one_province():
    request = rollup_run_request("22", date(2025, 4, 13))
    assert request.tags["dagster/asset_partition_range_start"] == "2025-03-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-03-01"
    assert request.tags[PROVINCES_TAG] == "22"


def test_one_schedule_per_open_province_the_day_after_its_deadline():
    schedules = {s.name: s for s in defs.schedules}
    # The sample registry: Quảng Ninh and Hồ Chí Minh City are open; Bình Dương closed on
    # 30 June 2025 (merged into 79) and has no schedule.
    assert {n for n in schedules if n.startswith("rollup_")} == {"rollup_22", "rollup_79"}
    # Quảng Ninh's deadline rows end on day 10 at the latest (sample deadlines file).
    due = province_deadline_day("22", read_deadline_rows(SAMPLE_SOURCES / "reference"))
    assert schedules["rollup_22"].cron_schedule == f"0 6 {due + 1} * *"
    assert schedules["rollup_22"].execution_timezone == "Asia/Ho_Chi_Minh"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2025, 4, due + 1, 6)
        )
        (request,) = schedules["rollup_22"].evaluate_tick(context).run_requests
    assert request.tags[PROVINCES_TAG] == "22"
    assert request.tags["dagster/asset_partition_range_start"] == "2025-03-01"


def test_inbox_sensor_fires_once_per_change(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("DE06_SOURCES_DIR", str(tmp_path))
    sensor = next(s for s in defs.sensors if s.name == "inbox_sensor")
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=None))
        assert len(first.run_requests) == 1
        same = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert same.run_requests == [] and same.skip_message
        (inbox / "a.xlsx").write_bytes(b"x")
        (inbox / "~$lock.xlsx").write_bytes(b"x")  # not a submission: ignored
        changed = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert len(changed.run_requests) == 1
        assert changed.cursor == inbox_fingerprint(inbox) != first.cursor
