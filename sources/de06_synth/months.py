"""Months and dates (no wall-clock time anywhere: everything is derived from the options)."""

import calendar as _cal
from datetime import date, datetime, timedelta

Month = tuple[int, int]

REG_START = date(2020, 1, 1)  # the registry's first day for units that existed before the run
SWITCH = date(2025, 7, 1)  # the July 2025 reorganisation
LAST_OLD = date(2025, 6, 30)
EPOCH = (2024, 1)  # month 0 of the adoption curves


def parse_month(s: str) -> Month:
    y, m = s.strip().split("-")
    y, m = int(y), int(m)
    if not 1 <= m <= 12 or not 2000 <= y <= 2100:
        raise ValueError(f"bad month {s!r}")
    return (y, m)


def parse_months(s: str) -> list[Month]:
    """`2025-03`, `2025-01..2025-06` or a comma list of either."""
    out: list[Month] = []
    for part in s.split(","):
        part = part.strip()
        if ".." in part:
            a, b = (parse_month(x) for x in part.split(".."))
            if b < a:
                raise ValueError(f"empty month range {part!r}")
            m = a
            while m <= b:
                out.append(m)
                m = next_month(m)
        elif part:
            out.append(parse_month(part))
    return sorted(set(out))


def next_month(m: Month) -> Month:
    y, mo = m
    return (y + 1, 1) if mo == 12 else (y, mo + 1)


def key(m: Month) -> str:
    return f"{m[0]:04d}-{m[1]:02d}"


def first_day(m: Month) -> date:
    return date(m[0], m[1], 1)


def last_day(m: Month) -> date:
    return date(m[0], m[1], _cal.monthrange(m[0], m[1])[1])


def index(m: Month) -> int:
    """Months since EPOCH."""
    return (m[0] - EPOCH[0]) * 12 + (m[1] - EPOCH[1])


def due_date(m: Month, day: int) -> date:
    """A report for month m is due by the end of day `day` of the next month (clamped to its end)."""
    n = next_month(m)
    return date(n[0], n[1], min(day, _cal.monthrange(n[0], n[1])[1]))


def excel_serial(v: date | datetime) -> float | int:
    if isinstance(v, datetime):
        d = v - datetime(1899, 12, 30)
        return d.days + d.seconds / 86400
    return (v - date(1899, 12, 30)).days


def add_minutes(dt: datetime, minutes: int) -> datetime:
    return dt + timedelta(minutes=minutes)
