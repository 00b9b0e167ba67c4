from datetime import date, datetime

import pytest

from dagster_project.ingest.values import (
    MISSING,
    NON_NUMERIC,
    parse_binary,
    parse_binary_denominator,
    parse_count,
    parse_period,
    parse_rate,
    parse_report_date,
)

MARCH = date(2025, 3, 1)


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Tháng 3/2025", "Tháng 03/2025", "tháng 3/2025", "THÁNG 3/2025", "Thang 3/2025",
        "Tháng 03 năm 2025", "Tháng 3 năm 2025", "THANG 03 NAM 2025", "tháng 3 - 2025",
        "T3/2025", "t03/2025", "T 3/2025",
        "03/2025", "3/2025", "03-2025", "3.2025",
        "2025-03", "2025-3", "2025/03",
        "2025-03-01", "2025-03-31", "2025-03-15T10:00:00", "15/03/2025",
        " Tháng 3/2025 ",
        "Tha\u0301ng 3/2025",  # NFD
        date(2025, 3, 1), date(2025, 3, 20), datetime(2025, 3, 31, 23, 59),
        45717.0,  # Excel serial of 2025-03-01 in a cell not formatted as a date
    ],
)
def test_period_forms(value):
    assert parse_period(value) == MARCH


@pytest.mark.parametrize(
    "value",
    ["Tháng 13/2025", "Tháng 0/2025", "2025-13", "13/2025", "Quý 1/2025", "abc", "2025",
     "31/02/2025", "Tháng 3", True, 12.5, float("nan")],
)
def test_invalid_periods(value):
    assert parse_period(value) is None


# --- report dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("05/04/2025", datetime(2025, 4, 5)),
        ("5/4/2025", datetime(2025, 4, 5)),
        ("05/04/2025 16:30", datetime(2025, 4, 5, 16, 30)),
        ("5/4/2025 9:05", datetime(2025, 4, 5, 9, 5)),
        ("05/04/2025 16:30:15", datetime(2025, 4, 5, 16, 30, 15)),
        ("05-04-2025", datetime(2025, 4, 5)),
        ("05.04.2025", datetime(2025, 4, 5)),
        ("2025-04-05", datetime(2025, 4, 5)),
        ("2025-04-05T16:30", datetime(2025, 4, 5, 16, 30)),
        ("2025-04-05T16:30:00", datetime(2025, 4, 5, 16, 30)),
        ("2025-04-05 16:30:00", datetime(2025, 4, 5, 16, 30)),
        ("2025-04-05T09:30:00Z", datetime(2025, 4, 5, 16, 30)),  # UTC -> Vietnam time
        ("2025-04-05T16:30:00+07:00", datetime(2025, 4, 5, 16, 30)),
        ("ngày 05 tháng 04 năm 2025", datetime(2025, 4, 5)),
        (date(2025, 4, 5), datetime(2025, 4, 5)),
        (datetime(2025, 4, 5, 16, 30), datetime(2025, 4, 5, 16, 30)),
        (45752.6875, datetime(2025, 4, 5, 16, 30)),  # Excel serial datetime
    ],
)
def test_report_date_forms(value, expected):
    assert parse_report_date(value) == expected


def test_2359_is_the_same_day_and_0000_the_next():
    last_minute = parse_report_date("08/04/2025 23:59")
    next_day = parse_report_date("09/04/2025 00:00")
    assert last_minute == datetime(2025, 4, 8, 23, 59)
    assert last_minute.date() == date(2025, 4, 8)
    assert next_day == datetime(2025, 4, 9, 0, 0)
    assert next_day.date() == date(2025, 4, 9)
    # An Excel datetime serial for 23:59 does not round to the next day.
    assert parse_report_date(45755 + 23 / 24 + 59 / 1440) == datetime(2025, 4, 8, 23, 59)
    # UTC 16:59 is 23:59 in Vietnam, UTC 17:00 is the next day.
    assert parse_report_date("2025-04-08T16:59:00Z") == datetime(2025, 4, 8, 23, 59)
    assert parse_report_date("2025-04-08T17:00:00Z") == datetime(2025, 4, 9, 0, 0)


@pytest.mark.parametrize(
    "value",
    ["31/02/2025", "05/13/2025", "2025-02-30", "hôm qua", "05/04/25", "05/04/2025 25:00",
     "Tháng 4/2025", True],
)
def test_invalid_report_dates(value):
    assert parse_report_date(value) is None


# --- counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (812, 812), (812.0, 812), (0, 0), ("812", 812), (" 812 ", 812),
        ("1.234", 1234), ("1 234", 1234), ("1\u00a0234", 1234), ("1\u202f234", 1234),
        ("1.234.567", 1234567), ("12 345 678", 12345678), ("812.0", 812), ("812,00", 812),
        ("-5", -5), ("-1.234", -1234), ("+7", 7), (-3.0, -3),
    ],
)
def test_count_forms(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    "value",
    ["12.5", "1.5", "1,5", "abc", "1,234", "12.34", "1.2345", "1 23", "1.234 567", "1e3",
     12.5, float("nan"), float("inf"), True, date(2025, 1, 1), "-", "5 người"],
)
def test_non_numeric_counts(value):
    assert parse_count(value) is NON_NUMERIC


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "-" + "9" * 5000, "1" + "0" * 15, "1.000.000.000.000.000", 10**15, -(10**15), 1e15, 1e300, 10**30],
)
def test_absurdly_large_counts_are_not_counts(value):
    # Found in review: 4,300+ digits made int() raise and stopped the landing; past
    # BIGINT a figure could not be stored.
    assert parse_count(value) is NON_NUMERIC


def test_the_largest_count_is_still_a_count():
    assert parse_count("999 999 999 999 999") == 10**15 - 1
    assert parse_count(-(10**15 - 1)) == -(10**15 - 1)


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_missing_counts(value):
    assert parse_count(value) is MISSING


# --- binary --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Có", 1), ("có", 1), ("CÓ", 1), ("Co", 1), ("x", 1), ("X", 1), (" x ", 1), ("1", 1),
        (1, 1), (1.0, 1), (True, 1), ("Co\u0301", 1),
        ("Không", 0), ("không", 0), ("KHÔNG", 0), ("Khong", 0), ("0", 0), (0, 0), (False, 0),
        (None, 0), ("", 0), ("  ", 0),
        ("2", 2), (2, 2), ("-1", -1),
    ],
)
def test_binary_forms(value, expected):
    assert parse_binary(value) == expected


def test_binary_words_that_are_not_answers():
    assert parse_binary("Có thể") is NON_NUMERIC
    assert parse_binary("0,5") is NON_NUMERIC


def test_binary_denominator_empty_is_one():
    assert parse_binary_denominator(None) == 1
    assert parse_binary_denominator("  ") == 1
    assert parse_binary_denominator(1) == 1
    assert parse_binary_denominator("0") == 0
    assert parse_binary_denominator("2") == 2


# --- rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, number, percent",
    [("81,2", 81.2, False), ("81.2", 81.2, False), ("81.2%", 81.2, True), ("81,2 %", 81.2, True),
     (0.812, 0.812, False), (81, 81.0, False), ("100", 100.0, False)],
)
def test_rate_forms(value, number, percent):
    rate = parse_rate(value)
    assert rate.value == pytest.approx(number) and rate.percent_sign is percent


def test_rate_matching():
    assert parse_rate("81,2").matches(812, 1000)
    assert parse_rate("81.6").matches(812, 1000)  # 0.4 pp off: fine
    assert not parse_rate("81.8").matches(812, 1000)  # 0.6 pp off
    assert parse_rate(0.812).matches(812, 1000)  # a fraction (Excel percent cell)
    assert not parse_rate("0.812%").matches(812, 1000)  # explicitly a percent: 0.812 %
    assert parse_rate(1).matches(10, 10)  # 1 = 100 % as a fraction
    assert parse_rate("0").matches(0, 10)


def test_unreadable_rates():
    assert parse_rate("#DIV/0!") is None
    assert parse_rate("abc") is None
    assert parse_rate(None) is None
