"""The shortcuts of the ingest hot path give exactly what the general path gives.

Each shortcut is compared with the general functions it stands for, on tricky values:
text numbers, blanks, merged cells (''), formulas' cached values, error texts, percents,
decomposed (NFD) text, non-breaking spaces, booleans, dates.
"""

import os
import unicodedata
from datetime import date, datetime
from itertools import product
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest import landing, readers
from dagster_project.ingest.kpis import KPIS, canonical_kpi_code
from dagster_project.ingest.model import RawRow
from dagster_project.ingest.normalize import ends_table, nfc
from dagster_project.ingest.process import file_format_of
from dagster_project.ingest.readers import CONSOLIDATED, OWN, ParsedFile, code_text
from dagster_project.ingest.rules import (
    RowFigures,
    check_figures,
    duplicate_verdicts,
    figures_failure,
    figures_pass,
    kpi_of,
)
from dagster_project.ingest.values import (
    MISSING,
    NON_NUMERIC,
    cell_text,
    parse_binary,
    parse_binary_denominator,
    parse_count,
)

NFD = unicodedata.normalize("NFD", "Trường Hòa Bình")
CELLS = [
    None, "", " ", "\u00a0", "12", " 12 ", "1.234", "1 234", "812.0", "12.5", "1,5", "-3", "−3",
    "+4", "abc", "#DIV/0!", "#N/A", "50%", "Có", "có", "KHÔNG", "x", NFD, "\u00a0x\u00a0",
    0.0, -0.0, 1.0, 2.0, 12.0, 12.5, -3.0, 1e20, float("inf"), float("nan"), 0.5,
    0, 1, 2, 12, -3, True, False, date(2025, 3, 1), datetime(2025, 4, 5, 16, 30),
]  # fmt: skip


class Int(int):
    """Subclasses of int and float: the exact-type shortcuts leave them to the general path."""


class Float(float):
    pass


class Str(str):
    pass


def _general_count(value: object):
    """parse_count's answer for `value` through its general (isinstance) path."""
    if type(value) is float:
        return parse_count(Float(value))
    if type(value) is int:
        return parse_count(Int(value))
    return parse_count(value)


@pytest.mark.parametrize("value", CELLS + [Int(7), Float(7.0), Float(7.5)], ids=repr)
def test_parse_count_shortcut_for_exact_floats_and_ints(value):
    assert repr(parse_count(value)) == repr(_general_count(value))


@pytest.mark.parametrize(
    "text, expected",
    [("12", 12), ("0012", 12), ("1.234", 1234), ("1 234", 1234), ("1\u00a0234", 1234),
     ("812.0", 812), ("-3", -3), ("+4", 4), ("12.5", NON_NUMERIC), ("", MISSING), ("1.23", NON_NUMERIC)],
)  # fmt: skip
def test_parse_count_text(text, expected):
    assert parse_count(text) == expected


# --- reading a table ---------------------------------------------------------------------


@pytest.mark.parametrize("value", CELLS + [Str(" 22 ")], ids=repr)
def test_cell_helpers_are_the_compositions_they_name(value):
    assert repr(readers._code(value)) == repr(code_text(readers._cell(value)))
    assert repr(readers._text(value)) == repr(cell_text(readers._cell(value)))


def test_column_reads_short_rows_and_missing_columns_as_none():
    rows = [[1.0, " a "], [2.0], ["", NFD, 3.0]]
    assert readers._column(rows, None) == [None, None, None]
    assert readers._column(rows, 1) == ["a", None, nfc(NFD)]
    assert readers._column(rows, 0, readers._code) == ["1", "2", None]
    assert readers._column(rows, 2, readers._text) == [None, None, "3"]


def _row_by_row(grid, header, columns, sheet, scope, sender):
    """The table rows read one row at a time with the general functions."""

    def get(row, role):
        col = columns.get(role)
        return readers._cell(row[col]) if col is not None and col < len(row) else None

    rows = []
    for index in range(header + 1, len(grid)):
        row = grid[index]
        first = next((i for i, v in enumerate(row) if not (v is None or str(v).strip() == "")), None)
        if first is None or ends_table(row[first]):
            break
        unit = code_text(get(row, "unit")) if scope == CONSOLIDATED else sender
        rows.append(RawRow(sheet, index + 1, scope, unit, code_text(get(row, "kpi")),
                           get(row, "numerator"), get(row, "denominator"), get(row, "rate"),
                           cell_text(get(row, "note"))))  # fmt: skip
    return rows


GRID = [
    ["", "Mã đơn vị", "Mã chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ (%)", "Ghi chú"],
    [1.0, " 06688 ", "TTHC_HS_TRUC_TUYEN", 812.0, 1000.0, 81.2, ""],  # plain
    [2.0, 6688.0, " csgd_chu_ky_so ", "40", "1.234", "50%", "ghi chú"],  # text numbers
    [3.0, "", "DV_KDTM", "Có", "", "", NFD],  # merged unit cell, binary answer
    ["", "06689", "TTHC_SO_HOA_HO_SO", "#DIV/0!", 12.5, 0.5, "\u00a0"],  # error, fraction
    [4.0, "06689", "TTHC_SO_HOA_HO_SO", True, datetime(2025, 3, 1), None],  # short row
    ["  ", None, "", "", "", "", ""],  # blank: the end
    ["", "", "TTHC_HS_TRUC_TUYEN", 1.0, 2.0],  # stranded after the end
]


@pytest.mark.parametrize("scope", [OWN, CONSOLIDATED])
@pytest.mark.parametrize("end_row", [None, ["Tổng cộng", "", "", 5.0, 9.0], ["Công khai", "", "DV_KDTM"]])
def test_table_rows_equal_reading_row_by_row(scope, end_row):
    grid = [list(r) for r in GRID]
    if end_row is not None:
        grid.insert(3, end_row)
    columns = readers._columns(grid[0])
    parsed = ParsedFile()
    rows = readers._table_rows(grid, 0, columns, "BaoCao", scope, "06688", parsed)
    assert rows == _row_by_row(grid, 0, columns, "BaoCao", scope, "06688")
    assert [repr(r) for r in rows] == [repr(r) for r in _row_by_row(grid, 0, columns, "BaoCao", scope, "06688")]
    assert [w.code for w in parsed.warnings] == ["data_after_table_end"]


def test_table_without_rows_or_columns():
    parsed = ParsedFile()
    assert readers._table_rows([["Mã chỉ tiêu"]], 0, {"kpi": 0}, "S", OWN, "1", parsed) == []
    grid = [["Mã chỉ tiêu"], ["A"], ["B", 1.0]]
    rows = readers._table_rows(grid, 0, {"kpi": 0}, "S", OWN, "1", parsed)
    assert [(r.row_number, r.kpi_code, r.raw_numerator, r.note) for r in rows] == [(2, "A", None, None), (3, "B", None, None)]


@pytest.mark.parametrize(
    "text", ["Tổng cộng", " tổng số", "TỔNG", unicodedata.normalize("NFD", "Cộng"), "Công khai", "Tong",
             "ẗổng", "\u00a0Cộng", "", "x", 1.0, None],
)  # fmt: skip
def test_ends_table_is_the_same_asked_twice(text):
    expected = isinstance(text, str) and unicodedata.normalize(
        "NFC", unicodedata.normalize("NFC", text).strip().casefold()
    ).startswith(("tổng", "cộng"))
    assert ends_table(text) is expected
    assert ends_table(text) is expected


@pytest.mark.parametrize("text", ["", "abc", "Hòa", unicodedata.normalize("NFD", "Hòa"), "\u212b", "e\u0301"])
def test_nfc(text):
    assert nfc(text) == unicodedata.normalize("NFC", text)


# --- row checks ----------------------------------------------------------------------------

RAW_COUNTS = [None, "", " ", "0", "1", "2", "1.234", "12.5", "abc", "Có", "Không", "x", 0.0, 1.0,
              2.0, 12.0, 12.5, -1.0, 0, 1, 3, -2, True, False, date(2025, 3, 1)]  # fmt: skip
MISSING_COLUMNS = [frozenset(), frozenset({"numerator"}), frozenset({"denominator"})]


def _parsed(kpi, raw_numerator, raw_denominator, missing):
    if kpi.is_binary:
        numerator = parse_count(None) if "numerator" in missing else parse_binary(raw_numerator)
        return numerator, parse_binary_denominator(raw_denominator)
    return parse_count(raw_numerator), parse_count(raw_denominator)


@pytest.mark.parametrize("code", ["TTHC_HS_TRUC_TUYEN", "DV_KDTM"])
def test_figures_shortcut_passes_exactly_the_rows_the_checks_pass(code):
    kpi = KPIS[code]
    for raw_numerator, raw_denominator, missing in product(RAW_COUNTS, RAW_COUNTS, MISSING_COLUMNS):
        row = RawRow("S", 9, OWN, "06688", code, raw_numerator, raw_denominator)
        numerator, denominator = _parsed(kpi, raw_numerator, raw_denominator, missing)
        failure = figures_failure(row, kpi, numerator, denominator, missing)
        assert figures_pass(kpi, numerator, denominator) is (failure is None), row
        outcome = check_figures(row, "06688", missing)
        if failure is None:
            assert outcome == RowFigures(kpi, "06688", numerator, denominator)
        else:
            assert outcome == failure


@pytest.mark.parametrize("code", [None, "", " tthc_hs_truc_tuyen ", "TTHC_HS_TRUC_TUYEN", "dv_kdtm", "NOPE", 22.0, 22, Str("DV_KDTM")])
def test_kpi_of_is_the_catalogue_lookup(code):
    assert kpi_of(code) == KPIS.get(canonical_kpi_code(code))
    assert kpi_of(code) == KPIS.get(canonical_kpi_code(code))  # remembered: the same


def test_duplicate_verdicts_without_repeats_is_empty():
    kpi = KPIS["TTHC_HS_TRUC_TUYEN"]
    row = RawRow("S", 9, OWN, "1", kpi.code, 1.0, 2.0)
    other = RawRow("S", 10, CONSOLIDATED, "1", kpi.code, 1.0, 2.0)
    assert duplicate_verdicts([(row, RowFigures(kpi, "1", 1, 2)), (other, RowFigures(kpi, "1", 1, 2))]) == {}
    verdicts = duplicate_verdicts([(row, RowFigures(kpi, "1", 1, 2)), (row, RowFigures(kpi, "1", 1, 3))])
    assert sorted(verdicts) == [0, 1] and verdicts[0].reason_code == "duplicate_kpi_row"


# --- files and folders ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [("a/b.xlsx", "xlsx"), ("B.XLSX", "xlsx"), ("a\\b.Csv", "csv"), ("thư mục/báo cáo.JSON", "json"),
     (".hidden", ""), ("noext", ""), ("a.tar.gz", "gz"), ("x.", "")],
)  # fmt: skip
def test_file_format_is_the_lower_case_extension(path, expected):
    assert file_format_of(path) == expected


def test_walk_stores_nested_folder_names_like_whole_relative_paths(tmp_path):
    nested = tmp_path / unicodedata.normalize("NFD", "Hà Nội") / unicodedata.normalize("NFD", "Phòng Ba Đình")
    nested.mkdir(parents=True)
    (nested / "a.xlsx").write_bytes(b"x")
    bad = os.fsencode(tmp_path) + b"/bad\xffdir/sub"
    os.makedirs(bad)
    with open(bad + b"/b.csv", "wb") as handle:
        handle.write(b"y")
    found = landing.discover(tmp_path)
    expected = sorted(
        landing._stored_text(Path(f.abs_path).relative_to(tmp_path.resolve()).as_posix()) for f in found
    )
    assert [f.rel_path for f in found] == expected == ["Hà Nội/Phòng Ba Đình/a.xlsx", "bad\ufffddir/sub/b.csv"]
    assert [f.size for f in found] == [1, 1]


def test_frame_text_columns_keep_none_empty_and_any_text():
    assert landing.TEXT_COLUMNS == {"submission_id", "file_path", "file_format", "reason_code",
        "reason_detail", "unit_code", "unit_name", "preparer", "parsed_with", "sheet", "scope",
        "kpi_code", "note", "detail", "raw_numerator", "raw_denominator", "warning_code"}  # fmt: skip
    rows = [("s", None, None, "w", ""), ("s", "S", 3, "w2", 'x\n"y" \x00 ' + NFD), ("s", None, 4, "w", None)]
    con = duckdb.connect()
    landing.ensure_schema(con)
    con.register("frame", landing._frame(rows, landing.WARNING_COLUMNS))
    con.execute("INSERT INTO raw.warnings SELECT * FROM frame")
    assert con.execute("SELECT * FROM raw.warnings").fetchall() == rows


@pytest.mark.parametrize("encoding", ["ascii", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", ["<!DOCTYPE x>", "<!ENTITY a 'b'>", "<!doctype x>", "<![CDATA[x]]>"])
def test_declaration_pretest_sees_every_form(text, encoding):
    window = f'<row r="1"><c r="A1"><v>1</v></c></row>{text}'.encode(encoding)
    assert readers._may_declare(window)
    assert readers._may_declare(window.replace(b"!", b"?")) is False
