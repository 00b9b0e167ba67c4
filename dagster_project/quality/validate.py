"""Running a suite with Great Expectations 1.x on pandas frames (ephemeral context).

The SQL datasource does not work on DuckDB (STACK.md), so each frame is read from the
warehouse (read-only) into pandas and validated there. One ephemeral context per process
collects the run's validations, so the Data Docs index it writes lists every suite.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.quality.suites import ExpectationSpec, Suite, select_list, split_plan

log = logging.getLogger(__name__)
DOCS_SITE = "de06_quality"
# Rows of a frame validated in one pass; a bigger frame is validated in parts of about
# this size (a national month of figures is 1.35 M rows, a year 16.5 M).
PART_ROWS = 1_000_000


@dataclass
class ExpectationOutcome:
    suite: str
    spec: ExpectationSpec
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    sample: list = field(default_factory=list)  # a few offending values or rows
    error: str | None = None

    @property
    def problem_id(self) -> str:
        """Stable identity of a failure across runs: the suite and the expectation."""
        return f"{self.suite}:{self.spec.id}"


class _Validator:
    """A lazily created ephemeral GX context with a Data Docs site under `docs_dir`."""

    def __init__(self, docs_dir: Path):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.docs_dir = docs_dir
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self.datasource = self.context.data_sources.add_pandas("warehouse")
        self._count = 0

    def run(self, name: str, frame: pd.DataFrame, specs, parameters) -> list:
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        gx = self.gx
        self._count += 1
        tag = f"{self._count}"
        asset = self.datasource.add_dataframe_asset(f"{name}#{tag}")
        batch = asset.add_batch_definition_whole_dataframe("all_rows")
        configs = [
            ExpectationConfiguration(type=s.type, kwargs=s.kwargs, meta={**s.meta, "id": s.id})
            for s in specs
        ]
        try:  # a suite validated again in this process (tests run the pipeline often)
            self.context.suites.delete(name)
        except Exception:  # noqa: BLE001 - not there yet: nothing to delete
            pass
        gx_suite = self.context.suites.add(gx.ExpectationSuite(name=name, expectations=configs))
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{name}#{tag}", data=batch, suite=gx_suite)
        )
        checkpoint = self.context.checkpoints.add(
            gx.Checkpoint(
                name=f"checkpoint {name}#{tag}",
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=[DOCS_SITE])],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10},
            )
        )
        try:
            result = checkpoint.run(
                batch_parameters={"dataframe": frame}, expectation_parameters=parameters
            )
        finally:
            self._forget_batches()
        return [r for run in result.run_results.values() for r in run.results]

    def _forget_batches(self) -> None:
        """Drop the frames GX's pandas engine keeps of every batch it validated: it caches
        them for the life of the datasource, so a year validated in parts would pile up
        in memory part after part (GX 1.24; `test_validate_in_parts` notices if it does)."""
        manager = getattr(self.datasource.get_execution_engine(), "batch_manager", None)
        for cache in ("_batch_cache", "_batch_data_cache"):
            getattr(manager, cache, {}).clear()


_VALIDATORS: dict[Path, _Validator] = {}


def validator(docs_dir: Path) -> _Validator:
    """One GX context per process and docs folder (created on first use)."""
    if docs_dir not in _VALIDATORS:
        _VALIDATORS[docs_dir] = _Validator(docs_dir)
    return _VALIDATORS[docs_dir]


def validate_suite(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    parameters: dict,
    docs_dir: Path,
    part_rows: int = PART_ROWS,
) -> list[ExpectationOutcome]:
    """Validate every expectation of `suite` against the warehouse behind `con`.

    Each frame's rows are first put in a temp table. A frame of more than `part_rows` rows
    is validated in parts of about that size (`split_plan`: row-wise expectations by row
    number, uniqueness by a hash of its key), and the parts' results are added up, so a
    year of figures never sits in pandas at once."""
    outcomes: list[ExpectationOutcome] = []
    for frame_no, (query, specs) in enumerate(suite.frames().items()):
        name = f"{suite.name}.{frame_no}" if frame_no else suite.name
        try:
            con.execute(f"create or replace temp table {_FRAME} as {query}")
            rows = con.execute(f"select count(*) from {_FRAME}").fetchone()[0]
            results = {}
            for key, group in split_plan(specs) if rows > part_rows else [(None, specs)]:
                for label, where in _parts(key, rows, part_rows):
                    frame = con.execute(f"select {select_list(group)} from {_FRAME} {where}").df()
                    if len(frame) or not where:
                        run = validator(docs_dir).run(f"{name}{label}", frame, group, parameters)
                        for spec, outcome in zip(group, _outcomes(suite.name, group, run, len(frame))):
                            results.setdefault(spec.id, []).append(outcome)
        except duckdb.Error as exc:
            message = f"query failed: {exc}".splitlines()[0]
            outcomes.extend(ExpectationOutcome(suite.name, s, False, error=message) for s in specs)
            continue
        finally:
            con.execute(f"drop table if exists {_FRAME}")
        outcomes.extend(_added_up(results[spec.id]) for spec in specs)
    return outcomes


_FRAME = "de06_check_frame"


def _parts(key: tuple[str, ...] | None, rows: int, part_rows: int) -> list[tuple[str, str]]:
    """(name suffix, where clause) of each part of a frame of `rows` rows."""
    if key is None:
        return [("", "")]
    count = -(-rows // part_rows)
    if key == ():
        return [
            (f".rows{i + 1}of{count}", f"where rowid >= {i * part_rows} and rowid < {(i + 1) * part_rows}")
            for i in range(count)
        ]
    hashed = "hash(" + ", ".join(f'"{c}"' for c in key) + ")"
    return [(f".hash{i + 1}of{count}", f"where {hashed} % {count} = {i}") for i in range(count)]


def _outcomes(suite_name: str, specs, results, frame_rows: int) -> list[ExpectationOutcome]:
    by_id = {r.expectation_config.meta.get("id"): r for r in results}
    outcomes = []
    for spec in specs:
        result = by_id.get(spec.id)
        if result is None:
            outcomes.append(ExpectationOutcome(suite_name, spec, False, error="no result"))
            continue
        details = result.result or {}
        error = None
        if result.exception_info and result.exception_info.get("raised_exception"):
            error = str(result.exception_info.get("exception_message"))
        outcomes.append(
            ExpectationOutcome(
                suite=suite_name,
                spec=spec,
                success=bool(result.success),
                element_count=int(details.get("element_count") or frame_rows),
                unexpected_count=int(details.get("unexpected_count") or 0),
                sample=[_plain(v) for v in (details.get("partial_unexpected_list") or [])][:10],
                error=error,
            )
        )
    return outcomes


def _added_up(parts: list[ExpectationOutcome]) -> ExpectationOutcome:
    """One expectation's outcome over the parts of its frame."""
    if len(parts) == 1:
        return parts[0]
    errors = [p.error for p in parts if p.error]
    return ExpectationOutcome(
        suite=parts[0].suite,
        spec=parts[0].spec,
        success=all(p.success for p in parts),
        element_count=sum(p.element_count for p in parts),
        unexpected_count=sum(p.unexpected_count for p in parts),
        sample=[value for p in parts for value in p.sample][:10],
        error=errors[0] if errors else None,
    )


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)
