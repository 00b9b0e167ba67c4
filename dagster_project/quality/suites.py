"""Suite files: reading them, and working out what to query for each expectation (pure)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("critical", "warning")
# Keyword arguments of an expectation that name columns of the frame.
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)
# Expectations decided row by row: a frame validated in parts gives the same verdict as a
# whole, the parts' element and unexpected counts adding up (`mostly` would not: see
# `ExpectationSpec.split_by`).
ROW_WISE = frozenset({
    "expect_column_values_to_be_between", "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set", "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null", "expect_column_values_to_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal",
})  # fmt: skip


class SuiteError(ValueError):
    """A suite file is malformed: say which file and what is wrong."""


@dataclass(frozen=True)
class ExpectationSpec:
    id: str
    type: str
    kwargs: dict
    severity: str  # 'critical' | 'warning'
    meta: dict

    @property
    def is_critical(self) -> bool:
        return self.severity == "critical"

    @property
    def columns(self) -> list[str]:
        cols = [self.kwargs[k] for k in _COLUMN_KWARGS if k in self.kwargs]
        for key in _COLUMN_LIST_KWARGS:
            cols.extend(self.kwargs.get(key, []))
        return cols

    @property
    def split_by(self) -> tuple[str, ...] | None:
        """How a frame too big for one pass may be cut into parts for this expectation:
        `()` anywhere (row-wise), the key columns for uniqueness (parts by a hash of the key
        keep every duplicate in one part), None not at all (table-level, or `mostly`)."""
        if "mostly" in self.kwargs:
            return None
        if self.type in ROW_WISE:
            return ()
        if self.type == "expect_column_values_to_be_unique":
            return (self.kwargs["column"],)
        if self.type == "expect_compound_columns_to_be_unique":
            return tuple(self.kwargs["column_list"])
        return None

    @property
    def description(self) -> str:
        return self.meta.get("what_vi") or self.type


@dataclass(frozen=True)
class Suite:
    name: str  # '<schema>.<table>'
    asset_key: tuple[str, ...]
    path: Path
    description_vi: str
    expectations: tuple[ExpectationSpec, ...] = field(default_factory=tuple)

    @property
    def table(self) -> str:
        return ".".join(self.asset_key)

    def frames(self) -> dict[str, list[ExpectationSpec]]:
        """Group the expectations by the SQL that gives their frame.

        An expectation with `meta.query` is validated on that query's rows; the others
        share one query on the asset's table selecting only the columns they name (a
        table-level expectation such as a row count selects every row, one column)."""
        groups: dict[str, list[ExpectationSpec]] = {}
        plain: list[ExpectationSpec] = []
        for expectation in self.expectations:
            query = expectation.meta.get("query")
            if query:
                groups.setdefault(query.strip(), []).append(expectation)
            else:
                plain.append(expectation)
        if plain:
            groups[f"select {select_list(plain)} from {self.table}"] = plain
        return groups


def select_list(specs: list[ExpectationSpec]) -> str:
    """The columns `specs` name, quoted, for a select; a table-level expectation alone
    names none and gets one constant column (every row, nothing else)."""
    columns = sorted({c for spec in specs for c in spec.columns})
    return ", ".join(f'"{c}"' for c in columns) if columns else "1 as one"


def split_plan(specs: list[ExpectationSpec]) -> list[tuple[tuple[str, ...] | None, list[ExpectationSpec]]]:
    """Group one frame's expectations by how the frame is cut when it is too big for one
    pass: `(key, specs)` with key None (whole frame), `()` (by row number) or key columns
    (by their hash). The row-wise ones ride along with the first keyed group."""
    keyed: dict[tuple[str, ...] | None, list[ExpectationSpec]] = {}
    for spec in specs:
        keyed.setdefault(spec.split_by, []).append(spec)
    row_wise = keyed.pop((), [])
    hashed = [key for key in keyed if key]
    if row_wise:
        keyed.setdefault(hashed[0] if hashed else (), []).extend(row_wise)
    return list(keyed.items())


def load_suite(path: Path) -> Suite:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        key = tuple(doc["meta"]["asset_key"])
        expectations = []
        seen = set()
        for raw in doc["expectations"]:
            meta = dict(raw.get("meta") or {})
            severity = meta.get("severity", "critical")
            if severity not in SEVERITIES:
                raise SuiteError(f"{path}: severity {severity!r} is not one of {SEVERITIES}")
            exp_id = meta.get("id")
            if not exp_id or exp_id in seen:
                raise SuiteError(f"{path}: every expectation needs a unique meta.id ({exp_id!r})")
            seen.add(exp_id)
            expectations.append(ExpectationSpec(exp_id, raw["type"], dict(raw["kwargs"]), severity, meta))
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise SuiteError(f"{path}: not a suite file ({exc})") from exc
    if doc.get("name") != ".".join(key):
        raise SuiteError(f"{path}: suite name must be the asset key with dots ({'.'.join(key)})")
    return Suite(doc["name"], key, path, doc["meta"].get("description_vi", ""), tuple(expectations))


def load_suites(directory: Path) -> list[Suite]:
    """Every `<schema>/<table>.json` under `directory`, in path order."""
    return [load_suite(p) for p in sorted(directory.glob("*/*.json"))]
