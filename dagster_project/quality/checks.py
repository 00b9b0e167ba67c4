"""The factory: every suite file under `expectations/` becomes Dagster asset checks.

One `multi_asset_check` per suite, one check per expectation (named by its `meta.id`).
Critical expectations are blocking checks that fail with ERROR, so the reports downstream
of the asset do not run; warnings fail with WARN and block nothing. Each check run also
refreshes the reviewers' pages under `<reports>/quality/`: the Great Expectations Data
Docs, the problem register (`problems.json`) and the Vietnamese summary (`index.html`).
"""

import json
from datetime import datetime, timezone

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from dagster_project.quality.problems import (
    load_state,
    render_summary,
    update_problems,
    write_atomic,
)
from dagster_project.quality.suites import Suite, load_suites
from dagster_project.quality.validate import validate_suite
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import EXPECTATIONS_DIR, get_settings

PARAMETER_QUERIES = {
    "kpi_codes": "select kpi_code from seeds.kpi_catalogue",
}

INGEST_OVERVIEW = """
with reasons as (
    select reason_code, count(*) as n, list(distinct unit_code order by unit_code)[1:5] as units
    from (
        select reason_code, unit_code from raw.submissions where not accepted
        union all
        select q.reason_code, coalesce(q.unit_code, s.unit_code)
        from raw.quarantine_rows q join raw.submissions s using (submission_id)
    ) group by reason_code
)
select r.reason_code, coalesce(c.message_vi, r.reason_code), r.n,
       array_to_string(list_filter(r.units, x -> x is not null), ', ')
from reasons r left join reference.reason_codes c using (reason_code)
order by r.n desc, r.reason_code
"""


def _parameters(con) -> dict:
    values = {}
    for name, sql in PARAMETER_QUERIES.items():
        try:
            values[name] = [row[0] for row in con.execute(sql).fetchall()]
        except Exception:  # noqa: BLE001 - a missing table just means an empty set
            values[name] = []
    return values


def _ingest_overview(con) -> dict | None:
    try:
        accepted, rejected, quarantined = con.execute(
            "select count(*) filter (where accepted), count(*) filter (where not accepted), "
            "coalesce(sum(rows_quarantined), 0) from raw.submissions"
        ).fetchone()
        return {
            "accepted": accepted,
            "rejected": rejected,
            "quarantined": quarantined,
            "reasons": con.execute(INGEST_OVERVIEW).fetchall(),
        }
    except Exception:  # noqa: BLE001 - before the first landing there is nothing to show
        return None


def _check_name(suite: Suite) -> str:
    return "ge_" + "__".join(suite.asset_key)


def build_suite_check(suite: Suite):
    key = AssetKey(list(suite.asset_key))
    specs = [
        AssetCheckSpec(
            name=e.id,
            asset=key,
            blocking=e.is_critical,
            description=f"[{e.severity}] {e.description}",
            metadata={"severity": e.severity, "suite_file": str(suite.path.name)},
        )
        for e in suite.expectations
    ]

    @multi_asset_check(
        specs=specs,
        name=_check_name(suite),
        description=f"Great Expectations suite {suite.name}: {suite.description_vi}",
        pool=WAREHOUSE_POOL,
        compute_kind="great_expectations",
    )
    def _suite_check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        settings = get_settings()
        quality_dir = settings.reports_dir / "quality"
        now = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
        with warehouse.get_connection(read_only=True) as con:
            outcomes = validate_suite(con, suite, _parameters(con), quality_dir / "data_docs")
            ingest = _ingest_overview(con)
        state_path = quality_dir / "problems.json"
        state = update_problems(load_state(state_path), suite.name, outcomes, context.run.run_id, now)
        write_atomic(state_path, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
        write_atomic(quality_dir / "index.html", render_summary(state, context.run.run_id, now, ingest))
        for outcome in outcomes:
            critical = outcome.spec.is_critical
            yield AssetCheckResult(
                asset_key=key,
                check_name=outcome.spec.id,
                passed=outcome.success,
                severity=AssetCheckSeverity.ERROR if critical else AssetCheckSeverity.WARN,
                description=outcome.spec.description,
                metadata={
                    "severity": outcome.spec.severity,
                    "unexpected_count": outcome.unexpected_count,
                    "element_count": outcome.element_count,
                    "sample": MetadataValue.json(outcome.sample),
                    **({"error": outcome.error} if outcome.error else {}),
                },
            )

    return _suite_check


def build_quality_checks(directory=EXPECTATIONS_DIR) -> list:
    """Asset checks for every suite file (called once, by definitions.py)."""
    return [build_suite_check(suite) for suite in load_suites(directory)]
