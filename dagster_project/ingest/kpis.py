"""The indicator list as parsing needs it: code, kind, binary or not.

The one source of truth is the dbt seed `dbt/seeds/kpi_catalogue.csv` (product data with
names and labels); this module reads it once, on first use.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from dagster_project.settings import DBT_PROJECT_DIR

CATALOGUE_PATH = DBT_PROJECT_DIR / "seeds" / "kpi_catalogue.csv"


@dataclass(frozen=True)
class Kpi:
    code: str
    kind: str  # 'flow' (events in the month, summed) | 'stock' (state at month end)
    is_binary: bool  # DV_ indicators: numerator 0/1, denominator 1
    name_vi: str = ""


@cache
def catalogue() -> Mapping[str, Kpi]:
    with open(CATALOGUE_PATH, encoding="utf-8", newline="") as handle:
        return {
            row["kpi_code"]: Kpi(
                row["kpi_code"], row["kind"], row["is_binary"].strip().lower() == "true", row["name_vi"]
            )
            for row in csv.DictReader(handle)
        }


class _Catalogue(Mapping[str, Kpi]):
    """`KPIS[code]`, `code in KPIS`: a read-only view that loads the seed lazily."""

    def __getitem__(self, code: str) -> Kpi:
        return catalogue()[code]

    def __iter__(self):
        return iter(catalogue())

    def __len__(self) -> int:
        return len(catalogue())


KPIS: Mapping[str, Kpi] = _Catalogue()


def canonical_kpi_code(value: object) -> str:
    """How a kpi cell is compared with the list: text, trimmed, upper case."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().upper()


def lookup(value: object) -> Kpi | None:
    """The indicator a kpi cell names, or None."""
    return KPIS.get(canonical_kpi_code(value))
