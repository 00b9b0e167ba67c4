import codecs
import io
import unicodedata
import zipfile
from datetime import date, datetime

import pytest

from dagster_project.ingest.model import Limits
from dagster_project.ingest.readers import ReadError, read_csv, read_json, read_xlsx
from support.workbooks import (
    CSV_COLUMNS,
    LIMITS,
    consolidated_grid,
    csv_bytes,
    csv_record,
    json_bytes,
    json_doc,
    report_grid,
    rewrite_zip,
    school_xlsx,
    xlsx_bytes,
)


def rows_of(parsed, scope=None):
    return [(r.row_number, r.kpi_code, r.raw_numerator, r.raw_denominator)
            for r in parsed.rows if scope is None or r.scope == scope]


# --- workbook header fields ------------------------------------------------------------


def test_header_fields_and_rows_of_the_template():
    parsed = read_xlsx(school_xlsx(), LIMITS)
    assert parsed.unit_code == "06688"
    assert parsed.unit_name == "Trường THCS Hạ Long"
    assert parsed.period == "Tháng 3/2025"
    assert parsed.report_date == "05/04/2025"
    assert parsed.preparer == "Nguyễn Văn A"
    # title row 1, labels rows 2-6, blank row 7, header row 8, data rows 9-11
    assert rows_of(parsed) == [
        (9, "TTHC_HS_TRUC_TUYEN", 812.0, 1000.0),
        (10, "CSGD_CHU_KY_SO", 40.0, 42.0),
        (11, "DV_KDTM", "Có", None),
    ]
    assert {r.scope for r in parsed.rows} == {"own"}
    assert {r.unit_code for r in parsed.rows} == {"06688"}
    assert {r.sheet for r in parsed.rows} == {"BaoCao"}


@pytest.mark.parametrize(
    "labels",
    [
        ("Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo", "Ngày báo cáo", "Người lập biểu"),
        ("MÃ ĐƠN VỊ:", "TÊN ĐƠN VỊ:", "KỲ BÁO CÁO:", "NGÀY BÁO CÁO:", "NGƯỜI LẬP BIỂU:"),
        ("ma don vi", "ten don vi", "ky bao cao", "ngay bao cao", "nguoi lap bieu"),
        ("  Mã đơn vị :  ", " Tên  đơn vị", "Kỳ  báo cáo ：", "Ngày báo cáo  ", "Người lập biểu:"),
        tuple(unicodedata.normalize("NFD", x) for x in
              ("Mã đơn vị:", "Tên đơn vị:", "Kỳ báo cáo:", "Ngày báo cáo:", "Người lập biểu:")),
    ],
)
def test_label_variants(labels):
    parsed = read_xlsx(school_xlsx(labels=labels), LIMITS)
    assert (parsed.unit_code, parsed.period, parsed.report_date, parsed.preparer) == (
        "06688", "Tháng 3/2025", "05/04/2025", "Nguyễn Văn A")
    assert len(parsed.rows) == 3


def test_value_is_first_non_empty_cell_to_the_right_and_merged_labels():
    # Labels merged over columns A:B, values in column D (C left empty).
    merges = [f"A{r}:B{r}" for r in range(2, 7)]
    data = school_xlsx(label_gap=3, merges=merges)
    parsed = read_xlsx(data, LIMITS)
    assert parsed.unit_code == "06688" and parsed.period == "Tháng 3/2025"
    assert parsed.report_date == "05/04/2025"


def test_label_and_value_in_one_cell():
    grid = report_grid()
    grid[1] = ["Mã đơn vị: 06688"]
    parsed = read_xlsx(xlsx_bytes({"BaoCao": grid}), LIMITS)
    assert parsed.unit_code == "06688"


def test_a_label_with_no_value_does_not_take_the_next_label():
    grid = report_grid()
    grid[1] = ["Mã đơn vị:", None, "Tên đơn vị:", "Trường X"]
    parsed = read_xlsx(xlsx_bytes({"BaoCao": grid}), LIMITS)
    assert parsed.unit_code is None


def test_excel_date_cells_for_period_and_report_date():
    data = school_xlsx(period=datetime(2025, 3, 1), report_date=datetime(2025, 4, 8, 23, 59))
    parsed = read_xlsx(data, LIMITS)
    assert parsed.period in (date(2025, 3, 1), datetime(2025, 3, 1))
    assert parsed.report_date == datetime(2025, 4, 8, 23, 59)


def test_numeric_unit_code_cell_is_read_as_text():
    parsed = read_xlsx(school_xlsx(unit_code=22), LIMITS)
    assert parsed.unit_code == 22.0  # raw; rules turn it into "22"
    assert parsed.rows[0].unit_code == "22"


# --- workbook tables --------------------------------------------------------------------


def test_header_columns_in_another_order_and_other_labels():
    columns = ("Ghi chú", "Số lượng đạt", "Chỉ tiêu", "Tổng số", "STT", "MÃ CHỈ TIÊU", "Tỷ lệ")
    rows = [{"kpi": "TTHC_HS_TRUC_TUYEN", "num": 812, "den": 1000, "rate": "81,2", "note": "ok"},
            {"kpi": "CSGD_CHU_KY_SO", "num": "40", "den": "42"}]
    parsed = read_xlsx(school_xlsx(rows=rows, columns=columns), LIMITS)
    first, second = parsed.rows
    assert (first.kpi_code, first.raw_numerator, first.raw_denominator) == ("TTHC_HS_TRUC_TUYEN", 812.0, 1000.0)
    assert first.raw_rate == "81,2" and first.note == "ok"
    assert (second.raw_numerator, second.raw_denominator) == ("40", "42")
    assert parsed.missing_columns["BaoCao"] == frozenset()


@pytest.mark.parametrize(
    "numerator_label, denominator_label",
    [("Tử số", "Mẫu số"), ("Số đạt", "Tổng số"), ("Số lượng đạt", "Mẫu số"),
     ("TỬ SỐ:", " mẫu  số "), (unicodedata.normalize("NFD", "Số lượng đạt"), "tong so")],
)
def test_numerator_and_denominator_label_variants(numerator_label, denominator_label):
    columns = ("STT", "Mã chỉ tiêu", numerator_label, denominator_label)
    rows = [{"kpi": "CSGD_CHU_KY_SO", numerator_label: 5, denominator_label: 7}]
    parsed = read_xlsx(school_xlsx(rows=rows, columns=columns), LIMITS)
    assert (parsed.rows[0].raw_numerator, parsed.rows[0].raw_denominator) == (5.0, 7.0)


@pytest.mark.parametrize("rate_label", ["Tỷ lệ (%)", "Tỷ lệ", "tỉ lệ (%)", "TỶ LỆ"])
def test_rate_label_variants(rate_label):
    columns = ("Mã chỉ tiêu", "Tử số", "Mẫu số", rate_label)
    rows = [{"kpi": "CSGD_CHU_KY_SO", "num": 5, "den": 10, rate_label: 50}]
    parsed = read_xlsx(school_xlsx(rows=rows, columns=columns), LIMITS)
    assert parsed.rows[0].raw_rate == 50.0


def test_table_at_row_7_column_c_with_total_row_and_rows_after_it():
    trailer = [
        [None, None, "Tổng cộng", None, None, 852, 1042],
        ["", "", "", "", "", "", ""],
        [None, None, None, "TTHC_HAI_LONG", None, 9, 10],
    ]
    data = school_xlsx(title=None, origin=(1, 3), trailer=[row[2:] for row in trailer])
    parsed = read_xlsx(data, LIMITS)
    assert parsed.unit_code == "06688"
    # labels rows 1-5 (col C), blank row 6, header row 7 at column C, data rows 8-10
    assert [r.row_number for r in parsed.rows] == [8, 9, 10]
    assert [r.kpi_code for r in parsed.rows] == ["TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO", "DV_KDTM"]
    # the total row (11) and everything after it are not raw rows
    assert all(r.row_number < 11 for r in parsed.rows)


def test_leading_empty_rows_and_columns_keep_sheet_row_numbers():
    data = school_xlsx(origin=(7, 3))
    parsed = read_xlsx(data, LIMITS)
    # title row 7, labels 8-12, blank 13, header 14, data 15-17
    assert [r.row_number for r in parsed.rows] == [15, 16, 17]
    assert parsed.unit_code == "06688"


def test_cong_khai_row_does_not_end_the_table_but_cong_does():
    rows = [
        ("TTHC_HS_TRUC_TUYEN", 1, 2),
        {"kpi": "TTHC_CONG_KHAI_DUNG_HAN", "num": 3, "den": 4, "stt": "Công khai TTHC"},
        ("CSGD_CHU_KY_SO", 5, 6),
        {"stt": "Cộng", "num": 9, "den": 12},
        ("CSGD_HOC_BA_SO", 7, 8),
    ]
    parsed = read_xlsx(school_xlsx(rows=rows), LIMITS)
    assert [r.kpi_code for r in parsed.rows] == [
        "TTHC_HS_TRUC_TUYEN", "TTHC_CONG_KHAI_DUNG_HAN", "CSGD_CHU_KY_SO"]


def test_tong_in_a_later_column_ends_the_table_when_it_is_the_first_non_empty_cell():
    rows = [("TTHC_HS_TRUC_TUYEN", 1, 2), {"Tên chỉ tiêu": "TỔNG SỐ", "num": 1, "den": 2},
            ("CSGD_HOC_BA_SO", 7, 8)]
    parsed = read_xlsx(school_xlsx(rows=rows, columns=("Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số")),
                       LIMITS)
    assert [r.kpi_code for r in parsed.rows] == ["TTHC_HS_TRUC_TUYEN"]
    assert [w.code for w in parsed.warnings] == ["data_after_table_end"]
    assert parsed.warnings[0].row_number == 11


def test_row_of_spaces_is_empty_and_ends_the_table():
    rows = [("TTHC_HS_TRUC_TUYEN", 1, 2),
            {"stt": "   ", "kpi": " ", "num": "  "},
            ("CSGD_HOC_BA_SO", 7, 8)]
    parsed = read_xlsx(school_xlsx(rows=rows), LIMITS)
    assert [r.kpi_code for r in parsed.rows] == ["TTHC_HS_TRUC_TUYEN"]
    assert parsed.warnings[0].code == "data_after_table_end"


def test_text_numbers_are_kept_raw_for_the_rules():
    rows = [("TTHC_HS_TRUC_TUYEN", "1.234", "1 500"), ("CSGD_CHU_KY_SO", "12,5", " 40 ")]
    parsed = read_xlsx(school_xlsx(rows=rows), LIMITS)
    assert rows_of(parsed) == [(9, "TTHC_HS_TRUC_TUYEN", "1.234", "1 500"),
                               (10, "CSGD_CHU_KY_SO", "12,5", "40")]


def test_formula_without_cached_value_reads_empty():
    rows = [("TTHC_HS_TRUC_TUYEN", "=1+1", 10)]
    parsed = read_xlsx(school_xlsx(rows=rows), LIMITS)
    assert parsed.rows[0].raw_numerator is None
    assert parsed.rows[0].raw_denominator == 10.0


def test_sheet_names_match_loosely():
    parsed = read_xlsx(school_xlsx(sheet_name="Báo cáo", consolidated=[("06689", "CSGD_CHU_KY_SO", 1, 2)],
                                   consolidated_sheet="tong hop"), LIMITS)
    assert {r.sheet for r in parsed.rows} == {"Báo cáo", "tong hop"}


def test_missing_baocao_sheet():
    with pytest.raises(ReadError) as error:
        read_xlsx(school_xlsx(sheet_name="Sheet1"), LIMITS)
    assert error.value.code == "missing_sheet"
    assert "Sheet1" in error.value.detail


def test_consolidated_sheet_header_needs_unit_and_kpi_columns():
    cons = [("06689", "CSGD_CHU_KY_SO", 5, 6), ("06690", "DV_KDTM", "x", None)]
    grid = consolidated_grid(cons)
    grid.insert(1, ["Mã chỉ tiêu", "(a decoy row without Mã đơn vị)"])
    grid.insert(2, ["Chỉ tiêu bên dưới"])
    data = xlsx_bytes({"BaoCao": report_grid(unit_code="193"), "TongHop": grid})
    parsed = read_xlsx(data, LIMITS)
    cons_rows = [r for r in parsed.rows if r.scope == "consolidated"]
    # title 1, decoy 2, text 3, blank 4, header 5, rows 6-7
    assert [(r.row_number, r.unit_code, r.kpi_code, r.raw_numerator) for r in cons_rows] == [
        (6, "06689", "CSGD_CHU_KY_SO", 5.0), (7, "06690", "DV_KDTM", "x")]


def test_consolidated_sheet_without_header_warns():
    data = xlsx_bytes({"BaoCao": report_grid(), "TongHop": [["Số liệu tổng hợp"], ["06689", 1, 2]]})
    parsed = read_xlsx(data, LIMITS)
    assert all(r.scope == "own" for r in parsed.rows)
    assert [w.code for w in parsed.warnings] == ["consolidated_header_not_found"]


def test_missing_numerator_column_is_recorded():
    parsed = read_xlsx(school_xlsx(columns=("Mã chỉ tiêu", "Mẫu số")), LIMITS)
    assert parsed.missing_columns["BaoCao"] == frozenset({"numerator"})


def test_no_header_row_gives_no_rows_but_keeps_labels():
    grid = report_grid(rows=[], columns=("STT", "Chỉ tiêu"))
    parsed = read_xlsx(xlsx_bytes({"BaoCao": grid}), LIMITS)
    assert parsed.rows == [] and parsed.unit_code == "06688"


# --- workbook safety --------------------------------------------------------------------


def test_not_a_zip_is_unreadable():
    with pytest.raises(ReadError) as error:
        read_xlsx(b"this is not a workbook", LIMITS)
    assert error.value.code == "unreadable_file"


def test_old_xls_or_encrypted_is_unreadable():
    with pytest.raises(ReadError) as error:
        read_xlsx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, LIMITS)
    assert error.value.code == "unreadable_file" and ".xls" in error.value.detail


def test_truncated_zip_is_unreadable():
    data = school_xlsx()
    with pytest.raises(ReadError) as error:
        read_xlsx(data[: len(data) // 2], LIMITS)
    assert error.value.code == "unreadable_file"


def test_zip_without_workbook_parts_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ReadError) as error:
        read_xlsx(out.getvalue(), LIMITS)
    assert error.value.code == "unreadable_file"


@pytest.mark.parametrize(
    "declaration",
    [b'<!DOCTYPE lolz [<!ENTITY lol "lol">]>',
     b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
     b'<!ENTITY xxe SYSTEM "http://example.com/">'],
)
def test_xml_entity_declarations_are_refused(declaration):
    data = school_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"<worksheet", declaration + b"<worksheet", 1)
    with pytest.raises(ReadError) as error:
        read_xlsx(rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": evil}), LIMITS)
    assert error.value.code == "unreadable_file" and "DOCTYPE" in error.value.detail


def test_declaration_in_any_xml_part_is_refused():
    data = rewrite_zip(school_xlsx(), add={"customXml/item1.xml": b'<?xml version="1.0"?><!DOCTYPE a><a/>'})
    with pytest.raises(ReadError) as error:
        read_xlsx(data, LIMITS)
    assert error.value.code == "unreadable_file"


def test_zip_bomb_by_ratio_is_refused():
    bomb = b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>"
    data = rewrite_zip(school_xlsx(), add={"xl/bomb.xml": bomb})
    with pytest.raises(ReadError) as error:
        read_xlsx(data, LIMITS)
    assert error.value.code == "unreadable_file"
    assert "tỷ lệ" in error.value.detail


def test_zip_bomb_by_total_size_is_refused():
    data = school_xlsx()
    with pytest.raises(ReadError) as error:
        read_xlsx(data, Limits(max_unzipped_bytes=5000))
    assert error.value.code == "unreadable_file"


def test_sheet_with_too_many_rows_is_refused():
    grid = report_grid()
    data = xlsx_bytes({"BaoCao": grid})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    far = sheet.replace(b"</sheetData>", b'<row r="250000"><c r="A250000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    with pytest.raises(ReadError) as error:
        read_xlsx(rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": far}), LIMITS)
    assert error.value.code == "unreadable_file" and "250000" in error.value.detail
    # Within a lower limit, the plain template passes; above it, it does not.
    assert read_xlsx(data, Limits(max_rows_per_sheet=11)).unit_code == "06688"
    with pytest.raises(ReadError):
        read_xlsx(data, Limits(max_rows_per_sheet=10))


def test_sparse_huge_grid_is_refused():
    data = xlsx_bytes({"BaoCao": report_grid()})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    far = sheet.replace(b"</sheetData>", b'<row r="150000"><c r="XFD150000"><v>1</v></c></row></sheetData>')
    with pytest.raises(ReadError) as error:
        read_xlsx(rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": far}), LIMITS)
    assert error.value.code == "unreadable_file"


def test_stored_zip_members_are_read():
    data = rewrite_zip(school_xlsx(), compression=zipfile.ZIP_STORED)
    assert len(read_xlsx(data, LIMITS).rows) == 3


# --- CSV ---------------------------------------------------------------------------------


def test_csv_rows_and_header():
    data = csv_bytes([csv_record("TTHC_HS_TRUC_TUYEN", "812", "1000"),
                      csv_record("CSGD_CHU_KY_SO", "40", "42", scope="consolidated", unit="74001")])
    parsed = read_csv(data, LIMITS)
    assert (parsed.unit_code, parsed.period, parsed.report_date) == ("22", "2025-03", "2025-04-09")
    assert [(r.row_number, r.scope, r.unit_code, r.kpi_code, r.raw_numerator, r.raw_denominator, r.sheet)
            for r in parsed.rows] == [
        (2, "own", "22", "TTHC_HS_TRUC_TUYEN", "812", "1000", None),
        (3, "consolidated", "74001", "CSGD_CHU_KY_SO", "40", "42", None)]


def test_csv_row_number_is_the_physical_start_line_with_multiline_fields_and_blank_lines():
    text = (
        "ma_don_vi_bao_cao,ky_bao_cao,ngay_bao_cao,pham_vi,ma_don_vi,ma_chi_tieu,tu_so,mau_so,ghi_chu\r\n"
        "22,2025-03,2025-04-09,own,,TTHC_HS_TRUC_TUYEN,812,1000,\"ghi chú\r\nnhiều\r\ndòng\"\r\n"
        "\r\n"
        "22,2025-03,2025-04-09,own,,CSGD_CHU_KY_SO,40,42,\r\n"
        ",,,,,,,,\r\n"
        "22,2025-03,2025-04-09,own,,DV_KDTM,Có,,\r\n"
    )
    parsed = read_csv(text.encode("utf-8"), LIMITS)
    assert [(r.row_number, r.kpi_code) for r in parsed.rows] == [
        (2, "TTHC_HS_TRUC_TUYEN"), (6, "CSGD_CHU_KY_SO"), (8, "DV_KDTM")]
    assert parsed.rows[0].note == "ghi chú\r\nnhiều\r\ndòng"


def test_csv_columns_in_any_order_with_bom():
    columns = ("ma_chi_tieu", "mau_so", "tu_so", "ngay_bao_cao", "ky_bao_cao", "ma_don_vi_bao_cao")
    data = csv_bytes([("CSGD_CHU_KY_SO", "42", "40", "09/04/2025", "Tháng 3/2025", "06688")],
                     columns=columns, bom=True)
    parsed = read_csv(data, LIMITS)
    assert parsed.unit_code == "06688" and parsed.period == "Tháng 3/2025"
    assert (parsed.rows[0].raw_numerator, parsed.rows[0].raw_denominator) == ("40", "42")
    assert parsed.rows[0].scope == "own" and parsed.warnings == []


def test_csv_utf16_with_bom_is_read_with_a_warning():
    data = csv_bytes([csv_record("TTHC_HS_TRUC_TUYEN", "812", "1000", unit="")], encoding="utf-16")
    assert data.startswith(codecs.BOM_UTF16_LE)
    parsed = read_csv(data, LIMITS)
    assert parsed.rows[0].kpi_code == "TTHC_HS_TRUC_TUYEN"
    assert [w.code for w in parsed.warnings] == ["encoding_not_utf8"]


def test_csv_not_utf8_is_unreadable():
    data = csv_bytes([csv_record("TTHC_HS_TRUC_TUYEN", "812", "1000", note="café")], encoding="cp1252")
    with pytest.raises(ReadError) as error:
        read_csv(data, LIMITS)
    assert error.value.code == "unreadable_file"


def test_csv_without_template_header_is_unreadable():
    with pytest.raises(ReadError) as error:
        read_csv("a,b,c\n1,2,3\n".encode(), LIMITS)
    assert error.value.code == "unreadable_file"


@pytest.mark.parametrize("column", ["ma_don_vi_bao_cao", "ky_bao_cao", "ngay_bao_cao"])
def test_csv_mixed_header(column):
    second = csv_record("CSGD_CHU_KY_SO", "40", "42")
    second[column] = {"ma_don_vi_bao_cao": "79", "ky_bao_cao": "2025-04",
                      "ngay_bao_cao": "2025-04-10"}[column]
    data = csv_bytes([csv_record("TTHC_HS_TRUC_TUYEN", "812", "1000"), second])
    with pytest.raises(ReadError) as error:
        read_csv(data, LIMITS)
    assert error.value.code == "mixed_header" and column in error.value.detail


@pytest.mark.parametrize(
    "scope, unit, expected_scope, expected_unit",
    [("own", "", "own", "22"), ("own", "22", "own", "22"), ("own", "74001", "own", "74001"),
     ("consolidated", "74001", "consolidated", "74001"), ("consolidated", "", "consolidated", None),
     ("rieng", "", "own", "22"), ("tong_hop", "74001", "consolidated", "74001"),
     ("", "", "own", "22"), ("", "22", "own", "22"), ("", "74001", "consolidated", "74001"),
     (" OWN ", "", "own", "22")],
)
def test_csv_scope(scope, unit, expected_scope, expected_unit):
    parsed = read_csv(csv_bytes([csv_record("CSGD_CHU_KY_SO", "1", "2", scope=scope, unit=unit)]), LIMITS)
    assert (parsed.rows[0].scope, parsed.rows[0].unit_code) == (expected_scope, expected_unit)


def test_csv_unknown_scope_value_and_unknown_column_warn():
    columns = CSV_COLUMNS + ("extra",)
    record = csv_record("CSGD_CHU_KY_SO", "1", "2", scope="abc", unit="74001")
    data = csv_bytes([[record[c] for c in CSV_COLUMNS] + ["x"]], columns=columns)
    parsed = read_csv(data, LIMITS)
    assert parsed.rows[0].scope == "consolidated"
    assert sorted(w.code for w in parsed.warnings) == ["unknown_column", "unknown_scope_value"]


def test_csv_semicolon_export_is_read():
    text = "ma_don_vi_bao_cao;ky_bao_cao;ngay_bao_cao;ma_chi_tieu;tu_so;mau_so\n22;2025-03;2025-04-09;CSGD_CHU_KY_SO;1;2\n"
    parsed = read_csv(text.encode(), LIMITS)
    assert parsed.rows[0].raw_numerator == "1" and parsed.unit_code == "22"


# --- JSON --------------------------------------------------------------------------------


def test_json_rows_and_header():
    doc = json_doc(tong_hop=[{"ma_don_vi": "74001", "ma_chi_tieu": "CSGD_CHU_KY_SO", "tu_so": 40, "mau_so": 42}])
    parsed = read_json(json_bytes(doc), LIMITS)
    assert (parsed.unit_code, parsed.period, parsed.report_date) == ("22", "2025-03", "2025-04-09")
    assert [(r.sheet, r.row_number, r.scope, r.unit_code, r.kpi_code, r.raw_numerator) for r in parsed.rows] == [
        ("chi_tieu", 1, "own", "22", "TTHC_HS_TRUC_TUYEN", 812),
        ("tong_hop", 1, "consolidated", "74001", "CSGD_CHU_KY_SO", 40)]


@pytest.mark.parametrize(
    "payload",
    [b"[1, 2]", b'"text"', b"{not json", b'{"ma_don_vi": "22", "chi_tieu": {"a": 1}}',
     b'{"ma_don_vi": "22", "chi_tieu": [1, 2]}', b'{"ma_don_vi": "22", "tong_hop": "x"}',
     b"[" * 100000],
)
def test_json_wrong_shape_is_unreadable(payload):
    with pytest.raises(ReadError) as error:
        read_json(payload, LIMITS)
    assert error.value.code == "unreadable_file"
