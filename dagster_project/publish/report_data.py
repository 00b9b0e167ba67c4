"""What goes into a report workbook, read from the warehouse (no formatting here).

Plain functions over a read-only DuckDB connection that return plain dataclasses for one
area (a province, or a district/commune) and one period. Everything they show is read
from the contract's tables; the only arithmetic is the per-school aggregation over a
period, done exactly as the contract aggregates a unit toward an area (flow: the sum of
the months the tree placed the school inside the area; stock: the last of those months
with a figure) and the change against the previous period in percentage points.

`figures` on a report is the mapping `versions.publish` freezes: one entry per figure
the workbook shows, keyed `(area_or_unit_code, indicator_code, period_key)`.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}

STATUS_MET = "Đạt"
STATUS_NOT_MET = "Chưa đạt"
STATUS_NO_TARGET = "Không có chỉ tiêu"
STATUS_NO_DATA = "Chưa có số liệu"

SOURCE_LEVEL_VI = {
    "self": "Đơn vị tự báo cáo",
    "parent": "Cấp trên trực tiếp tổng hợp",
    "grandparent": "Cấp trên hai bậc tổng hợp",
}
KIND_VI = {"flow": "Cộng dồn trong kỳ", "stock": "Tại thời điểm cuối kỳ"}
UNIT_TYPE_VI = {
    "province": "Sở GDĐT (cấp tỉnh)",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
    "school": "Cơ sở giáo dục",
    "national": "Toàn quốc",
}
SCHOOL_LEVEL_VI = {
    "mam_non": "Mầm non",
    "tieu_hoc": "Tiểu học",
    "thcs": "THCS",
    "thpt": "THPT",
    "lien_cap": "Liên cấp",
    "gdtx": "GDTX",
}
RECONCILIATION_VI = {
    "mismatch": "Số liệu không khớp",
    "missing_self": "Đơn vị chưa tự báo cáo",
    "missing_consolidated": "Cấp trên chưa tổng hợp đơn vị",
}
SEVERITY_VI = {"critical": "Nghiêm trọng", "warning": "Cảnh báo"}

# Pseudo-indicators for the reporting progress figures frozen with a publication.
COMPLETENESS_CODE = "TY_LE_BAO_CAO_DAY_DU"
TIMELINESS_CODE = "TY_LE_BAO_CAO_DUNG_HAN"
COMPLETENESS_VI = "Tỷ lệ đơn vị đã báo cáo"
TIMELINESS_VI = "Tỷ lệ đơn vị báo cáo đúng hạn"

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --- periods -----------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_label(month: date) -> str:
    return f"Tháng {month.month}/{month.year}"


def period_label(period_type: str, start: date) -> str:
    """Same labels as `marts.dim_period.label_vi` (used when the period is not there)."""
    if period_type == "month":
        return month_label(start)
    if period_type == "quarter":
        return f"Quý {_ROMAN[(start.month - 1) // 3 + 1]}/{start.year}"
    if period_type == "half_year":
        half = "6 tháng đầu năm" if start.month == 1 else "6 tháng cuối năm"
        return f"{half} {start.year}"
    return f"Năm {start.year}"


def period_key(period_type: str, start: date) -> str:
    if period_type == "month":
        return f"{start.year}-{start.month:02d}"
    if period_type == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if period_type == "half_year":
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    return str(start.year)


@dataclass(frozen=True)
class Period:
    period_type: str
    period_start: date
    period_end: date
    label_vi: str
    period_key: str

    @property
    def months(self) -> list[date]:
        return [_add_months(self.period_start, i) for i in range(PERIOD_MONTHS[self.period_type])]

    @property
    def last_month(self) -> date:
        return self.months[-1]


def make_period(period_type: str, period_start: date | str) -> Period:
    if period_type not in PERIOD_MONTHS:
        raise ValueError(f"unknown period type {period_type!r}")
    if isinstance(period_start, datetime):
        period_start = period_start.date()
    elif isinstance(period_start, str):
        period_start = date.fromisoformat(period_start)
    start = period_start.replace(day=1)
    if (start.month - 1) % PERIOD_MONTHS[period_type]:
        raise ValueError(f"{period_start} does not start a {period_type}")
    end = date.fromordinal(_add_months(start, PERIOD_MONTHS[period_type]).toordinal() - 1)
    return Period(period_type, start, end, period_label(period_type, start), period_key(period_type, start))


def previous_period(period: Period) -> Period:
    return make_period(period.period_type, _add_months(period.period_start, -PERIOD_MONTHS[period.period_type]))


def _period(con, period_type: str, period_start) -> Period:
    """The period, labelled by `marts.dim_period` when it is there."""
    period = make_period(period_type, period_start)
    row = con.execute(
        "select label_vi, period_key from marts.dim_period where period_type = ? and period_start = ?",
        [period.period_type, period.period_start],
    ).fetchone()
    if row:
        period = Period(period.period_type, period.period_start, period.period_end, row[0], row[1])
    return period


# --- report parts ------------------------------------------------------------------------


def target_status(value, target, target_met) -> str:
    if target is None:
        return STATUS_NO_TARGET
    if value is None or target_met is None:
        return STATUS_NO_DATA
    return STATUS_MET if target_met else STATUS_NOT_MET


def _share(numerator, denominator) -> float | None:
    return None if not denominator else numerator / denominator


@dataclass(frozen=True)
class Indicator:
    kpi_code: str
    name_vi: str
    kind: str
    is_binary: bool
    numerator_label: str
    denominator_label: str
    sort_order: int

    @property
    def kind_vi(self) -> str:
        return KIND_VI.get(self.kind, self.kind)


@dataclass(frozen=True)
class SummaryRow:
    """One indicator for the report's area over the period (`marts.fct_kpi_area_period`)."""

    indicator: Indicator
    numerator: int | None
    denominator: int | None
    value: float | None
    target: float | None
    target_met: bool | None
    reporting_units: int | None
    previous_value: float | None
    previous_numerator: int | None = None
    previous_denominator: int | None = None
    previous_target: float | None = None

    @property
    def status_vi(self) -> str:
        return target_status(self.value, self.target, self.target_met)

    @property
    def change_points(self) -> float | None:
        """Change against the previous period, in percentage points."""
        if self.value is None or self.previous_value is None:
            return None
        return round((self.value - self.previous_value) * 100, 10)


@dataclass(frozen=True)
class ComparisonRow:
    """One indicator on today's boundaries (`marts.fct_kpi_area_period_restated`): this
    period against the same period a year earlier, both restated."""

    indicator: Indicator
    numerator: int | None
    denominator: int | None
    value: float | None
    target: float | None
    last_year_numerator: int | None
    last_year_denominator: int | None
    last_year_value: float | None

    @property
    def change_points(self) -> float | None:
        if self.value is None or self.last_year_value is None:
            return None
        return round((self.value - self.last_year_value) * 100, 10)


@dataclass(frozen=True)
class AreaRow:
    """One indicator of one district/commune inside the province over the period."""

    area_code: str
    area_name: str
    area_type: str
    indicator: Indicator
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    target_met: bool | None
    reporting_units: int

    @property
    def status_vi(self) -> str:
        return target_status(self.value, self.target, self.target_met)

    @property
    def area_type_vi(self) -> str:
        return UNIT_TYPE_VI.get(self.area_type, self.area_type)


@dataclass(frozen=True)
class SchoolRow:
    """One indicator of one school over the period; `indicator` is None for a school with
    no figure at all in the period (listed so that it is not silently missing)."""

    unit_code: str
    unit_name: str
    school_level: str | None
    parent_code: str | None
    parent_name: str | None
    indicator: Indicator | None
    numerator: int | None
    denominator: int | None
    source_levels: tuple[str, ...]
    months: tuple[date, ...]

    @property
    def value(self) -> float | None:
        return None if self.numerator is None else _share(self.numerator, self.denominator)

    @property
    def school_level_vi(self) -> str:
        return SCHOOL_LEVEL_VI.get(self.school_level or "", self.school_level or "")

    @property
    def source_vi(self) -> str:
        return _sources_vi(self.source_levels)

    @property
    def months_vi(self) -> str:
        return _months_vi(self.months)


@lru_cache(maxsize=4096)  # a handful of combinations, on every school row
def _sources_vi(source_levels: tuple[str, ...]) -> str:
    if not source_levels:
        return "Không có số liệu trong kỳ"
    return "; ".join(SOURCE_LEVEL_VI.get(level, level) for level in source_levels)


@lru_cache(maxsize=4096)
def _months_vi(months: tuple[date, ...]) -> str:
    return ", ".join(f"{m.month:02d}/{m.year}" for m in months)


@dataclass(frozen=True)
class CompletenessRow:
    area_code: str
    area_name: str
    area_type: str
    month: date
    expected_units: int
    received_units: int
    on_time_units: int
    completeness: float
    timeliness: float

    @property
    def month_vi(self) -> str:
        return month_label(self.month)


@dataclass(frozen=True)
class MissingUnit:
    """An expected unit that did not report for the month, or whose first accepted report
    came after the deadline."""

    month: date
    unit_code: str
    unit_name: str
    unit_type: str
    parent_code: str | None
    parent_name: str | None
    due_date: date
    first_report_date: datetime | None

    @property
    def is_late(self) -> bool:
        return self.first_report_date is not None

    @property
    def days_late(self) -> int | None:
        if self.first_report_date is None:
            return None
        return (_as_date(self.first_report_date) - self.due_date).days

    @property
    def status_vi(self) -> str:
        if self.first_report_date is None:
            return "Chưa báo cáo"
        return f"Báo cáo muộn {self.days_late} ngày"

    @property
    def unit_type_vi(self) -> str:
        return UNIT_TYPE_VI.get(self.unit_type, self.unit_type)


@dataclass(frozen=True)
class ReconciliationRow:
    month: date
    unit_code: str
    unit_name: str
    indicator: Indicator
    self_numerator: int | None
    self_denominator: int | None
    reported_by: str
    reported_by_name: str
    reported_numerator: int | None
    reported_denominator: int | None
    status: str

    @property
    def status_vi(self) -> str:
        return RECONCILIATION_VI.get(self.status, self.status)


@dataclass(frozen=True)
class QualityProblem:
    id: str
    severity: str
    suite: str
    what_vi: str
    how_to_resolve_vi: str
    unexpected_count: int | None

    @property
    def severity_vi(self) -> str:
        return SEVERITY_VI.get(self.severity, self.severity)


@dataclass(frozen=True)
class QualitySummary:
    available: bool  # False when the quality checks have not written problems.json
    problems: tuple[QualityProblem, ...] = ()


class FigureMap(dict):
    """`dict[key, (numerator, denominator, value, target)]` plus `labels[key]` =
    (indicator name, area or unit name, period label) for the change sheet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels: dict[tuple, tuple[str, str, str]] = {}

    def add(self, key: tuple, figure: tuple, label: tuple[str, str, str]) -> None:
        self[key] = figure
        self.labels[key] = label


@dataclass
class AreaReport:
    """A report on one area (province, district or commune) for one period."""

    area_code: str
    area_name: str
    area_type: str
    province_code: str
    province_name: str
    period: Period
    previous: Period
    summary: list[SummaryRow]
    schools: list[SchoolRow]
    completeness: list[CompletenessRow]  # the area's own rows, month by month
    missing_units: list[MissingUnit]
    reconciliation: list[ReconciliationRow]
    quality: QualitySummary
    areas: list[AreaRow] = field(default_factory=list)
    area_completeness: list[CompletenessRow] = field(default_factory=list)
    # On today's boundaries (restated); not part of the frozen figures, since a later
    # reorganisation would otherwise republish every historic report.
    comparison: list[ComparisonRow] = field(default_factory=list)
    merged_into: str | None = None

    @property
    def area_type_vi(self) -> str:
        return UNIT_TYPE_VI.get(self.area_type, self.area_type)

    @property
    def figures(self) -> FigureMap:
        """Every figure the workbook publishes, for `versions.publish`."""
        out = FigureMap()
        key = self.period.period_key
        for row in self.summary:
            ind = row.indicator
            if row.numerator is not None:
                out.add(
                    (self.area_code, ind.kpi_code, key),
                    (row.numerator, row.denominator, row.value, row.target),
                    (ind.name_vi, self.area_name, self.period.label_vi),
                )
            if row.previous_numerator is not None:
                out.add(
                    (self.area_code, ind.kpi_code, self.previous.period_key),
                    (row.previous_numerator, row.previous_denominator, row.previous_value, row.previous_target),
                    (ind.name_vi, self.area_name, self.previous.label_vi),
                )
        for row in self.areas:
            out.add(
                (row.area_code, row.indicator.kpi_code, key),
                (row.numerator, row.denominator, row.value, row.target),
                (row.indicator.name_vi, row.area_name, self.period.label_vi),
            )
        for row in self.schools:
            if row.indicator is None:
                continue
            out.add(
                (row.unit_code, row.indicator.kpi_code, key),
                (row.numerator, row.denominator, row.value, None),
                (row.indicator.name_vi, row.unit_name, self.period.label_vi),
            )
        for row in [*self.completeness, *self.area_completeness]:
            month_key = period_key("month", row.month)
            out.add(
                (row.area_code, COMPLETENESS_CODE, month_key),
                (row.received_units, row.expected_units, row.completeness, None),
                (COMPLETENESS_VI, row.area_name, row.month_vi),
            )
            out.add(
                (row.area_code, TIMELINESS_CODE, month_key),
                (row.on_time_units, row.expected_units, row.timeliness, None),
                (TIMELINESS_VI, row.area_name, row.month_vi),
            )
        return out


class ProvinceReport(AreaReport):
    """A province's report: `areas` holds its districts/communes."""


class DistrictReport(AreaReport):
    """A district's or commune's report on its own schools (`areas` stays empty)."""


# --- queries -----------------------------------------------------------------------------


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def indicators(con) -> list[Indicator]:
    rows = con.execute(
        """select kpi_code, name_vi, kind, is_binary, numerator_label, denominator_label, sort_order
           from marts.dim_kpi order by sort_order, kpi_code"""
    ).fetchall()
    return [Indicator(*row) for row in rows]


ANCESTRY_VIEW = "intermediate.int_org_ancestry_monthly"
DUTIES_VIEW = "intermediate.int_unit_month_reporting"
TARGETS_VIEW = "intermediate.int_area_targets"
ANCESTRY_TABLE = "report_ancestry"
DUTIES_TABLE = "report_duties"
TARGETS_TABLE = "report_targets"


def prepare_tables(con, first_month, last_month) -> str:
    """Copy what every report of the months `first_month` to `last_month` reads from the
    intermediate views (each evaluated over the whole warehouse) once into temp tables of
    this connection: every unit's chain of ancestors in each month, sorted by ancestor so
    that one area's subtree is a narrow scan, with each unit's own type and parent that
    month beside it; every unit's reporting duty (`missing_units` applies the rule); the areas' targets
    for those years. Returns the ancestry table's name, to pass as `ancestry=` to the
    report functions for periods inside those months (they then read the other two)."""
    con.execute(f"drop table if exists {DUTIES_TABLE}")
    con.execute(
        f"""create temp table {DUTIES_TABLE} as
            select * from {DUTIES_VIEW} where month between ?::date and ?::date""",
        [first_month, last_month],
    )
    con.execute(f"drop table if exists {TARGETS_TABLE}")
    try:
        con.execute(
            f"""create temp table {TARGETS_TABLE} as
                select area_code, year, kpi_code, target from {TARGETS_VIEW}
                where year between year(?::date) and year(?::date)""",
            [first_month, last_month],
        )
    except Exception:  # noqa: BLE001 - as in `_targets`: no targets then
        con.execute(f"create temp table {TARGETS_TABLE} (area_code varchar, year int, kpi_code varchar, target double)")
    con.execute(f"drop table if exists {ANCESTRY_TABLE}")
    con.execute(
        f"""create temp table {ANCESTRY_TABLE} as
            with chain as (
                select unit_code, month, ancestor_code, ancestor_type, depth from {ANCESTRY_VIEW}
                where month between ?::date and ?::date and ancestor_type <> 'national'
            ),
            own as (
                select unit_code, month,
                    any_value(ancestor_type) filter (where depth = 0) as unit_type,
                    any_value(ancestor_code) filter (where depth = 1) as parent_code
                from chain group by unit_code, month
            )
            select c.*, o.unit_type, o.parent_code
            from chain c join own o using (unit_code, month)
            order by c.ancestor_code, c.month, c.unit_code""",
        [first_month, last_month],
    )
    return ANCESTRY_TABLE


class _Scope:
    """The subtrees of `roots` in each month of the period, as one temporary table (root,
    unit_code, month, unit_type, parent_code), read from the ancestry table of
    `prepare_tables`. Temp tables work on a read-only connection; the table is dropped on
    exit. Every query below reads it grouped by `root`, so a batch of areas costs one
    query per part, not one per area."""

    def __init__(self, con, roots: list[str], period: Period, ancestry: str = ANCESTRY_TABLE):
        self.con, self.roots, self.period, self.ancestry = con, roots, period, ancestry
        self.table = f"report_scope_{uuid.uuid4().hex}"

    def __enter__(self) -> str:
        self.con.execute(
            f"""create temp table {self.table} as
                select ancestor_code as root, unit_code, month, unit_type, parent_code from {self.ancestry}
                where ancestor_code in (select unnest($roots::varchar[]))
                    and month between $first and $last""",
            {"roots": self.roots, "first": self.period.period_start, "last": self.period.last_month},
        )
        return self.table

    def __exit__(self, *exc) -> None:
        self.con.execute(f"drop table if exists {self.table}")


def _by_first(rows) -> dict[str, list[tuple]]:
    """Rows grouped by their first column (a root or an area): key -> the rest of each row, in order."""
    out: dict[str, list[tuple]] = {}
    for root, *rest in rows:
        out.setdefault(root, []).append(rest)
    return out


def _units_in_scope(con, scope: str) -> dict[str, dict[str, dict]]:
    """Per root: every unit inside its subtree in some month of the period (the root
    included), with its type, name and parent as of the last such month."""
    rows = con.execute(
        f"""
        with tree as (
            select root, unit_code, max(month) as last_month,
                   arg_max(unit_type, month) as unit_type, arg_max(parent_code, month) as parent_code
            from {scope}
            group by root, unit_code
        ),
        named as (
            select t.root, d.unit_code,
                   arg_max(d.unit_name, d.active_from) as unit_name,
                   arg_max(d.school_level, d.active_from) as school_level
            from marts.dim_org_unit d
            join tree t on t.unit_code = d.unit_code
                and d.active_from <= last_day(t.last_month)
                and (d.active_to is null or d.active_to >= t.last_month)
            group by t.root, d.unit_code
        )
        select t.root, t.unit_code, t.unit_type, t.parent_code, coalesce(n.unit_name, t.unit_code), n.school_level
        from tree t left join named n using (root, unit_code)
        """
    ).fetchall()
    out: dict[str, dict[str, dict]] = {}
    for root, code, unit_type, parent, name, level in rows:
        out.setdefault(root, {})[code] = {
            "unit_type": unit_type, "parent_code": parent, "unit_name": name, "school_level": level,
        }  # fmt: skip
    return out


def unit_name(con, unit_code: str, on: date) -> str:
    """The registry name of a unit on a day (the row covering it, else its latest row)."""
    row = con.execute(
        """select unit_name from marts.dim_org_unit where unit_code = ?
           order by (active_from <= ? and (active_to is null or active_to >= ?)) desc, active_from desc
           limit 1""",
        [unit_code, on, on],
    ).fetchone()
    return row[0] if row and row[0] else unit_code


def _provinces_of(con, area_codes: list[str], period: Period, ancestry: str = ANCESTRY_VIEW) -> dict[str, str]:
    """Each area's province in the last month of the period it had one."""
    rows = con.execute(
        f"""select unit_code, arg_max(ancestor_code, month) from {ancestry}
           where unit_code in (select unnest(?::varchar[])) and ancestor_type = 'province'
               and month between ? and ?
           group by unit_code""",
        [area_codes, period.period_start, period.last_month],
    ).fetchall()
    return {code: province for code, province in rows if province}


def _area_type(con, area_code: str, period: Period, ancestry: str = ANCESTRY_VIEW) -> str:
    row = con.execute(
        f"""select arg_max(ancestor_type, month) from {ancestry}
           where unit_code = ? and depth = 0 and month between ? and ?""",
        [area_code, period.period_start, period.last_month],
    ).fetchone()
    if row and row[0]:
        return row[0]
    row = con.execute(
        "select unit_type from marts.dim_org_unit where unit_code = ? order by active_from desc limit 1",
        [area_code],
    ).fetchone()
    return row[0] if row else ""


def _area_figures(con, area_codes: list[str], period: Period) -> dict[tuple[str, str], tuple]:
    if not area_codes:
        return {}
    rows = con.execute(
        """select area_code, kpi_code, numerator, denominator, value, target, target_met, reporting_units
           from marts.fct_kpi_area_period
           where period_type = ? and period_start = ? and area_code in (select unnest(?::varchar[]))""",
        [period.period_type, period.period_start, area_codes],
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def summary_rows(con, area_codes: list[str], period: Period, previous: Period, kpis: list[Indicator],
                 targets: str = TARGETS_VIEW) -> dict[str, list[SummaryRow]]:  # fmt: skip
    """Per area: each indicator over the period, with the previous period's figure and,
    for an indicator without figures, the plan's target (so the gap is visible)."""
    now = _area_figures(con, area_codes, period)
    before = _area_figures(con, area_codes, previous)
    plan = _targets(con, area_codes, period.period_start.year, targets)
    blank = (None,) * 6
    out = {}
    for code in area_codes:
        rows = []
        for ind in kpis:
            num, den, value, target, met, units = now.get((code, ind.kpi_code), blank)
            p_num, p_den, p_value, p_target, _, _ = before.get((code, ind.kpi_code), blank)
            if target is None and num is None:
                target = plan.get((code, ind.kpi_code))
            rows.append(SummaryRow(ind, num, den, value, target, met, units, p_value, p_num, p_den, p_target))
        out[code] = rows
    return out


def restated_comparison(con, area_code: str, period: Period, kpis: list[Indicator]) -> list[ComparisonRow]:
    """This period and the same period a year earlier on today's boundaries; empty when the
    area no longer exists today (a merged province has no restated rows of its own)."""
    last_year = period.period_start.replace(year=period.period_start.year - 1)
    try:
        found = con.execute(
            """select period_start, kpi_code, numerator, denominator, value, target
               from marts.fct_kpi_area_period_restated
               where area_code = ? and period_type = ? and period_start in (?, ?)""",
            [area_code, period.period_type, period.period_start, last_year],
        ).fetchall()
    except Exception:  # noqa: BLE001 - a warehouse built before the restated mart existed
        return []
    if not found:
        return []
    by = {(start, kpi): (num, den, value, target) for start, kpi, num, den, value, target in found}
    rows = []
    for ind in kpis:
        num, den, value, target = by.get((period.period_start, ind.kpi_code), (None,) * 4)
        l_num, l_den, l_value, _ = by.get((last_year, ind.kpi_code), (None,) * 4)
        rows.append(ComparisonRow(ind, num, den, value, target, l_num, l_den, l_value))
    return rows


def successor_today(con, area_code: str) -> str | None:
    """Where a closed area's figures are today (its restated chain), for the sheet's note."""
    try:
        row = con.execute(
            """select a.ancestor_code from intermediate.int_org_ancestry_today a
               where a.unit_code = ? and a.ancestor_type = 'province' limit 1""",
            [area_code],
        ).fetchone()
    except Exception:  # noqa: BLE001
        return None
    return row[0] if row and row[0] != area_code else None


def _targets(con, area_codes: list[str], year: int, targets: str = TARGETS_VIEW) -> dict[tuple[str, str], float]:
    """The targets of areas for a year, keyed (area, indicator), following the contract's
    lookup (the area's own row, else its province's, else `*`)."""
    try:
        rows = con.execute(
            f"""select area_code, kpi_code, target from {targets}
                where area_code in (select unnest(?::varchar[])) and year = ?""",
            [area_codes, year],
        ).fetchall()
    except Exception:  # the intermediate model is an implementation detail: no target then
        return {}
    return {(area, kpi): target for area, kpi, target in rows}


def _sub_areas(units: dict) -> list[str]:
    return sorted(code for code, info in units.items() if info["unit_type"] in ("district", "commune"))


def area_rows(figures: dict, kpis: list[Indicator], units: dict) -> list[AreaRow]:
    """The province's districts/communes (from its `units`), indicator by indicator, from
    `figures` (`_area_figures` over them)."""
    rows = []
    for code in _sub_areas(units):
        for ind in kpis:
            fig = figures.get((code, ind.kpi_code))
            if fig is None:
                continue
            num, den, value, target, met, count = fig
            rows.append(
                AreaRow(code, units[code]["unit_name"], units[code]["unit_type"], ind, num, den, value, target, met, count)
            )
    return rows


def school_rows(con, scope: str, kpis: list[Indicator], units: dict[str, dict]) -> dict[str, list[SchoolRow]]:
    """Per root: each school of its subtree over the period, aggregated like the contract
    aggregates a unit toward an area: only the months the tree placed the school inside
    the subtree."""
    figures = con.execute(
        f"""
        with placed as (
            select s.root, f.unit_code, f.month, f.kpi_code, f.numerator, f.denominator, f.source_level
            from marts.fct_kpi_unit_month f
            join {scope} s on s.unit_code = f.unit_code and s.month = f.month and s.unit_type = 'school'
        )
        select p.root, p.unit_code, p.kpi_code,
            case when k.kind = 'flow' then sum(p.numerator) else arg_max(p.numerator, p.month) end,
            case when k.kind = 'flow' then sum(p.denominator) else arg_max(p.denominator, p.month) end,
            case when k.kind = 'flow' then list(distinct p.source_level)
                 else [arg_max(p.source_level, p.month)] end,
            case when k.kind = 'flow' then list(p.month order by p.month) else [max(p.month)] end
        from placed p join marts.dim_kpi k using (kpi_code)
        group by p.root, p.unit_code, p.kpi_code, k.kind
        """
    ).fetchall()
    by_unit: dict[tuple[str, str], dict[str, tuple]] = {}
    for root, code, kpi, num, den, levels, months in figures:
        by_unit.setdefault((root, code), {})[kpi] = (int(num), int(den), levels, months)
    level_order = list(SOURCE_LEVEL_VI)
    out = {}
    for root, tree in units.items():
        schools = sorted(
            (code for code, info in tree.items() if info["unit_type"] == "school"),
            key=lambda c: (tree[c]["parent_code"] or "", tree[c]["unit_name"], c),
        )
        rows = out[root] = []
        for code in schools:
            info = tree[code]
            parent = info["parent_code"]
            parent_name = tree.get(parent, {}).get("unit_name", parent) if parent else None
            base = (code, info["unit_name"], info["school_level"], parent, parent_name)
            own = by_unit.get((root, code), {})
            if not own:
                rows.append(SchoolRow(*base, None, None, None, (), ()))
                continue
            for ind in kpis:
                if ind.kpi_code not in own:
                    continue
                num, den, levels, months = own[ind.kpi_code]
                levels = tuple(sorted(set(levels), key=lambda x: level_order.index(x) if x in level_order else 9))
                rows.append(SchoolRow(*base, ind, num, den, levels, tuple(_as_date(m) for m in months)))
    return out


def _completeness(con, area_codes: list[str], period: Period) -> dict[str, list[tuple]]:
    """The areas' rows of `marts.fct_reporting_completeness` for the months of the period."""
    if not area_codes:
        return {}
    rows = con.execute(
        """select area_code, area_type, month, expected_units, received_units, on_time_units,
                  completeness, timeliness
           from marts.fct_reporting_completeness
           where area_code in (select unnest(?::varchar[])) and month between ? and ?
           order by area_code, month""",
        [area_codes, period.period_start, period.last_month],
    ).fetchall()
    return _by_first(rows)


def completeness_rows(found: dict[str, list[tuple]], area_codes: list[str], units: dict) -> list[CompletenessRow]:
    """The reporting progress rows of `area_codes` (from `_completeness`), named from `units`."""
    return [
        CompletenessRow(
            code, units.get(code, {}).get("unit_name", code), r[0], _as_date(r[1]),
            int(r[2]), int(r[3]), int(r[4]), float(r[5]), float(r[6]),
        )  # fmt: skip
        for code in sorted(area_codes)
        for r in found.get(code, ())
    ]


def missing_units(con, scope: str, duties: str = DUTIES_VIEW) -> dict[str, list[MissingUnit]]:
    """Per root: expected units of its subtree, month by month, that did not report or
    reported late (their first accepted own submission after the deadline), with the
    deadline."""
    rows = con.execute(
        f"""
        select s.root, r.month, r.unit_code, r.unit_type, s.parent_code, r.due_date, r.first_report_date
        from {duties} r
        join {scope} s on s.unit_code = r.unit_code and s.month = r.month
        where r.is_expected
            and (not r.has_accepted_submission or r.first_report_date::date > r.due_date)
        order by s.root, r.month, r.has_accepted_submission, s.parent_code, r.unit_code
        """
    ).fetchall()
    names = _names(con, {(r[2], r[1]) for r in rows} | {(r[4], r[1]) for r in rows if r[4]})
    return {
        root: [
            MissingUnit(
                _as_date(month), code, names.get((code, month), code), unit_type, parent,
                names.get((parent, month), parent) if parent else None, _as_date(due), first,
            )  # fmt: skip
            for month, code, unit_type, parent, due, first in found
        ]
        for root, found in _by_first(rows).items()
    }


def _names(con, pairs: set[tuple[str, date]]) -> dict[tuple[str, date], str]:
    """Registry names of units as of given months, in one query."""
    if not pairs:
        return {}
    codes = sorted({code for code, _ in pairs})
    rows = con.execute(
        "select unit_code, unit_name, active_from, active_to from marts.dim_org_unit where list_contains(?, unit_code)",
        [codes],
    ).fetchall()
    by_code: dict[str, list] = {}
    for code, name, start, end in rows:
        by_code.setdefault(code, []).append((start, end, name))
    out = {}
    for code, month in pairs:
        month = _as_date(month)
        candidates = sorted(by_code.get(code, []), key=lambda r: r[0])
        covering = [r for r in candidates if r[0] <= _month_end(month) and (r[1] is None or r[1] >= month)]
        chosen = (covering or candidates or [(None, None, code)])[-1]
        out[(code, month)] = chosen[2] or code
    return out


def _month_end(month: date) -> date:
    return date.fromordinal(_add_months(month, 1).toordinal() - 1)




def reconciliation_rows(con, scope: str, kpis: list[Indicator]) -> dict[str, list[ReconciliationRow]]:
    """Per root: consolidated figures that differ from a unit's own (status other than
    `match`), for units inside its subtree in the month."""
    rows = con.execute(
        f"""
        select s.root, r.month, r.unit_code, r.kpi_code, r.self_numerator, r.self_denominator,
               r.reported_by, r.reported_numerator, r.reported_denominator, r.status
        from marts.fct_reconciliation r
        join {scope} s on s.unit_code = r.unit_code and s.month = r.month
        where r.status <> 'match'
        """
    ).fetchall()
    by_code = {k.kpi_code: k for k in kpis}
    names = _names(con, {(r[2], r[1]) for r in rows} | {(r[6], r[1]) for r in rows if r[6]})
    status_order = list(RECONCILIATION_VI)
    out = {}
    for root, found in _by_first(rows).items():
        listed = []
        for month, unit, kpi, s_num, s_den, by, r_num, r_den, status in found:
            ind = by_code.get(kpi) or Indicator(kpi, kpi, "", False, "", "", 10_000)
            listed.append(
                ReconciliationRow(
                    _as_date(month), unit, names.get((unit, month), unit), ind, s_num, s_den,
                    by or "", names.get((by, month), by or ""), r_num, r_den, status,
                )  # fmt: skip
            )
        listed.sort(
            key=lambda r: (
                r.month,
                status_order.index(r.status) if r.status in status_order else 9,
                r.unit_code,
                r.indicator.sort_order,
                r.reported_by,
            )
        )
        out[root] = listed
    return out


def quality_summary(quality_dir: Path | str | None) -> QualitySummary:
    """Open problems from `<reports>/quality/problems.json` (critical first)."""
    if quality_dir is None:
        return QualitySummary(False)
    path = Path(quality_dir)
    if path.is_dir() or path.suffix != ".json":
        path = path / "problems.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return QualitySummary(False)
    problems = []
    for key, entry in sorted((state.get("problems") or {}).items()):
        if not isinstance(entry, dict) or entry.get("status") != "open":
            continue
        count = entry.get("unexpected_count")
        problems.append(
            QualityProblem(
                id=str(entry.get("id") or key),
                severity=str(entry.get("severity") or ""),
                suite=str(entry.get("suite") or ""),
                what_vi=str(entry.get("what_vi") or entry.get("expectation") or key),
                how_to_resolve_vi=str(entry.get("how_to_resolve_vi") or ""),
                unexpected_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
            )
        )
    problems.sort(key=lambda p: (p.severity != "critical", p.suite, p.id))
    return QualitySummary(True, tuple(problems))


# --- the reports -------------------------------------------------------------------------


def area_reports(cls, con, area_codes: list[str], period_type: str, period_start, quality_dir=None,
                 ancestry: str = ANCESTRY_VIEW) -> dict[str, AreaReport]:  # fmt: skip
    """The reports (`cls`: `ProvinceReport` or `DistrictReport`) on `area_codes` for one
    period, keyed by area code, each equal to the one built alone: every part is read for
    all the areas in one query. `ancestry`: the ancestry view, or the table from
    `prepare_tables` covering the period's months."""
    period = _period(con, period_type, period_start)
    previous = _period(con, period.period_type, previous_period(period).period_start)
    kpis = indicators(con)
    if ancestry != ANCESTRY_TABLE:  # a direct call: this period's tables, prepared here
        ancestry = prepare_tables(con, period.period_start, period.last_month)
    codes = list(dict.fromkeys(area_codes))
    with _Scope(con, codes, period, ancestry) as scope:
        units = _units_in_scope(con, scope)
        schools = school_rows(con, scope, kpis, units)
        missing = missing_units(con, scope, DUTIES_TABLE)
        reconciliation = reconciliation_rows(con, scope, kpis)
    summary = summary_rows(con, codes, period, previous, kpis, TARGETS_TABLE)
    sub_areas = {code: _sub_areas(units.get(code, {})) for code in codes} if cls is ProvinceReport else {}
    all_subs = sorted({sub for subs in sub_areas.values() for sub in subs})
    progress = _completeness(con, codes + all_subs, period)
    sub_figures = _area_figures(con, all_subs, period)
    provinces = {} if cls is ProvinceReport else _provinces_of(con, codes, period, ancestry)
    names: dict[str, str] = {}
    quality = quality_summary(quality_dir)
    reports = {}
    for code in codes:
        tree = units.get(code, {})
        area_type = tree.get(code, {}).get("unit_type") or _area_type(con, code, period, ancestry)
        area_name = tree.get(code, {}).get("unit_name") or unit_name(con, code, period.period_end)
        if area_type == "province":
            province_code, province_name = code, area_name
        else:
            province_code = provinces.get(code, "")
            if province_code and province_code not in names:
                names[province_code] = unit_name(con, province_code, period.period_end)
            province_name = names.get(province_code, "")
        report = reports[code] = cls(
            area_code=code,
            area_name=area_name,
            area_type=area_type,
            province_code=province_code,
            province_name=province_name,
            period=period,
            previous=previous,
            summary=summary[code],
            schools=schools.get(code, []),
            completeness=completeness_rows(progress, [code], tree),
            missing_units=missing.get(code, []),
            reconciliation=reconciliation.get(code, []),
            quality=quality,
        )
        if cls is ProvinceReport:
            report.areas = area_rows(sub_figures, kpis, tree)
            report.area_completeness = completeness_rows(progress, sub_areas[code], tree)
            report.comparison = restated_comparison(con, code, period, kpis)
            if not report.comparison:
                report.merged_into = successor_today(con, code)
    return reports


def province_report(con, province_code: str, period_type: str, period_start, quality_dir=None,
                    ancestry: str = ANCESTRY_VIEW) -> ProvinceReport:  # fmt: skip
    """The province's report for the period (see the module docstring). `ancestry`: the
    ancestry view, or the table from `prepare_tables` covering the period's months."""
    return area_reports(ProvinceReport, con, [province_code], period_type, period_start, quality_dir, ancestry)[
        province_code
    ]


def district_report(con, area_code: str, period_type: str, period_start, quality_dir=None,
                    ancestry: str = ANCESTRY_VIEW) -> DistrictReport:  # fmt: skip
    """A district's or commune's report on its own schools for the period."""
    return area_reports(DistrictReport, con, [area_code], period_type, period_start, quality_dir, ancestry)[area_code]


def provinces_with_data(con, period_type: str, period_start) -> list[str]:
    period = make_period(period_type, period_start)
    rows = con.execute(
        """select distinct area_code from marts.fct_kpi_area_period
           where area_type = 'province' and period_type = ? and period_start = ? order by 1""",
        [period.period_type, period.period_start],
    ).fetchall()
    return [r[0] for r in rows]


def areas_with_data(con, province_code: str, period_type: str, period_start,
                    ancestry: str = ANCESTRY_VIEW) -> list[str]:  # fmt: skip
    """Districts/communes with figures for the period that sat inside the province in some
    month of it."""
    period = make_period(period_type, period_start)
    rows = con.execute(
        f"""
        select distinct f.area_code
        from marts.fct_kpi_area_period f
        join {ancestry} a
            on a.unit_code = f.area_code and a.ancestor_code = $province
            and a.month between $first and $last
        where f.area_type in ('district', 'commune')
            and f.period_type = $type and f.period_start = $start
        order by 1
        """,
        {
            "province": province_code,
            "first": period.period_start,
            "last": period.last_month,
            "type": period.period_type,
            "start": period.period_start,
        },
    ).fetchall()
    return [r[0] for r in rows]


# --- what to publish, and whether it changed ---------------------------------------------

# Part of every fingerprint: a change here (or in what the fingerprint covers) makes every
# report's inputs look new once; `versions.publish` then republishes only changed figures.
INPUTS_FORMAT = "de06-report-inputs/1"


@dataclass(frozen=True)
class ReportTask:
    """One workbook to consider: a province's or a district's/commune's report on a period,
    with the fingerprint of everything its frozen figures are computed from."""

    kind: str  # "province" or "district"
    area_code: str
    period_type: str
    period_start: date
    province_code: str
    fingerprint: str

    @property
    def period_key(self) -> str:
        return period_key(self.period_type, self.period_start)

    @property
    def stem(self) -> str:
        prefix = "bao_cao_tinh_" if self.kind == "province" else "bao_cao_"
        return f"{prefix}{self.area_code}_{self.period_key}"


def report_tasks(con, first, last, provinces=None, kind: str | None = None,
                 ancestry: str = ANCESTRY_VIEW) -> list[ReportTask]:  # fmt: skip
    """Every report of every period containing a month from `first` to `last` (ISO dates
    or dates), for the provinces with data (only `provinces` when given) and each of their
    districts/communes with data (only one `kind` when given), with the fingerprint of its
    inputs, in one query. A district that sat in two provinces during a period is listed
    once (its report does not depend on the province).

    The fingerprint is computed in SQL from exactly the mart rows the report's frozen
    figures (`AreaReport.figures`) are derived from, each row hashed with its key:
    - the area's rows of `marts.fct_kpi_area_period` for the period and the previous one;
    - a province's districts/communes (units of those types inside it in some month of
      the period): their rows of `marts.fct_kpi_area_period` for the period;
    - every row of `marts.fct_kpi_unit_month` of every unit inside the area in a month of
      the period (the schools' figures and the area's own office), with its month;
    - the rows of `marts.fct_reporting_completeness` of the area (and a province's
      districts/communes) for the months of the period.
    Equal fingerprints mean equal figures, so the workbook need not even be computed; a
    different fingerprint may still give equal figures (a row that does not reach them),
    in which case nothing new is published. Names and the quality summary are not
    frozen figures, as in `versions.publish`."""
    rows = con.execute(
        f"""
        with periods as (
            select period_type, period_start, period_end, previous_period_start as previous_start
            from marts.dim_period
            where period_start <= $last::date and period_end >= $first::date
        ),
        period_months as (
            select p.period_type, p.period_start, m::date as month
            from periods p, unnest(generate_series(p.period_start, p.period_end, interval 1 month)) as t(m)
        ),
        provinces as (
            select distinct f.area_code, f.period_type, f.period_start
            from marts.fct_kpi_area_period f
            join periods p using (period_type, period_start)
            where f.area_type = 'province'
                and (cast($provinces as varchar[]) is null or list_contains($provinces, f.area_code))
        ),
        districts as (
            select f.area_code, f.period_type, f.period_start, min(a.ancestor_code) as province_code
            from marts.fct_kpi_area_period f
            join periods p using (period_type, period_start)
            join {ancestry} a on a.unit_code = f.area_code and a.ancestor_type = 'province'
                and a.month between p.period_start and p.period_end
            join provinces v on v.area_code = a.ancestor_code
                and v.period_type = f.period_type and v.period_start = f.period_start
            where f.area_type in ('district', 'commune')
            group by f.area_code, f.period_type, f.period_start
        ),
        tasks as (
            select * from (
                select 'province' as kind, area_code, period_type, period_start, area_code as province_code
                from provinces
                union all
                select 'district', area_code, period_type, period_start, province_code from districts
            ) where $kind is null or kind = $kind
        ),
        sub_areas as (
            select distinct t.area_code, t.period_type, t.period_start, s.unit_code as sub_code
            from tasks t
            join period_months m using (period_type, period_start)
            join {ancestry} a on a.ancestor_code = t.area_code and a.month = m.month and a.depth > 0
            join {ancestry} s on s.unit_code = a.unit_code and s.month = a.month and s.depth = 0
                and s.ancestor_type in ('district', 'commune')
            where t.kind = 'province'
        ),
        h_own as (
            select t.area_code, t.period_type, t.period_start,
                sum(hash(f.kpi_code, f.period_start, f.numerator, f.denominator, f.value, f.target)) as h
            from tasks t
            join periods p using (period_type, period_start)
            join marts.fct_kpi_area_period f on f.area_code = t.area_code
                and f.period_type = t.period_type and f.period_start in (t.period_start, p.previous_start)
            group by all
        ),
        h_sub as (
            select s.area_code, s.period_type, s.period_start,
                sum(hash(f.area_code, f.kpi_code, f.numerator, f.denominator, f.value, f.target)) as h
            from sub_areas s
            join marts.fct_kpi_area_period f on f.area_code = s.sub_code
                and f.period_type = s.period_type and f.period_start = s.period_start
            group by all
        ),
        area_months as (
            select a.ancestor_code as area_code, f.month,
                sum(hash(f.unit_code, f.month, f.kpi_code, f.numerator, f.denominator)) as h
            from marts.fct_kpi_unit_month f
            join {ancestry} a on a.unit_code = f.unit_code and a.month = f.month
            where a.ancestor_type in ('district', 'commune', 'province')
                and f.month between (select min(period_start) from periods)
                                and (select max(period_end) from periods)
                and a.ancestor_code in (select area_code from tasks)
            group by all
        ),
        h_units as (
            select t.area_code, t.period_type, t.period_start, sum(am.h) as h
            from tasks t
            join period_months m using (period_type, period_start)
            join area_months am on am.area_code = t.area_code and am.month = m.month
            group by all
        ),
        completeness_areas as (
            select area_code, period_type, period_start, area_code as code from tasks
            union
            select area_code, period_type, period_start, sub_code from sub_areas
        ),
        h_progress as (
            select c.area_code, c.period_type, c.period_start,
                sum(hash(r.area_code, r.month, r.expected_units, r.received_units, r.on_time_units)) as h
            from completeness_areas c
            join period_months m using (period_type, period_start)
            join marts.fct_reporting_completeness r on r.area_code = c.code and r.month = m.month
            group by all
        )
        select t.kind, t.area_code, t.period_type, t.period_start, t.province_code,
            md5(concat_ws('|', coalesce(o.h, 0), coalesce(s.h, 0), coalesce(u.h, 0), coalesce(g.h, 0)))
        from tasks t
        left join h_own o using (area_code, period_type, period_start)
        left join h_sub s using (area_code, period_type, period_start)
        left join h_units u using (area_code, period_type, period_start)
        left join h_progress g using (area_code, period_type, period_start)
        order by t.period_start, t.period_type, t.kind desc, t.province_code, t.area_code
        """,
        {"first": first, "last": last, "provinces": sorted(provinces) if provinces else None, "kind": kind},
    ).fetchall()
    return [
        ReportTask(kind, code, ptype, _as_date(start), province, f"{INPUTS_FORMAT}:{digest}")
        for kind, code, ptype, start, province, digest in rows
    ]
