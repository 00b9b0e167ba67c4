"""How many dbt models are built at once: two on a small warehouse, one on a big one
(a national year ran out of DuckDB's memory cap with two), or what DE06_DBT_THREADS says."""

import duckdb

from dagster_project.transform.assets import (
    TWO_MODELS_UP_TO_FIGURES,
    dbt_build_args,
    dbt_threads,
    landed_figures,
)


def test_two_models_at_once_up_to_a_few_national_months_of_figures():
    assert dbt_threads(0) == 2
    assert dbt_threads(None) == 1  # not counted (no table, or the file would not open): safe at any size
    assert dbt_threads(1_350_000) == 2  # a national month
    assert dbt_threads(TWO_MODELS_UP_TO_FIGURES) == 2
    assert dbt_threads(TWO_MODELS_UP_TO_FIGURES + 1) == 1
    assert dbt_threads(16_500_000) == 1  # a national year


def test_the_setting_wins_over_the_size():
    assert dbt_threads(16_500_000, setting=2) == 2
    assert dbt_threads(10, setting=1) == 1
    assert dbt_threads(10, setting=0) == 2  # unset


def test_landed_figures_are_counted_read_only(tmp_path):
    path = tmp_path / "w.duckdb"
    assert landed_figures(path) is None  # no warehouse yet
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
    assert landed_figures(path) is None  # no raw.figures yet
    with duckdb.connect(str(path)) as con:
        con.execute("create table raw.figures as select range as i from range(7)")
    assert landed_figures(path) == 7


def test_build_args_pass_the_threads_to_dbt():
    args = dbt_build_args("/w.duckdb", "2025-03-01", "2025-03-01", threads=1)
    assert args[-2:] == ["--threads", "1"]
    assert "--threads" not in dbt_build_args("/w.duckdb")
