"""Landing the reference files (registry, targets, deadlines) as text tables.

Everything lands as VARCHAR: codes keep their leading zeros, and the dbt staging models
own the casting. A missing optional file lands as an empty table with the same columns,
so the models never need to know whether it was there.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.normalize import nfc
from dagster_project.ingest.reasons import REASONS


@dataclass(frozen=True)
class ReferenceFile:
    table: str
    file_name: str
    columns: tuple[str, ...]
    required: bool
    optional_columns: tuple[str, ...] = ()


REFERENCE_FILES = (
    ReferenceFile(
        "org_units",
        "org_units.csv",
        ("unit_code", "unit_name", "unit_type", "parent_code", "school_level",
         "active_from", "active_to", "successor_code"),
        required=True,
        optional_columns=("successor_code", "school_level"),
    ),  # fmt: skip
    ReferenceFile("kpi_targets", "kpi_targets.csv", ("kpi_code", "area_code", "year", "target"), True),
    ReferenceFile("reporting_deadlines", "reporting_deadlines.csv", ("area_code", "unit_type", "day"), False),
)


class ReferenceError(ValueError):
    """A reference file is missing or malformed: the run cannot go on without it."""


def read_reference_csv(path: Path, spec: ReferenceFile) -> pd.DataFrame:
    """Read one reference CSV as text, with the spec's columns in the spec's order."""
    if not path.is_file():
        if spec.required:
            raise ReferenceError(f"required reference file is missing: {path}")
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in spec.columns})
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in spec.columns if c not in header and c not in spec.optional_columns]
        if missing:
            raise ReferenceError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for raw in reader:
            # NFC: a registry saved with decomposed Vietnamese must match and print as one.
            row = {(k or "").strip(): nfc((v or "").strip()) for k, v in raw.items()}
            rows.append(tuple((row.get(c) or None) for c in spec.columns))
    return pd.DataFrame.from_records(rows, columns=list(spec.columns)).astype("string")


def land_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> dict[str, int]:
    """(Re)create `reference.<table>` for every reference file; return row counts."""
    counts = {}
    con.execute("CREATE SCHEMA IF NOT EXISTS reference")
    for spec in REFERENCE_FILES:
        frame = read_reference_csv(reference_dir / spec.file_name, spec)
        con.register("reference_frame", frame)
        con.execute(
            f"CREATE OR REPLACE TABLE reference.{spec.table} AS "
            f"SELECT {', '.join(f'{c}::VARCHAR AS {c}' for c in spec.columns)} FROM reference_frame"
        )
        con.unregister("reference_frame")
        counts[spec.table] = len(frame)
    reasons = pd.DataFrame.from_records(
        [(code, r.level, r.message_vi, r.fix_vi, r.message_en) for code, r in REASONS.items()],
        columns=["reason_code", "level", "message_vi", "fix_vi", "message_en"],
    )
    con.register("reasons_frame", reasons)
    con.execute("CREATE OR REPLACE TABLE reference.reason_codes AS SELECT * FROM reasons_frame")
    con.unregister("reasons_frame")
    counts["reason_codes"] = len(reasons)
    return counts
