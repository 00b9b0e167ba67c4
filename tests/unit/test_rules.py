"""process_file end to end on real files: every file and row reason, the check orders,
duplicates, warnings and the figures that come out."""

from datetime import date, datetime

import pytest

from dagster_project.ingest.model import Limits
from support.workbooks import (
    MARCH,
    csv_bytes,
    csv_record,
    figures_by_kpi,
    json_bytes,
    json_doc,
    quarantine_by_row,
    report_grid,
    run,
    school_xlsx,
    xlsx_bytes,
)

DISTRICT = {"unit_code": "193", "unit_name": "Phòng GDĐT Hạ Long"}


def district_xlsx(consolidated, rows=(("TTHC_HS_TRUC_TUYEN", 10, 20),), **kw):
    return school_xlsx(consolidated=consolidated, rows=list(rows), **{**DISTRICT, **kw})


def only_reason(result):
    assert len(result.quarantined) == 1, result.quarantined
    return result.quarantined[0]


# --- accepted files ----------------------------------------------------------------------


def test_accepted_workbook_figures_and_counts():
    result = run(school_xlsx(), "Hạ Long/THCS/BaoCao_T3.XLSX")
    assert result.accepted and result.reason_code is None
    assert result.file_format == "xlsx"
    assert (result.unit_code, result.unit_name, result.preparer) == ("06688", "Trường THCS Hạ Long", "Nguyễn Văn A")
    assert result.month == MARCH and result.report_date == datetime(2025, 4, 5)
    assert figures_by_kpi(result) == {"TTHC_HS_TRUC_TUYEN": (812, 1000), "CSGD_CHU_KY_SO": (40, 42), "DV_KDTM": (1, 1)}
    assert (result.rows_total, result.rows_accepted, result.rows_quarantined) == (3, 3, 0)
    assert result.has_consolidated_section is False
    assert result.warnings == []
    assert all(f.submission_id == result.submission_id for f in result.figures)


def test_accepted_csv_with_consolidated_rows():
    data = csv_bytes([
        csv_record("TTHC_HS_TRUC_TUYEN", "812", "1.000", sender="193", period="Tháng 3/2025", report_date="05/04/2025 16:30"),
        csv_record("CSGD_CHU_KY_SO", "40", "42", sender="193", period="Tháng 3/2025", report_date="05/04/2025 16:30",
                   scope="consolidated", unit="06688"),
    ])
    result = run(data, "x.csv")
    assert result.accepted and result.file_format == "csv"
    assert result.report_date == datetime(2025, 4, 5, 16, 30)
    assert figures_by_kpi(result) == {"TTHC_HS_TRUC_TUYEN": (812, 1000)}
    assert [(f.unit_code, f.kpi_code, f.numerator, f.denominator, f.row_number, f.sheet)
            for f in result.figures if f.scope == "consolidated"] == [("06688", "CSGD_CHU_KY_SO", 40, 42, 3, None)]
    assert result.has_consolidated_section is True


def test_accepted_json():
    doc = json_doc(unit="193", chi_tieu=[{"ma_chi_tieu": "DV_KDTM", "tu_so": "Có"},
                                         {"ma_chi_tieu": "CSGD_HOC_BA_SO", "tu_so": "1 234", "mau_so": 1500.0}],
                   tong_hop=[{"ma_don_vi": "06689", "ma_chi_tieu": "CSGD_CHU_KY_SO", "tu_so": 40, "mau_so": 42}])
    result = run(json_bytes(doc), "a/b.JSON")
    assert result.accepted and result.file_format == "json"
    assert figures_by_kpi(result) == {"DV_KDTM": (1, 1), "CSGD_HOC_BA_SO": (1234, 1500)}
    cons = [f for f in result.figures if f.scope == "consolidated"]
    assert [(f.sheet, f.row_number, f.unit_code) for f in cons] == [("tong_hop", 1, "06689")]


# --- file reasons, one file each -----------------------------------------------------------


@pytest.mark.parametrize("name", ["bao_cao.pdf", "bao_cao.xls", "bao_cao", "bao_cao.xlsx.zip", "BAO_CAO.ODS"])
def test_unsupported_format(name):
    result = run(school_xlsx(), name)
    assert (result.accepted, result.reason_code) == (False, "unsupported_format")
    assert result.rows_total == 0


def test_file_too_large_is_not_read():
    result = run(None, "big.xlsx", size=25 * 1024 * 1024)
    assert result.reason_code == "file_too_large" and result.file_size == 25 * 1024 * 1024
    small = Limits(max_file_bytes=100)
    assert run(school_xlsx(), "a.xlsx", limits=small).reason_code == "file_too_large"


@pytest.mark.parametrize(
    "data, name",
    [(b"PK\x03\x04garbage", "a.xlsx"), (b"hello", "a.xlsx"), (b"\xff\xfe\xfa", "a.csv"),
     (b"[1,2]", "a.json"), (b"{", "a.json")],
)
def test_unreadable_file(data, name):
    result = run(data, name)
    assert result.reason_code == "unreadable_file" and result.reason_detail


def test_missing_sheet():
    assert run(school_xlsx(sheet_name="Sheet1")).reason_code == "missing_sheet"


def test_mixed_header():
    data = csv_bytes([csv_record("TTHC_HS_TRUC_TUYEN", "1", "2"), csv_record("CSGD_CHU_KY_SO", "1", "2", period="2025-04")])
    assert run(data, "a.csv").reason_code == "mixed_header"


def test_missing_unit_code():
    result = run(school_xlsx(unit_code=None))
    assert result.reason_code == "missing_unit_code"
    assert result.rows_total == 3 and result.rows_accepted == 0 and result.rows_quarantined == 0


def test_unknown_unit():
    result = run(school_xlsx(unit_code="6688"))  # leading zero lost
    assert result.reason_code == "unknown_unit" and "6688" in result.reason_detail
    assert result.unit_code == "6688"


def test_missing_period():
    assert run(school_xlsx(period="  ")).reason_code == "missing_period"


def test_invalid_period():
    result = run(school_xlsx(period="Quý 1/2025"))
    assert result.reason_code == "invalid_period" and "Quý 1/2025" in result.reason_detail


def test_missing_report_date():
    assert run(school_xlsx(report_date=None)).reason_code == "missing_report_date"


def test_invalid_report_date():
    result = run(school_xlsx(report_date="31/02/2025"))
    assert result.reason_code == "invalid_report_date" and result.month == MARCH


def test_period_after_report_date():
    result = run(school_xlsx(period="Tháng 4/2025", report_date="31/03/2025 23:59"))
    assert result.reason_code == "period_after_report_date"
    # A report dated on the first day of its month is not after it.
    assert run(school_xlsx(period="Tháng 4/2025", report_date="01/04/2025")).accepted


def test_unit_inactive_for_the_sender():
    assert run(school_xlsx(unit_code="99999")).reason_code == "unit_inactive"  # closed 2024
    assert run(school_xlsx(**DISTRICT, period="Tháng 7/2025", report_date="05/08/2025")).reason_code == "unit_inactive"
    # Active for part of the month is enough to report.
    assert run(school_xlsx(unit_code="06690")).accepted  # opened 2025-03-15


def test_no_indicator_rows():
    result = run(school_xlsx(rows=[]))
    assert result.reason_code == "no_indicator_rows" and result.rows_total == 0
    # A total row right under the header leaves no raw row either.
    grid = report_grid(rows=[])
    grid.append(["Tổng cộng", None, None, 0, 0])
    grid.append([1, "TTHC_HS_TRUC_TUYEN", None, 1, 2])
    assert run(xlsx_bytes({"BaoCao": grid})).reason_code == "no_indicator_rows"


# --- file check order ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, name, size, expected",
    [
        (None, "big.pdf", 30 * 2**20, "unsupported_format"),
        (None, "big.xlsx", 30 * 2**20, "file_too_large"),
        (b"not a zip", "a.xlsx", None, "unreadable_file"),
        ("missing_sheet_and_no_unit", "a.xlsx", None, "missing_sheet"),
        ("mixed_and_no_unit", "a.csv", None, "mixed_header"),
        ("no_unit_no_period", "a.xlsx", None, "missing_unit_code"),
        ("unknown_unit_bad_period", "a.xlsx", None, "unknown_unit"),
        ("no_period_no_date", "a.xlsx", None, "missing_period"),
        ("bad_period_no_date", "a.xlsx", None, "invalid_period"),
        ("no_date_inactive", "a.xlsx", None, "missing_report_date"),
        ("bad_date_inactive", "a.xlsx", None, "invalid_report_date"),
        ("after_and_inactive", "a.xlsx", None, "period_after_report_date"),
        ("inactive_no_rows", "a.xlsx", None, "unit_inactive"),
    ],
)
def test_file_check_order(data, name, size, expected):
    builders = {
        "missing_sheet_and_no_unit": lambda: school_xlsx(sheet_name="Data", unit_code=None),
        "mixed_and_no_unit": lambda: csv_bytes([csv_record("DV_KDTM", "1", "", sender=""),
                                                csv_record("DV_KDTM", "1", "", sender="", report_date="x")]),
        "no_unit_no_period": lambda: school_xlsx(unit_code=None, period=None),
        "unknown_unit_bad_period": lambda: school_xlsx(unit_code="00000", period="abc"),
        "no_period_no_date": lambda: school_xlsx(period=None, report_date=None),
        "bad_period_no_date": lambda: school_xlsx(period="Tháng 13/2025", report_date=None),
        "no_date_inactive": lambda: school_xlsx(unit_code="99999", report_date=None),
        "bad_date_inactive": lambda: school_xlsx(unit_code="99999", report_date="hôm nay"),
        "after_and_inactive": lambda: school_xlsx(unit_code="99999", report_date="28/02/2025", rows=[]),
        "inactive_no_rows": lambda: school_xlsx(unit_code="99999", rows=[]),
    }
    payload = builders[data]() if isinstance(data, str) else data
    assert run(payload, name, size=size).reason_code == expected


# --- row reasons, one file each --------------------------------------------------------------


@pytest.mark.parametrize("unit, fragment", [("XXXXX", "'XXXXX'"), (None, "không ghi mã đơn vị")])
def test_unknown_subject_unit(unit, fragment):
    result = run(district_xlsx([(unit, "CSGD_CHU_KY_SO", 1, 2)]))
    row = only_reason(result)
    assert (row.reason_code, row.scope, row.sheet, row.unit_code) == ("unknown_subject_unit", "consolidated", "TongHop", unit)
    assert fragment in row.detail


def test_unit_outside_scope_other_subtree():
    result = run(district_xlsx([("74001", "CSGD_CHU_KY_SO", 1, 2)]))
    row = only_reason(result)
    assert row.reason_code == "unit_outside_scope" and "'74001'" in row.detail and "'718'" in row.detail


def test_unit_outside_scope_row_about_the_sender_itself():
    assert only_reason(run(district_xlsx([("193", "CSGD_CHU_KY_SO", 1, 2)]))).reason_code == "unit_outside_scope"


def test_unit_outside_scope_after_the_school_moved():
    # In July 2025 school 06688 hangs under commune 06700, no longer under district 193.
    data = school_xlsx(unit_code="06700", unit_name="Phường Hạ Long", period="Tháng 7/2025",
                       report_date="05/08/2025", consolidated=[("06688", "CSGD_CHU_KY_SO", 1, 2)])
    assert run(data).figures[-1].unit_code == "06688"
    data = school_xlsx(unit_code="22", unit_name="Sở GDĐT Quảng Ninh", period="Tháng 7/2025",
                       report_date="05/08/2025", consolidated=[("06688", "CSGD_CHU_KY_SO", 1, 2)])
    assert run(data).rows_quarantined == 0  # the province is still an ancestor
    data = school_xlsx(**DISTRICT, period="Tháng 6/2025", report_date="05/07/2025",
                       consolidated=[("06688", "CSGD_CHU_KY_SO", 1, 2)])
    assert run(data).rows_quarantined == 0


def test_unit_outside_scope_csv_own_row_naming_another_unit():
    data = csv_bytes([csv_record("CSGD_CHU_KY_SO", "1", "2", sender="193", scope="own", unit="06688")])
    row = only_reason(run(data, "a.csv"))
    assert (row.reason_code, row.row_number, row.sheet) == ("unit_outside_scope", 2, None)


def test_unit_inactive_row():
    result = run(district_xlsx([("99999", "CSGD_CHU_KY_SO", 1, 2)]))  # closed 2024-12-31
    row = only_reason(result)
    assert row.reason_code == "unit_inactive" and "03/2025" in row.detail


def test_partly_active_unit_row_is_accepted():
    result = run(district_xlsx([("06690", "CSGD_CHU_KY_SO", 1, 2)]))
    assert result.rows_quarantined == 0 and result.rows_accepted == 2


@pytest.mark.parametrize("kpi, fragment", [("TTHC_KHONG_CO", "'TTHC_KHONG_CO'"), (None, "không ghi mã chỉ tiêu")])
def test_unknown_kpi(kpi, fragment):
    row = only_reason(run(school_xlsx(rows=[(kpi, 1, 2), ("CSGD_CHU_KY_SO", 1, 2)])))
    assert row.reason_code == "unknown_kpi" and fragment in row.detail and row.row_number == 9


def test_kpi_code_case_and_spaces_are_tolerated():
    result = run(school_xlsx(rows=[(" csgd_chu_ky_so ", 1, 2)]))
    assert figures_by_kpi(result) == {"CSGD_CHU_KY_SO": (1, 2)}


@pytest.mark.parametrize("num, den", [(None, 10), (5, None), ("  ", 10), (None, None)])
def test_missing_value(num, den):
    row = only_reason(run(school_xlsx(rows=[("CSGD_CHU_KY_SO", num, den)])))
    assert row.reason_code == "missing_value"
    assert (row.raw_numerator, row.raw_denominator) == (None if num in (None, "  ") else "5", None if den is None else "10")


def test_missing_value_from_a_formula_without_cached_value():
    assert only_reason(run(school_xlsx(rows=[("CSGD_CHU_KY_SO", "=C9*2", 10)]))).reason_code == "missing_value"


def test_missing_numerator_column_quarantines_binary_rows_too():
    result = run(school_xlsx(rows=[("CSGD_CHU_KY_SO", 1, 2), ("DV_KDTM", "Có", None)], columns=("Mã chỉ tiêu", "Mẫu số")))
    assert [q.reason_code for q in result.quarantined] == ["missing_value", "missing_value"]
    assert "không có cột" in result.quarantined[0].detail


@pytest.mark.parametrize("num", ["12,5", "12.5", "1.5", "1,5", "abc", 12.5, "5 người"])
def test_non_numeric(num):
    row = only_reason(run(school_xlsx(rows=[("CSGD_CHU_KY_SO", num, 100)])))
    assert row.reason_code == "non_numeric"
    assert row.raw_numerator == str(num)
    assert f"Tử số '{num}' không phải số nguyên" in row.detail


@pytest.mark.parametrize("num, den", [("-3", 10), (3, -10), (-3.0, 10)])
def test_negative_value(num, den):
    row = only_reason(run(school_xlsx(rows=[("CSGD_CHU_KY_SO", num, den)])))
    assert row.reason_code == "negative_value" and "là số âm" in row.detail


@pytest.mark.parametrize("num, den", [("2", None), (2, 1), ("Có", 2), (5, 5)])
def test_binary_out_of_range(num, den):
    row = only_reason(run(school_xlsx(rows=[("DV_HOC_BA_SO", num, den)])))
    assert row.reason_code == "binary_out_of_range"


@pytest.mark.parametrize("kpi, num, den", [("CSGD_CHU_KY_SO", 43, 42), ("TTHC_HS_TRUC_TUYEN", "1.001", "1.000"), ("DV_KDTM", "Có", 0)])
def test_numerator_exceeds_denominator(kpi, num, den):
    row = only_reason(run(school_xlsx(rows=[(kpi, num, den)])))
    assert row.reason_code == "numerator_exceeds_denominator"


def test_numerator_exceeds_denominator_detail_names_the_figures():
    row = only_reason(run(school_xlsx(rows=[("CSGD_CHU_KY_SO", 43, 42)])))
    assert row.detail.startswith("Tử số 43 lớn hơn mẫu số 42")
    assert (row.raw_numerator, row.raw_denominator) == ("43", "42")


def test_zero_over_zero_is_a_figure():
    assert figures_by_kpi(run(school_xlsx(rows=[("TTHC_HAI_LONG", 0, 0)]))) == {"TTHC_HAI_LONG": (0, 0)}


# --- number and binary forms through a workbook -----------------------------------------------


@pytest.mark.parametrize(
    "num, den, expected",
    [(812, 1000, (812, 1000)), (812.0, 1000.0, (812, 1000)), ("812", "1000", (812, 1000)),
     ("1.234", "1.500", (1234, 1500)), ("1 234", "1 500", (1234, 1500)),
     ("1\u00a0234", "2\u00a0000", (1234, 2000))],
)
def test_number_forms(num, den, expected):
    assert figures_by_kpi(run(school_xlsx(rows=[("CSGD_HOC_BA_SO", num, den)]))) == {"CSGD_HOC_BA_SO": expected}


@pytest.mark.parametrize(
    "num, den, expected",
    [("Có", None, (1, 1)), ("có", 1, (1, 1)), ("CO", None, (1, 1)), ("x", None, (1, 1)), ("X", "", (1, 1)),
     (1, None, (1, 1)), ("1", "1", (1, 1)), (True, None, (1, 1)),
     ("Không", None, (0, 1)), ("KHONG", None, (0, 1)), (0, None, (0, 1)), ("0", 1, (0, 1)),
     (None, None, (0, 1)), (False, None, (0, 1))],
)
def test_binary_forms(num, den, expected):
    assert figures_by_kpi(run(school_xlsx(rows=[("DV_QUAN_TRIET", num, den)]))) == {"DV_QUAN_TRIET": expected}


@pytest.mark.parametrize(
    "period",
    ["Tháng 3/2025", "Tháng 03 năm 2025", "T3/2025", "03/2025", "2025-03", "thang 3/2025",
     datetime(2025, 3, 1), datetime(2025, 3, 17)],
)
def test_period_forms_in_a_workbook(period):
    assert run(school_xlsx(period=period)).month == MARCH


@pytest.mark.parametrize(
    "report_date, expected",
    [("05/04/2025", datetime(2025, 4, 5)), ("5/4/2025 16:30", datetime(2025, 4, 5, 16, 30)),
     (datetime(2025, 4, 8, 23, 59), datetime(2025, 4, 8, 23, 59)), (datetime(2025, 4, 9), datetime(2025, 4, 9))],
)
def test_report_date_forms_in_a_workbook(report_date, expected):
    assert run(school_xlsx(report_date=report_date)).report_date == expected


@pytest.mark.parametrize(
    "period, report_date",
    [("Tháng 3/2025", "08/04/2025 23:59"), ("T3/2025", "2025-04-08T23:59:00"), ("2025-03-01", "2025-04-08 23:59")],
)
def test_text_formats_apply_to_csv_and_json(period, report_date):
    data = csv_bytes([csv_record("CSGD_CHU_KY_SO", "1 234", "1.500", period=period, report_date=report_date)])
    result = run(data, "a.csv")
    assert (result.month, result.report_date) == (MARCH, datetime(2025, 4, 8, 23, 59))
    assert figures_by_kpi(result) == {"CSGD_CHU_KY_SO": (1234, 1500)}
    doc = json_doc(period=period, report_date=report_date, chi_tieu=[{"ma_chi_tieu": "DV_KDTM", "tu_so": "không"}])
    result = run(json_bytes(doc), "a.json")
    assert (result.month, result.report_date) == (MARCH, datetime(2025, 4, 8, 23, 59))
    assert figures_by_kpi(result) == {"DV_KDTM": (0, 1)}


def test_2359_and_midnight_are_different_days():
    late = run(school_xlsx(report_date="08/04/2025 23:59")).report_date
    next_day = run(school_xlsx(report_date="09/04/2025 00:00")).report_date
    assert late.date() == date(2025, 4, 8) and next_day.date() == date(2025, 4, 9)


# --- row check order -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cons_row, expected",
    [
        (("XXXXX", "NOPE", "abc", None), "unknown_subject_unit"),
        (("74001", "NOPE", "abc", None), "unit_outside_scope"),
        (("193", "NOPE", "abc", None), "unit_outside_scope"),
        (("99999", "NOPE", "abc", None), "unit_inactive"),
        (("06688", "NOPE", None, None), "unknown_kpi"),
        (("06688", "CSGD_CHU_KY_SO", None, "abc"), "missing_value"),
        (("06688", "CSGD_CHU_KY_SO", "abc", "-1"), "non_numeric"),
        (("06688", "CSGD_CHU_KY_SO", "-5", "-1"), "negative_value"),
        (("06688", "DV_KDTM", "-1", "5"), "negative_value"),
        (("06688", "DV_KDTM", "2", "1"), "binary_out_of_range"),
        (("06688", "CSGD_CHU_KY_SO", "50", "40"), "numerator_exceeds_denominator"),
    ],
)
def test_row_check_order(cons_row, expected):
    assert only_reason(run(district_xlsx([cons_row]))).reason_code == expected


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_rows_with_identical_figures_keep_the_first():
    rows = [("CSGD_CHU_KY_SO", 40, 42), ("TTHC_HAI_LONG", 1, 2), ("CSGD_CHU_KY_SO", "40", "42.0")]
    result = run(school_xlsx(rows=rows))
    assert figures_by_kpi(result) == {"CSGD_CHU_KY_SO": (40, 42), "TTHC_HAI_LONG": (1, 2)}
    assert [f.row_number for f in result.figures] == [9, 10]
    assert quarantine_by_row(result) == {11: "duplicate_kpi_row"}
    assert "dòng 9" in result.quarantined[0].detail
    assert (result.rows_total, result.rows_accepted, result.rows_quarantined) == (3, 2, 1)


def test_duplicate_rows_with_different_figures_are_all_quarantined():
    rows = [("CSGD_CHU_KY_SO", 40, 42), ("TTHC_HAI_LONG", 1, 2), ("CSGD_CHU_KY_SO", 41, 42), ("CSGD_CHU_KY_SO", 40, 42)]
    result = run(school_xlsx(rows=rows))
    assert figures_by_kpi(result) == {"TTHC_HAI_LONG": (1, 2)}
    assert quarantine_by_row(result) == {9: "duplicate_kpi_row", 11: "duplicate_kpi_row", 12: "duplicate_kpi_row"}


def test_duplicates_are_judged_among_rows_that_passed_only():
    rows = [("CSGD_CHU_KY_SO", 50, 42), ("CSGD_CHU_KY_SO", 40, 42)]
    result = run(school_xlsx(rows=rows))
    assert quarantine_by_row(result) == {9: "numerator_exceeds_denominator"}
    assert figures_by_kpi(result) == {"CSGD_CHU_KY_SO": (40, 42)}


def test_same_kpi_in_other_scope_or_for_other_unit_is_not_a_duplicate():
    cons = [("06688", "CSGD_CHU_KY_SO", 1, 2), ("06689", "CSGD_CHU_KY_SO", 3, 4), ("06688", "CSGD_CHU_KY_SO", 5, 6)]
    result = run(district_xlsx(cons, rows=[("CSGD_CHU_KY_SO", 7, 8)]))
    assert figures_by_kpi(result) == {"CSGD_CHU_KY_SO": (7, 8)}
    assert [(q.sheet, q.row_number, q.reason_code) for q in result.quarantined] == [
        ("TongHop", 4, "duplicate_kpi_row"), ("TongHop", 6, "duplicate_kpi_row")]
    assert [(f.unit_code, f.numerator) for f in result.figures if f.scope == "consolidated"] == [("06689", 3)]


def test_csv_own_rows_with_and_without_unit_are_the_same_unit():
    data = csv_bytes([csv_record("CSGD_CHU_KY_SO", "1", "2", unit=""), csv_record("CSGD_CHU_KY_SO", "1", "2", unit="22")])
    assert quarantine_by_row(run(data, "a.csv")) == {3: "duplicate_kpi_row"}


# --- warnings ----------------------------------------------------------------------------------


def test_unit_name_mismatch_warning():
    result = run(school_xlsx(unit_name="Trường THCS Cao Thắng"))
    assert result.accepted
    assert [w.warning_code for w in result.warnings] == ["unit_name_mismatch"]
    assert "Trường THCS Hạ Long" in result.warnings[0].detail


@pytest.mark.parametrize("name", ["TRƯỜNG THCS HẠ LONG", "Truong THCS Ha Long", "  Trường  THCS Hạ Long ", None])
def test_unit_name_compared_loosely(name):
    assert run(school_xlsx(unit_name=name)).warnings == []


@pytest.mark.parametrize("rate, warned", [("81,2", False), ("81.6", False), (0.812, False), ("81,2%", False),
                                          ("81.8", True), ("0.812%", True), (90, True), (None, False)])
def test_rate_mismatch_warning(rate, warned):
    result = run(school_xlsx(rows=[("TTHC_HS_TRUC_TUYEN", 812, 1000, rate)]))
    assert [w.warning_code for w in result.warnings] == (["rate_mismatch"] if warned else [])
    if warned:
        assert result.warnings[0].row_number == 9 and result.warnings[0].sheet == "BaoCao"


def test_rate_not_numeric_warning_and_zero_denominator_skips_the_check():
    result = run(school_xlsx(rows=[("TTHC_HS_TRUC_TUYEN", 1, 2, "n/a"), ("TTHC_HAI_LONG", 0, 0, "#DIV/0!")]))
    assert [(w.warning_code, w.row_number) for w in result.warnings] == [("rate_not_numeric", 9)]


def test_rejected_file_keeps_what_it_read():
    result = run(school_xlsx(period="Tháng 5/2025"))  # report date 05/04/2025
    assert result.reason_code == "period_after_report_date"
    assert (result.unit_code, result.month, result.report_date) == ("06688", date(2025, 5, 1), datetime(2025, 4, 5))
    assert (result.rows_total, result.rows_accepted, result.rows_quarantined) == (3, 0, 0)
    assert result.figures == [] and result.quarantined == []


def test_every_raw_row_ends_accepted_or_quarantined():
    rows = [("CSGD_CHU_KY_SO", 1, 2), ("NOPE", 1, 2), ("CSGD_HOC_BA_SO", "x", 2), ("DV_KDTM", "Có", None)]
    cons = [("06688", "CSGD_CHU_KY_SO", 1, 2), ("74001", "CSGD_CHU_KY_SO", 1, 2)]
    result = run(district_xlsx(cons, rows=rows))
    assert result.rows_total == 6 == result.rows_accepted + result.rows_quarantined
    assert result.rows_accepted == 3


def test_a_reader_crash_is_an_unreadable_file_not_a_failed_run(monkeypatch):
    import dagster_project.ingest.process as process

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(process, "read_submission", explode)
    result = run(school_xlsx())
    assert (result.accepted, result.reason_code) == (False, "unreadable_file")
    assert "RuntimeError" in result.reason_detail


def test_csv_with_only_a_header_has_no_sender():
    assert run(csv_bytes([]), "a.csv").reason_code == "missing_unit_code"


def test_identical_submission_id_is_the_callers():
    from dagster_project.ingest.process import process_file
    from support.workbooks import registry

    result = process_file(data=school_xlsx(), rel_path="x/y.xlsx", registry=registry(),
                          limits=Limits(), size=123, submission_id="abc")
    assert (result.submission_id, result.file_size, result.file_path) == ("abc", 123, "x/y.xlsx")
    assert {f.submission_id for f in result.figures} == {"abc"}
