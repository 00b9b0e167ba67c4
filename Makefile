# DE06 warehouse. `make run` and `make test` set everything up on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export DE06_SOURCES_DIR ?= $(CURDIR)/sources
export DE06_WAREHOUSE ?= $(CURDIR)/warehouse/de06.duckdb
# The analysts' read-only copy, beside the warehouse unless set.
export DE06_ANALYST_WAREHOUSE ?= $(patsubst %.duckdb,%_analyst.duckdb,$(DE06_WAREHOUSE))
export DE06_REPORTS_DIR ?= $(CURDIR)/reports/out
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# Offline always: no telemetry from Dagster, dbt or Great Expectations.
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

MANIFEST := dbt/target/manifest.json
DBT_FILES := $(shell find dbt/models dbt/macros dbt/seeds dbt/tests -type f 2>/dev/null) dbt/dbt_project.yml dbt/profiles.yml

.PHONY: run test dev sql setup manifest generate sample bench docs clean

setup: $(STAMP) $(MANIFEST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(MANIFEST): $(STAMP) $(DBT_FILES)
	cd dbt && ../$(VENV)/bin/dbt parse --quiet --profiles-dir . --vars '{"warehouse_path": ":memory:"}'
	@touch $@

manifest: $(MANIFEST)

## run: ingest the sources, build every table, check and publish (the sample when no variables are set)
run: setup
	$(PY) -m dagster_project run

## test: the whole test suite
test: setup
	$(PY) -m pytest -q -n 2 --dist loadfile tests

## dev: the Dagster UI (and daemon) on http://127.0.0.1:3000
dev: setup
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000 -m dagster_project.definitions

## sql: a DuckDB shell on the analysts' copy (the last successful build), read-only
sql: setup
	@test -f "$(DE06_ANALYST_WAREHOUSE)" || { echo "No analysts' copy yet at $(DE06_ANALYST_WAREHOUSE): run \`make run\` first." >&2; exit 1; }
	$(VENV)/bin/duckdb -readonly "$(DE06_ANALYST_WAREHOUSE)"

## docs: dbt docs for analysts (static site in dbt/target; serve with `make docs-serve`)
docs: setup
	cd dbt && ../$(VENV)/bin/dbt docs generate --profiles-dir . --vars '{"warehouse_path": "$(DE06_WAREHOUSE)"}'

docs-serve: docs
	cd dbt/target && ../../$(PY) -m http.server 8080 --bind 127.0.0.1

## sample: regenerate the committed sample sources from the generator
sample: setup
	PYTHONPATH=sources $(PY) -m de06_synth --sample --out sources

## bench: measure ingest, the pipeline and a late file (SCALE=national|province; BENCH_YEAR=1 adds a national year)
bench: setup
	$(PY) bench/run.py --scale $(or $(SCALE),national) --year "$(BENCH_YEAR)"

clean:
	rm -rf warehouse reports/out dbt/target dbt/logs
