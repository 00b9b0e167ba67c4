"""The one partitioning of the project: reporting months.

Ingest is not partitioned (it lands whatever arrived); everything built from the landed
submissions is, so a late March file rebuilds March and the periods that contain it.
"""

from datetime import date

from dagster import MonthlyPartitionsDefinition, TimeWindow

# Reports for the current month may arrive before it ends, hence end_offset=1.
reporting_months = MonthlyPartitionsDefinition(start_date="2020-01-01", end_offset=1)


def month_bounds(window: TimeWindow) -> tuple[str, str]:
    """The first and last month (first days, ISO) of a partition time window."""
    start = window.start.date().replace(day=1)
    end = window.end.date()  # exclusive: first day of the month after the window
    last_year, last_month = (end.year, end.month - 1) if end.month > 1 else (end.year - 1, 12)
    return start.isoformat(), date(last_year, last_month, 1).isoformat()
