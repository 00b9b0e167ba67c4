"""A frame too big for one pass is validated in parts, with the same verdicts and counts
as in one pass: duplicates that fall in different row ranges are still found, row-wise
failures in every part are added up, and table-level expectations see the whole frame."""

import gc
import json
import weakref
from dataclasses import replace

import duckdb
import pandas as pd
import pytest

from dagster_project.quality import validate
from dagster_project.quality.suites import ExpectationSpec, load_suite, split_plan
from dagster_project.settings import EXPECTATIONS_DIR

# unit_code, month, kpi_code, numerator, denominator: 10 rows. Row 0 and row 9 share a key
# (they fall in the first and the last part of 3 rows); rows 4 and 8 have a negative numerator
# or a numerator above the denominator; row 6 has an unknown indicator.
ROWS = [
    ("u1", "2025-03", "K01", 1, 5),
    ("u2", "2025-03", "K01", 2, 5),
    ("u3", "2025-03", "K01", 3, 5),
    ("u4", "2025-03", "K01", 4, 5),
    ("u5", "2025-03", "K01", -1, 5),
    ("u6", "2025-03", "K01", 0, 5),
    ("u7", "2025-03", "K99", 1, 5),
    ("u8", "2025-03", "K01", 1, 5),
    ("u9", "2025-03", "K01", 7, 5),
    ("u1", "2025-03", "K01", 2, 5),
]


_RUN = validate._Validator.run


def _expectation(type_, kwargs, id_):
    return {"type": type_, "kwargs": kwargs,
            "meta": {"id": id_, "severity": "critical", "what_vi": id_, "how_to_resolve_vi": "-"}}  # fmt: skip


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.f (unit_code varchar, month varchar, kpi_code varchar, "
                    "numerator bigint, denominator bigint)")  # fmt: skip
        con.executemany("insert into marts.f values (?, ?, ?, ?, ?)", ROWS)
    suite_file = tmp_path / "expectations" / "marts" / "f.json"
    suite_file.parent.mkdir(parents=True)
    suite_file.write_text(json.dumps({
        "name": "marts.f", "meta": {"asset_key": ["marts", "f"]},
        "expectations": [
            _expectation("expect_compound_columns_to_be_unique",
                         {"column_list": ["unit_code", "month", "kpi_code"]}, "key_unique"),
            _expectation("expect_column_values_to_be_between", {"column": "numerator", "min_value": 0}, "not_negative"),
            _expectation("expect_column_pair_values_a_to_be_greater_than_b",
                         {"column_A": "denominator", "column_B": "numerator", "or_equal": True}, "num_le_den"),
            _expectation("expect_column_values_to_be_in_set", {"column": "kpi_code", "value_set": ["K01"]}, "kpi_known"),
            _expectation("expect_table_row_count_to_equal", {"value": 10}, "ten_rows"),
            _expectation("expect_column_values_to_be_unique", {"column": "unit_code"}, "unit_once"),
        ],
    }))  # fmt: skip
    return path, load_suite(suite_file), tmp_path / "docs"


def _row_wise_only(warehouse):
    path, suite, docs = warehouse
    kept = tuple(s for s in suite.expectations if s.split_by == ())
    return path, replace(suite, expectations=kept), docs


def _validate(warehouse, part_rows, monkeypatch):
    path, suite, docs = warehouse
    runs = []

    def spy(self, name, frame, specs, parameters):
        runs.append((name, len(frame), sorted(s.id for s in specs)))
        return _RUN(self, name, frame, specs, parameters)

    monkeypatch.setattr(validate._Validator, "run", spy)
    with duckdb.connect(str(path), read_only=True) as con:
        outcomes = validate.validate_suite(con, suite, {}, docs, part_rows=part_rows)
        leftover = con.execute("select count(*) from duckdb_tables() where temporary").fetchone()[0]
    assert leftover == 0  # the frame's temp table is dropped
    return {o.spec.id: o for o in outcomes}, runs


def test_a_frame_in_parts_gives_the_verdicts_and_counts_of_one_pass(warehouse, monkeypatch):
    whole, whole_runs = _validate(warehouse, 1_000, monkeypatch)
    parts, part_runs = _validate(warehouse, 3, monkeypatch)
    assert len(whole_runs) == 1 and whole_runs[0][1] == 10

    figures = {
        "key_unique": (False, 2),  # rows 0 and 9, in different row ranges
        "unit_once": (False, 2),
        "not_negative": (False, 1),
        "num_le_den": (False, 1),
        "kpi_known": (False, 1),
        "ten_rows": (True, 0),
    }
    for outcomes in (whole, parts):
        assert list(outcomes) == ["key_unique", "not_negative", "num_le_den", "kpi_known", "ten_rows", "unit_once"]
        got = {k: (o.success, o.unexpected_count) for k, o in outcomes.items()}
        assert got == figures
        assert all(o.error is None for o in outcomes.values())
        assert {k: o.element_count for k, o in outcomes.items() if k != "ten_rows"} == dict.fromkeys(
            ["key_unique", "not_negative", "num_le_den", "kpi_known", "unit_once"], 10
        )
    assert parts["not_negative"].sample == [-1]
    assert parts["kpi_known"].sample == ["K99"]

    # In parts: the row count saw all 10 rows at once; each uniqueness key was cut by its own
    # hash (row-wise expectations riding along with the first), and no part saw the whole frame.
    whole_frame = [r for r in part_runs if r[2] == ["ten_rows"]]
    assert [r[1] for r in whole_frame] == [10]
    compound = [r for r in part_runs if "key_unique" in r[2]]
    assert len(compound) > 1 and sum(r[1] for r in compound) == 10
    assert compound[0][2] == ["key_unique", "kpi_known", "not_negative", "num_le_den"]
    single = [r for r in part_runs if r[2] == ["unit_once"]]
    assert len(single) > 1 and sum(r[1] for r in single) == 10
    assert all(".hash" in name for name, _, _ in compound + single)


def test_how_a_frame_is_cut_for_each_kind_of_expectation(warehouse):
    _, suite, _ = warehouse
    by_id = {s.id: s for s in suite.expectations}
    assert by_id["not_negative"].split_by == ()
    assert by_id["key_unique"].split_by == ("unit_code", "month", "kpi_code")
    assert by_id["ten_rows"].split_by is None
    mostly = replace(by_id["kpi_known"], kwargs={**by_id["kpi_known"].kwargs, "mostly": 0.9})
    assert mostly.split_by is None  # 90% of each part is not 90% of the whole

    plan = split_plan([by_id["not_negative"], by_id["kpi_known"]])
    assert [(key, [s.id for s in specs]) for key, specs in plan] == [((), ["not_negative", "kpi_known"])]


def test_row_wise_expectations_alone_are_cut_by_row_number(warehouse, monkeypatch):
    outcomes, runs = _validate(_row_wise_only(warehouse), 4, monkeypatch)
    assert [(name, rows) for name, rows, _ in runs] == [
        ("marts.f.rows1of3", 4), ("marts.f.rows2of3", 4), ("marts.f.rows3of3", 2)
    ]
    got = {k: (o.success, o.element_count, o.unexpected_count, o.sample) for k, o in outcomes.items()}
    assert got == {
        "not_negative": (False, 10, 1, [-1]),
        "num_le_den": (False, 10, 1, [["5", "7"]]),  # (A, B) as GE lists them
        "kpi_known": (False, 10, 1, ["K99"]),
    }


def test_a_validated_frame_is_not_kept_in_memory(tmp_path):
    # GX's pandas engine caches every batch it validates; a year validated in 1 M-row
    # parts would keep all of them (11 GiB) unless the validator lets them go.
    frame = pd.DataFrame({"numerator": [1, 2, -3]})
    spec = ExpectationSpec("not_negative", "expect_column_values_to_be_between",
                           {"column": "numerator", "min_value": 0}, "critical", {})  # fmt: skip
    results = validate.validator(tmp_path / "docs").run("marts.f.rows1of1", frame, [spec], {})
    assert [(r.success, r.result["unexpected_count"]) for r in results] == [(False, 1)]
    kept = weakref.ref(frame)
    del frame
    gc.collect()
    assert kept() is None


def test_unit_codes_missing_from_the_registry_are_named(tmp_path):
    # The real suite of received figures: the registry is joined in the suite's SQL (as a
    # GE value_set its tens of thousands of codes cost 20 s a frame), and the unknown codes
    # are what the reviewer sees.
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging; create schema reference")
        con.execute("create table reference.org_units as select * from (values ('u1', 1), ('u1', 2), ('u2', 1)) t(unit_code, version)")
        con.execute("create table staging.stg_raw__figures (unit_code varchar, kpi_code varchar, scope varchar, "
                    "numerator bigint, denominator bigint)")  # fmt: skip
        con.executemany(
            "insert into staging.stg_raw__figures values (?, 'K01', 'own', 1, 2)",
            [("u1",), ("X999",), ("u2",), (None,), ("X999",), ("u1",), ("Y1",)],
        )
    suite = load_suite(EXPECTATIONS_DIR / "staging" / "stg_raw__figures.json")
    with duckdb.connect(str(path), read_only=True) as con:
        for part_rows in (1_000, 2):
            outcomes = {o.spec.id: o for o in validate.validate_suite(con, suite, {"kpi_codes": ["K01"]}, tmp_path / "d", part_rows=part_rows)}
            known = outcomes.pop("unit_code_known_to_registry")
            assert (known.success, known.element_count, known.unexpected_count) == (False, 7, 3)
            assert sorted(known.sample) == ["X999", "X999", "Y1"]
            assert all(o.success for o in outcomes.values()), outcomes
