"""Pure value parsers: periods, report dates, counts, binary answers, rates.

Each parser takes a cell value as read (str, int, float, bool, date, datetime, None ...)
and returns the parsed value, or a `Failure` (counts) / `None` (periods, dates, rates)
when the value cannot be read. Emptiness is the caller's test (`normalize.is_blank`) for
periods and dates; counts report it themselves (`MISSING`).
"""

import math
import re
from datetime import date, datetime, time, timedelta, timezone

from dagster_project.ingest.normalize import is_blank, label_key, nfc


class Failure:
    """Why a count could not be read: `missing` or `non_numeric` (a reason-code stem)."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code

    def __repr__(self) -> str:
        return f"Failure({self.code!r})"

    def __reduce__(self):  # keep the two singletons singletons across pickling
        return (_failure, (self.code,))


def _failure(code: str) -> "Failure":
    return MISSING if code == "missing" else NON_NUMERIC


MISSING = Failure("missing")
NON_NUMERIC = Failure("non_numeric")

# Local time of every report date (Vietnam has had no DST since 1975).
VN_TZ = timezone(timedelta(hours=7))

# Excel serial day numbers of 1950-01-01 .. 2100-12-31 (1900 date system), accepted when a
# date was typed into a cell that is not formatted as a date.
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 18264, 73415
_YEAR_MIN, _YEAR_MAX = 1950, 2100


def _from_serial(value: float) -> datetime | None:
    if not (_SERIAL_MIN <= value <= _SERIAL_MAX):
        return None
    # Round to the minute: serials carry float noise (23:59 -> 23:58:59.999).
    minutes = round(value * 24 * 60)
    return _EXCEL_EPOCH + timedelta(minutes=minutes)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cell_text(value: object) -> str | None:
    """How a raw cell is shown and stored as text (audit tables, notes); None when empty.

    A whole float prints without `.0` (Excel stores every number as a float: the clerk
    typed `12`, not `12.0`); dates print ISO.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return nfc(text) if text.strip() else None


# --- periods -----------------------------------------------------------------------------

# Matched on label_key(text): diacritics removed, case folded, whitespace collapsed.
_PERIOD_MONTH_YEAR = re.compile(r"(?:thang|t)\s*(\d{1,2})\s*(?:/|-|\.|nam|,)\s*(\d{4})")
_PERIOD_MM_YYYY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{4})")
_PERIOD_YYYY_MM = re.compile(r"(\d{4})\s*[/.-]\s*(\d{1,2})")
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?"
)
_DMY_DATE = re.compile(
    r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
    r"(?:\s*,?\s+(\d{1,2})\s*[:h]\s*(\d{2})(?:\s*:\s*(\d{2}))?)?"
)
_WORDY_DATE = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})")


def _month(year: int, month: int) -> date | None:
    if _YEAR_MIN <= year <= _YEAR_MAX and 1 <= month <= 12:
        return date(year, month, 1)
    return None


def parse_period(value: object) -> date | None:
    """The reported month (its first day), or None when the value is not a period.

    Accepts `Tháng 3/2025`, `Tháng 03 năm 2025`, `T3/2025`, `03/2025`, `2025-03`, an ISO
    date or datetime text, `dd/mm/yyyy` text, a date/datetime (Excel date cell: that
    date's month) or an Excel serial day number. Case and diacritics do not matter.
    """
    if isinstance(value, datetime):
        return _month(value.year, value.month)
    if isinstance(value, date):
        return _month(value.year, value.month)
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        moment = _from_serial(float(value))
        return _month(moment.year, moment.month) if moment else None
    if not isinstance(value, str):
        return None
    text = label_key(value)
    for pattern, year_group, month_group in (
        (_PERIOD_MONTH_YEAR, 2, 1),
        (_PERIOD_MM_YYYY, 2, 1),
        (_PERIOD_YYYY_MM, 1, 2),
    ):
        found = pattern.fullmatch(text)
        if found:
            return _month(int(found.group(year_group)), int(found.group(month_group)))
    moment = _parse_datetime_text(text)
    if moment is not None:
        return _month(moment.year, moment.month)
    return None


# --- report dates ------------------------------------------------------------------------


def _build(year: int, month: int, day: int, hour=None, minute=None, second=None):
    if not (_YEAR_MIN <= year <= _YEAR_MAX):
        return None
    try:
        return datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def _parse_datetime_text(text: str) -> datetime | None:
    """Parse an already label_key-ed date text (day first, or ISO)."""
    found = _DMY_DATE.fullmatch(text)
    if found:
        d, m, y, hh, mm, ss = found.groups()
        return _build(int(y), int(m), int(d), hh, mm, ss)
    found = _ISO_DATE.fullmatch(text)
    if found:
        y, m, d, hh, mm, ss, zone = found.groups()
        moment = _build(int(y), int(m), int(d), hh, mm, ss)
        if moment is not None and zone:
            if zone == "z":
                offset = timedelta(0)
            else:
                sign = -1 if zone[0] == "-" else 1
                digits = zone[1:].replace(":", "")
                offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            aware = moment.replace(tzinfo=timezone(offset))
            moment = aware.astimezone(VN_TZ).replace(tzinfo=None)
        return moment
    found = _WORDY_DATE.fullmatch(text)
    if found:
        d, m, y = found.groups()
        return _build(int(y), int(m), int(d))
    return None


def parse_report_date(value: object) -> datetime | None:
    """The report date as a naive local datetime, or None when it is not a date.

    Accepts `dd/mm/yyyy` and `d/m/yyyy` (optionally ` HH:MM` or ` HH:MM:SS`), ISO
    `yyyy-mm-dd` and ISO datetimes (an offset is converted to Vietnam time), the Vietnamese
    `ngày 5 tháng 4 năm 2025`, an Excel date/datetime cell or an Excel serial number.
    A date without a time is midnight.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(VN_TZ).replace(tzinfo=None)
        return value if _YEAR_MIN <= value.year <= _YEAR_MAX else None
    if isinstance(value, date):
        return _build(value.year, value.month, value.day)
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return _from_serial(float(value))
    if not isinstance(value, str):
        return None
    return _parse_datetime_text(label_key(value))


# --- counts ------------------------------------------------------------------------------

_SIGNS = "-−–+"  # hyphen-minus, minus sign, en dash (Excel autocorrect), plus
_PLAIN_DIGITS = re.compile(r"[0-9]+")
# Thousands groups: one separator, used consistently, groups of exactly three digits.
_GROUPED = re.compile(r"[0-9]{1,3}(?:([. \u00a0\u202f\u2009])[0-9]{3})(?:\1[0-9]{3})*")
# A decimal fraction of only zeros (`812.0`, `812,00`) is a whole number.
_ZERO_FRACTION = re.compile(r"([0-9]+)[.,]0+")


# No count of pupils, staff or dossiers comes near this; beyond it a figure would also
# overflow the warehouse's BIGINT columns (and text of 4,300+ digits Python's int()).
MAX_COUNT = 10**15


def parse_count(value: object) -> int | Failure:
    """A whole number (negative allowed, so the caller can report `negative_value`).

    int; a float with no fraction; text `1234`, `1.234`, `1 234`, `1\u00a0234` (groups of
    exactly three digits), `812.0`. Empty -> MISSING; `12.5`, `1,5`, `abc`, a boolean, a
    date, or a number of `MAX_COUNT` or more -> NON_NUMERIC.
    """
    number = _count(value)
    if type(number) is int and not -MAX_COUNT < number < MAX_COUNT:
        return NON_NUMERIC
    return number


def _count(value: object) -> int | Failure:
    # The cells of nearly every row: a float from a workbook, an int from JSON. (Exact
    # types only; `is_integer` is False for inf and nan.)
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else NON_NUMERIC
    if kind is int:
        return value
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return NON_NUMERIC
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return NON_NUMERIC
    if not isinstance(value, str):
        return NON_NUMERIC
    text = value.strip()
    if not text:
        return MISSING
    if len(text) > 40:  # far beyond MAX_COUNT in any written form
        return NON_NUMERIC
    negative = False
    if text[0] in _SIGNS:
        negative = text[0] != "+"
        text = text[1:].lstrip()
        if not text:
            return NON_NUMERIC
    if _PLAIN_DIGITS.fullmatch(text):
        number = int(text)
    elif _GROUPED.fullmatch(text):
        number = int("".join(ch for ch in text if ch.isdigit()))
    else:
        found = _ZERO_FRACTION.fullmatch(text)
        if not found:
            return NON_NUMERIC
        number = int(found.group(1))
    return -number if negative else number


# --- binary answers ----------------------------------------------------------------------

_YES = frozenset({"co", "x", "true", "yes"})
_NO = frozenset({"khong", "false", "no"})


def parse_binary(value: object) -> int | Failure:
    """A binary indicator's numerator: `Có`/`x`/`1`/True -> 1, `Không`/`0`/empty/False -> 0.

    Words match ignoring case and diacritics. Any other number parses as a count (so `2`
    is returned as 2 and the caller reports `binary_out_of_range`); other text is
    NON_NUMERIC.
    """
    if isinstance(value, bool):
        return 1 if value else 0
    if is_blank(value):
        return 0
    if isinstance(value, str):
        key = label_key(value)
        if key in _YES:
            return 1
        if key in _NO:
            return 0
    return parse_count(value)


def parse_binary_denominator(value: object) -> int | Failure:
    """A binary indicator's denominator: empty means 1, else a count."""
    if is_blank(value):
        return 1
    return parse_count(value)


# --- rates -------------------------------------------------------------------------------


class Rate:
    """A rate as written: its number, and whether it was explicitly a percentage."""

    __slots__ = ("value", "percent_sign")

    def __init__(self, value: float, percent_sign: bool) -> None:
        self.value = value
        self.percent_sign = percent_sign

    def matches(self, numerator: int, denominator: int, tolerance_pp: float = 0.5) -> bool:
        """Within `tolerance_pp` percentage points of 100*num/den (a fraction <= 1 too)."""
        expected = 100.0 * numerator / denominator
        if abs(self.value - expected) <= tolerance_pp + 1e-9:
            return True
        if not self.percent_sign and abs(self.value) <= 1.0:
            return abs(100.0 * self.value - expected) <= tolerance_pp + 1e-9
        return False

    def __repr__(self) -> str:
        return f"Rate({self.value!r}{', %' if self.percent_sign else ''})"


_RATE_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


def parse_rate(value: object) -> Rate | None:
    """`81,2`, `81.2`, `81.2%`, `81,2 %`, 0.812 (a fraction) ... or None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Rate(float(value), False) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = "".join(value.split())
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if not _RATE_TEXT.fullmatch(text):
        return None
    return Rate(float(text.replace(",", ".")), percent)
