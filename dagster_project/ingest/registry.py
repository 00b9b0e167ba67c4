"""The registry of reporting units (`reference/org_units.csv`), as the parser needs it.

A unit may have several rows with non-overlapping intervals (one per parent, name or type
it had). Every question is asked "as of a month": the row that covers the month decides
the unit's parent and name. Built once per run (about 42,000 units), picklable, so worker
processes get a copy.
"""

import csv
import hashlib
import io
import json
from calendar import monthrange
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

REQUIRED_COLUMNS = (
    "unit_code", "unit_name", "unit_type", "parent_code", "active_from", "active_to",
)  # fmt: skip
OPTIONAL_COLUMNS = ("school_level", "successor_code")

_MAX_DEPTH = 64  # a registry tree is 4 levels deep; this only guards against cycles


class RegistryError(ValueError):
    """The registry file is malformed (missing column, bad date, overlapping rows)."""


class UnitRow(NamedTuple):
    unit_code: str
    unit_name: str
    unit_type: str
    parent_code: str | None
    school_level: str | None
    active_from: date
    active_to: date | None  # inclusive; None while the row holds
    successor_code: str | None


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month that `month` falls in."""
    first = month.replace(day=1)
    return first, first.replace(day=monthrange(first.year, first.month)[1])


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: object, where: str) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return _iso_date(text[:10])
    except ValueError as exc:
        raise RegistryError(f"{where}: not an ISO date: {text!r}") from exc


@lru_cache(maxsize=4096)
def _iso_date(text: str) -> date:
    return date.fromisoformat(text)


class Registry:
    """Units and their rows, indexed by code (codes are text: `06688` keeps its zero)."""

    def __init__(self, rows: Iterable[UnitRow], fingerprint: str) -> None:
        by_code: dict[str, list[UnitRow]] = {}
        for row in rows:
            by_code.setdefault(row.unit_code, []).append(row)
        self._rows: dict[str, tuple[UnitRow, ...]] = {}
        for code, unit_rows in by_code.items():
            unit_rows.sort(key=lambda r: r.active_from)
            self._rows[code] = tuple(unit_rows)
        self.fingerprint = fingerprint

    # --- construction --------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | Path) -> "Registry":
        """Read `org_units.csv` (UTF-8, BOM allowed) with the csv module, all as text."""
        data = Path(path).read_bytes()
        return cls.from_bytes(data, source=str(path))

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "org_units.csv") -> "Registry":
        fingerprint = hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [name.strip() for name in next(reader, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise RegistryError(f"{source}: missing column(s) {', '.join(missing)}")
        records = (
            dict(zip(header, values)) for values in reader if any(v.strip() for v in values)
        )
        return cls(cls._parse(records, source, offset=2), fingerprint)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]]) -> "Registry":
        """Build from dicts with the CSV's columns (values as text, dates ISO or `date`)."""
        rows = list(rows)
        canonical = json.dumps(
            [{k: (None if v is None else str(v)) for k, v in sorted(r.items())} for r in rows],
            ensure_ascii=False,
        )
        fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return cls(cls._parse(rows, "rows", offset=0), fingerprint)

    @staticmethod
    def _parse(records: Iterable[Mapping[str, object]], source: str, offset: int):
        parsed = []
        for index, record in enumerate(records):
            where = f"{source} row {index + offset}"
            code = _text(record.get("unit_code"))
            if code is None:
                raise RegistryError(f"{where}: empty unit_code")
            active_from = _date(record.get("active_from"), where)
            if active_from is None:
                raise RegistryError(f"{where}: empty active_from")
            active_to = _date(record.get("active_to"), where)
            if active_to is not None and active_to < active_from:
                raise RegistryError(f"{where}: active_to before active_from")
            parsed.append(
                UnitRow(
                    unit_code=code,
                    unit_name=_text(record.get("unit_name")) or "",
                    unit_type=(_text(record.get("unit_type")) or "").lower(),
                    parent_code=_text(record.get("parent_code")),
                    school_level=_text(record.get("school_level")),
                    active_from=active_from,
                    active_to=active_to,
                    successor_code=_text(record.get("successor_code")),
                )
            )
        return parsed

    # --- questions -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, code: object) -> bool:
        return code in self._rows

    def codes(self) -> Iterable[str]:
        return self._rows.keys()

    def rows(self, code: str) -> tuple[UnitRow, ...]:
        """Every registry row of a unit, by active_from (empty when unknown)."""
        return self._rows.get(code, ())

    def exists(self, code: str | None) -> bool:
        return code in self._rows

    def _overlapping(self, code: str | None, month: date) -> list[UnitRow]:
        first, last = month_bounds(month)
        return [
            row
            for row in self._rows.get(code, ())  # type: ignore[arg-type]
            if row.active_from <= last and (row.active_to is None or row.active_to >= first)
        ]

    def active_in_month(self, code: str | None, month: date) -> bool:
        """Active on at least one day of the month (`active_to` inclusive)."""
        return bool(self._overlapping(code, month))

    def expected_in_month(self, code: str | None, month: date) -> bool:
        """Active on every day of the month (rows may hand over mid-month)."""
        first, last = month_bounds(month)
        covered_to = first.toordinal() - 1  # last day covered so far
        for row in self._overlapping(code, month):  # sorted by active_from
            if row.active_from.toordinal() > covered_to + 1:
                return False
            if row.active_to is None:
                return True
            covered_to = max(covered_to, row.active_to.toordinal())
            if covered_to >= last.toordinal():
                return True
        return covered_to >= last.toordinal()

    def row_for_month(self, code: str | None, month: date) -> UnitRow | None:
        """The row covering the month: among rows overlapping it, the latest active_from."""
        rows = self._overlapping(code, month)
        return rows[-1] if rows else None

    def nearest_row(self, code: str | None, month: date) -> UnitRow | None:
        """The row for the month, else the latest row begun by then, else the first row.

        For a unit inactive in the month: where it last stood (or will first stand).
        """
        rows = self._rows.get(code, ())  # type: ignore[arg-type]
        if not rows:
            return None
        _, last = month_bounds(month)
        begun = [row for row in rows if row.active_from <= last]
        return begun[-1] if begun else rows[0]

    def parent_in_month(self, code: str | None, month: date) -> str | None:
        row = self.row_for_month(code, month)
        return row.parent_code if row else None

    def name_in_month(self, code: str | None, month: date) -> str | None:
        row = self.row_for_month(code, month)
        return row.unit_name if row else None

    def type_in_month(self, code: str | None, month: date) -> str | None:
        row = self.row_for_month(code, month)
        return row.unit_type if row else None

    def ancestors(self, code: str | None, month: date) -> list[str]:
        """Parent, grandparent, ... as of the month, each ancestor by its own row."""
        chain: list[str] = []
        current = self.parent_in_month(code, month)
        while current is not None and current not in chain and len(chain) < _MAX_DEPTH:
            chain.append(current)
            current = self.parent_in_month(current, month)
        return chain

    def is_inside(self, subject: str | None, sender: str | None, month: date) -> bool:
        """`subject` is a strict descendant of `sender` in the tree as of the month."""
        if subject is None or sender is None or subject == sender:
            return False
        return sender in self.ancestors(subject, month)

    # --- pickling: plain state, no caches -------------------------------------------------

    def __getstate__(self):
        return {"rows": self._rows, "fingerprint": self.fingerprint}

    def __setstate__(self, state):
        self._rows = state["rows"]
        self.fingerprint = state["fingerprint"]

    def __repr__(self) -> str:
        return f"Registry({len(self._rows)} units, fingerprint={self.fingerprint[:12]})"
