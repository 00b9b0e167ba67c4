"""Schedules and sensors: each province's monthly rollup after its deadline, and new files.

- One schedule per province (`rollup_<code>`): on the day after the province's deadline
  (the latest of its units' deadline days, from reporting_deadlines.csv or the built-in
  defaults), it rebuilds the previous month and publishes that province's reports.
- `inbox_sensor`: notices new or changed files in the inbox and lands them.
- `landed_months_sensor`: after a landing run succeeds, rebuilds the months the newly
  landed submissions belong to (a late March file rebuilds March and its periods).
"""

import csv
import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    run_status_sensor,
    schedule,
    sensor,
)

from dagster_project.ingest.landing import is_submission_name
from dagster_project.settings import get_settings

TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_DAYS = {"school": 5, "district": 8, "commune": 8, "province": 10}
PROVINCES_TAG = "de06/provinces"


def previous_month(today: date) -> date:
    first = today.replace(day=1)
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


def province_deadline_day(province: str, rows: list[dict]) -> int:
    """The last deadline day of any unit type in a province: its rows, else `*`, else defaults."""
    days = dict(DEFAULT_DAYS)
    for area in ("*", province):  # the province's own rows override the national ones
        for row in rows:
            if row.get("area_code", "").strip() == area and row.get("day", "").strip().isdigit():
                kind = row.get("unit_type", "").strip().lower()
                for key in ({"district", "commune"} if kind in ("district", "commune") else {kind}):
                    days[key] = int(row["day"])
    return max(days.values())


def read_provinces(reference_dir: Path) -> list[tuple[str, str]]:
    """(code, name) of the provinces open today in the registry, if it can be read."""
    path = reference_dir / "org_units.csv"
    if not path.is_file():
        return []
    today = date.today().isoformat()
    found = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("unit_type") or "").strip() != "province":
                continue
            if (row.get("active_to") or "").strip() and row["active_to"].strip() < today:
                continue
            found[row["unit_code"].strip()] = (row.get("unit_name") or "").strip()
    return sorted(found.items())


def read_deadline_rows(reference_dir: Path) -> list[dict]:
    path = reference_dir / "reporting_deadlines.csv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def rollup_run_request(province: str, today: date) -> RunRequest:
    month = previous_month(today).isoformat()
    return RunRequest(
        run_key=f"rollup-{province}-{month}",
        tags={
            "dagster/asset_partition_range_start": month,
            "dagster/asset_partition_range_end": month,
            PROVINCES_TAG: province,
        },
    )


def build_province_schedules(build_job) -> list:
    """One schedule per province open today (read from the sources' reference folder)."""
    reference_dir = get_settings().reference_dir
    deadline_rows = read_deadline_rows(reference_dir)
    schedules = []
    for code, name in read_provinces(reference_dir):
        due = province_deadline_day(code, deadline_rows)
        run_day = min(due + 1, 28)

        @schedule(
            name=f"rollup_{code}",
            job=build_job,
            cron_schedule=f"0 6 {run_day} * *",
            execution_timezone=TIMEZONE,
            description=f"Tổng hợp tháng của {name} ({code}): ngày {run_day} hằng tháng, "
            f"sau hạn báo cáo ngày {due}.",
            default_status=DefaultScheduleStatus.STOPPED,
        )
        def _rollup(context: ScheduleEvaluationContext, _code=code):
            when = context.scheduled_execution_time or datetime.now()
            return rollup_run_request(_code, when.date())

        schedules.append(_rollup)
    return schedules


def inbox_fingerprint(inbox: Path) -> str:
    """A cheap fingerprint of the inbox: every submission path with its size and mtime."""
    digest = hashlib.sha256()
    if inbox.is_dir():
        for dirpath, dirnames, filenames in os.walk(inbox):
            dirnames[:] = sorted(d for d in dirnames if is_submission_name(d))
            for name in sorted(filenames):
                if is_submission_name(name):
                    path = Path(dirpath) / name
                    try:
                        stat = path.lstat()
                    except OSError:
                        continue
                    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build_sensors(land_job, build_job) -> list:
    @sensor(
        name="inbox_sensor",
        job=land_job,
        minimum_interval_seconds=60,
        description="Lands the inbox when files arrive or change.",
        default_status=DefaultSensorStatus.STOPPED,
    )
    def inbox_sensor(context: SensorEvaluationContext):
        fingerprint = inbox_fingerprint(get_settings().inbox_dir)
        if fingerprint == context.cursor:
            return SkipReason("no new or changed file in the inbox")
        context.update_cursor(fingerprint)
        return RunRequest(run_key=f"inbox-{fingerprint[:16]}")

    @run_status_sensor(
        name="landed_months_sensor",
        run_status=DagsterRunStatus.SUCCESS,
        monitored_jobs=[land_job],
        request_job=build_job,
        description="After a landing run, rebuilds the months its new submissions belong to.",
        default_status=DefaultSensorStatus.STOPPED,
    )
    def landed_months_sensor(context):
        import duckdb

        record = context.instance.get_run_record_by_id(context.dagster_run.run_id)
        started = datetime.utcfromtimestamp(record.start_time).replace(microsecond=0)
        con = duckdb.connect(str(get_settings().warehouse_path), read_only=True)
        try:
            rows = con.execute(
                "select min(month), max(month) from raw.submissions "
                "where accepted and ingested_at >= ?",
                [started],
            ).fetchone()
        finally:
            con.close()
        if not rows or rows[0] is None:
            return SkipReason("the landing run brought no new accepted submission")
        first, last = rows[0].isoformat(), rows[1].isoformat()
        return RunRequest(
            run_key=f"months-{context.dagster_run.run_id}",
            tags={
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": last,
                "de06/trigger": json.dumps({"landing_run": context.dagster_run.run_id}),
            },
        )

    return [inbox_sensor, landed_months_sensor]
