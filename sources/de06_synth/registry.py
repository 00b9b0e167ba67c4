"""The registry of reporting units (reference/org_units.csv) for one scope and tree.

Schools are always laid out on the pre-July-2025 geography (old province, district, ward),
so a school keeps its code, `PP DDD SSS`, whatever tree is written: before July it hangs
under its district (or its old province), from July under the new commune its ward became
(or its new province).
"""

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import geo as geo_mod
from .months import LAST_OLD, REG_START, SWITCH, Month, first_day, last_day

LEVELS = ("mam_non", "tieu_hoc", "thcs", "lien_cap", "thpt", "gdtx")
DIRECT_LEVELS = ("thpt", "gdtx")  # managed by the province
EST_COLUMNS = {
    "mam_non": "preschool_schools",
    "tieu_hoc": "primary_schools",
    "thcs": "lower_secondary_schools",
    "lien_cap": "multi_level_schools",
    "thpt": "upper_secondary_schools",
    "gdtx": "gdtx_centres",
}
TYPE_ORDER = {"province": 0, "district": 1, "commune": 2, "school": 3}
HEADER = ["unit_code", "unit_name", "unit_type", "parent_code", "school_level", "active_from", "active_to",
          "successor_code"]


@dataclass
class Row:
    unit_code: str
    unit_name: str
    unit_type: str
    parent_code: str
    school_level: str
    active_from: date
    active_to: date | None
    successor_code: str = ""

    def overlaps(self, a: date, b: date) -> bool:
        return self.active_from <= b and (self.active_to is None or self.active_to >= a)

    def covers(self, a: date, b: date) -> bool:
        return self.active_from <= a and (self.active_to is None or self.active_to >= b)


@dataclass
class Unit:
    code: str
    unit_type: str
    name: str
    level: str = ""
    rows: list[Row] = field(default_factory=list)
    # geography (schools): old province, old district, old ward, new commune, new province
    old_province: str = ""
    district: str = ""
    ward: str = ""
    commune: str = ""
    new_province: str = ""
    active_from: date = REG_START
    active_to: date | None = None
    successor: str = ""

    def row_in(self, m: Month) -> Row | None:
        """The row that decides the unit's parent for month m (the last one overlapping it)."""
        a, b = first_day(m), last_day(m)
        found = None
        for r in self.rows:
            if r.overlaps(a, b):
                found = r
        return found

    def active_any(self, m: Month) -> bool:
        return self.row_in(m) is not None

    def active_whole(self, m: Month) -> bool:
        a, b = first_day(m), last_day(m)
        # rows are contiguous when split at the reorganisation: check the union covers the month
        days = set()
        for r in self.rows:
            if r.overlaps(a, b):
                lo = max(a, r.active_from)
                hi = min(b, r.active_to) if r.active_to else b
                days.add((lo, hi))
        if not days:
            return False
        cur = a
        for lo, hi in sorted(days):
            if lo > cur:
                return False
            cur = max(cur, hi + timedelta(days=1))
        return cur > b

    def parent_in(self, m: Month) -> str:
        r = self.row_in(m)
        return r.parent_code if r else ""


@dataclass
class Churn:
    """A school opening or closing inside the period."""

    action: str  # 'open' | 'close'
    district: str
    level: str
    on: date
    name: str = ""
    successor_level_same: bool = True


@dataclass
class Registry:
    tree: str
    units: dict[str, Unit]
    old_provinces: list[str]  # selected old provinces
    new_provinces: list[str]  # new provinces touched
    deadline_override: tuple[str, str, int] | None = None
    _children: dict = field(default_factory=dict, repr=False)

    def children_in(self, parent: str, m: Month) -> list[str]:
        idx = self._children.get(m)
        if idx is None:
            idx = {}
            for u in self.units.values():
                p = u.parent_in(m)
                if p:
                    idx.setdefault(p, []).append(u.code)
            self._children[m] = idx
        return idx.get(parent, [])

    def offices(self) -> list[Unit]:
        return [u for u in self.units.values() if u.unit_type != "school"]

    def schools(self) -> list[Unit]:
        return [u for u in self.units.values() if u.unit_type == "school"]

    def province_of(self, code: str, m: Month) -> str:
        """The province a unit sits in for month m (walking up the rows of that month)."""
        u = self.units[code]
        seen = 0
        while u.unit_type != "province" and seen < 5:
            u = self.units[u.parent_in(m)]
            seen += 1
        return u.code

    def deadline_day(self, unit_type: str, province: str) -> int:
        o = self.deadline_override
        if o and o[0] == province and o[1] == unit_type:
            return o[2]
        return {"school": 5, "district": 8, "commune": 8, "province": 10}[unit_type]

    # ---- output -----------------------------------------------------------------------
    def all_rows(self) -> list[Row]:
        units = sorted(self.units.values(), key=lambda u: (TYPE_ORDER[u.unit_type], u.code))
        out = []
        for u in units:
            out.extend(sorted(u.rows, key=lambda r: r.active_from))
        return out

    def org_units_csv(self) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADER)
        for r in self.all_rows():
            w.writerow([r.unit_code, r.unit_name, r.unit_type, r.parent_code, r.school_level,
                        r.active_from.isoformat(), r.active_to.isoformat() if r.active_to else "",
                        r.successor_code])
        return buf.getvalue().encode("utf-8")

    def deadlines_csv(self) -> bytes:
        lines = ["area_code,unit_type,day", "*,school,5", "*,district,8", "*,commune,8", "*,province,10"]
        if self.deadline_override:
            a, t, d = self.deadline_override
            lines.append(f"{a},{t},{d}")
        return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------
def largest_remainder(total: int, weights: list[float]) -> list[int]:
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    base = [int(x) for x in raw]
    rest = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    for p in prefixes:
        if name.startswith(p):
            core = name[len(p):]
            return name if core.isdigit() else core
    return name


WARD_PREFIXES = ("Phường ", "Xã ", "Thị trấn ", "Đặc khu ")
DISTRICT_PREFIXES = ("Thành phố ", "Huyện ", "Thị xã ", "Quận ")
KINDERGARTEN = ("Hoa Sen", "Hoa Mai", "Sơn Ca", "Họa Mi", "Hướng Dương", "Tuổi Thơ", "Bình Minh", "Hoa Hồng",
                "Sao Mai", "Vành Khuyên", "Búp Sen Hồng", "Hoa Phượng", "Ánh Dương", "Bông Sen", "Thỏ Ngọc")
PEOPLE = ("Nguyễn Du", "Trần Phú", "Lê Quý Đôn", "Nguyễn Trãi", "Chu Văn An", "Lê Lợi", "Trần Hưng Đạo",
          "Hùng Vương", "Quang Trung", "Nguyễn Bỉnh Khiêm", "Võ Thị Sáu", "Lý Thường Kiệt", "Ngô Quyền",
          "Nguyễn Huệ", "Phan Bội Châu", "Lương Thế Vinh", "Trần Quốc Tuấn", "Bạch Đằng", "Hoàng Văn Thụ",
          "Nguyễn Văn Cừ", "Lê Hồng Phong", "Nguyễn Thị Minh Khai", "Tô Hiệu", "Đoàn Thị Điểm")


def _school_name(level: str, ward_core: str, district_core: str, rng: random.Random) -> str:
    if level == "mam_non":
        core = rng.choice(KINDERGARTEN) if rng.random() < 0.45 else ward_core
        return f"Trường Mầm non {core}"
    if level == "tieu_hoc":
        return f"Trường Tiểu học {ward_core}"
    if level == "thcs":
        return f"Trường THCS {ward_core}" if rng.random() < 0.8 else f"Trường THCS {rng.choice(PEOPLE)}"
    if level == "lien_cap":
        if rng.random() < 0.8:
            return f"Trường Tiểu học và THCS {ward_core}"
        return f"Trường THCS và THPT {ward_core}"
    if level == "thpt":
        return f"Trường THPT {rng.choice(PEOPLE)}" if rng.random() < 0.5 else f"Trường THPT {ward_core}"
    return f"Trung tâm GDNN-GDTX {district_core}"


def resolve_scope(tree: str, provinces: list[str] | None) -> tuple[list[str], list[str]]:
    """(selected old provinces, touched new provinces) for a --provinces list (None = national)."""
    g = geo_mod.load()
    if provinces is None:
        olds = sorted(g.old_provinces)
    else:
        olds_set = set()
        for code in provinces:
            code = code.strip().zfill(2)
            is_old, is_new = code in g.old_provinces, code in g.new_provinces
            if not (is_old or is_new):
                raise ValueError(f"unknown province code {code!r}")
            if tree == "after" and is_new:
                olds_set.update(g.olds_of(code))  # a new province: everything that merged into it
            elif is_old:
                olds_set.add(code)
            else:
                olds_set.update(g.olds_of(code))
        olds = sorted(olds_set)
    news = sorted({g.old_to_new[o] for o in olds})
    return olds, news


def build(tree: str, provinces: list[str] | None, seed: int, scale: float = 1.0,
          churn: list[Churn] | None = None, churn_rate: float = 0.0,
          months: list[Month] | None = None,
          deadline_override: tuple[str, str, int] | None = None) -> Registry:
    if tree not in ("before", "after", "crossing"):
        raise ValueError(tree)
    g = geo_mod.load()
    olds, news = resolve_scope(tree, provinces)

    # ---- school counts: new province estimate -> old provinces (by districts) -> districts
    counts: dict[str, dict[str, int]] = {}  # district -> level -> n
    for n in news:
        est = g.estimates[n]
        members = g.olds_of(n)
        weights = [len(g.districts_by_province.get(o, [])) for o in members]
        for level in LEVELS:
            split = largest_remainder(int(est[EST_COLUMNS[level]]), weights)
            for o, c in zip(members, split):
                if o not in olds:
                    continue
                if scale != 1.0:
                    c = max(1, int(c * scale + 0.5)) if c > 0 else 0
                dists = g.districts_by_province.get(o, [])
                rng = random.Random(f"{seed}|alloc|{o}|{level}")
                if level == "gdtx":
                    w = [1.0 for _ in dists]
                else:
                    w = [max(1, len(g.wards_by_district.get(d, []))) * rng.uniform(0.75, 1.25) for d in dists]
                for d, k in zip(dists, largest_remainder(c, w)):
                    counts.setdefault(d, {})[level] = k

    units: dict[str, Unit] = {}

    # ---- schools
    schools: list[Unit] = []
    next_seq: dict[str, int] = {}
    for o in olds:
        for d in g.districts_by_province.get(o, []):
            dname = g.districts[d][0]
            dcore = _strip_prefix(dname, DISTRICT_PREFIXES)
            wards = g.wards_by_district.get(d, [])
            rng = random.Random(f"{seed}|schools|{d}")
            seen_names: set[str] = set()
            seq = 0
            for level in LEVELS:
                for _ in range(counts.get(d, {}).get(level, 0)):
                    seq += 1
                    if seq > 999:
                        raise ValueError(f"more than 999 schools in district {d}")
                    s = _new_school(g, o, d, dcore, wards, level, seq, rng, seen_names)
                    schools.append(s)
            next_seq[d] = seq

    # ---- churn: schools opening / closing inside the period
    churn = list(churn or [])
    if churn_rate > 0 and months and schools:
        crng = random.Random(f"{seed}|churn")
        span_a, span_b = first_day(months[0]), last_day(months[-1])
        ndays = (span_b - span_a).days
        k = max(1, int(len(schools) * churn_rate + 0.5))
        for i in range(k):
            s = crng.choice(schools)
            when = span_a + timedelta(days=crng.randrange(5, max(6, ndays - 5)))
            churn.append(Churn("close" if i % 2 else "open", s.district, s.level if i % 2 else "mam_non", when))
    for c in churn:
        if c.action == "open":
            o = g.districts[c.district][1]
            if o not in olds:
                continue
            dname = g.districts[c.district][0]
            rng = random.Random(f"{seed}|open|{c.district}|{c.on.isoformat()}")
            seq = next_seq.get(c.district, 0) + 1
            next_seq[c.district] = seq
            names = {s.name for s in schools if s.district == c.district}
            s = _new_school(g, o, c.district, _strip_prefix(dname, DISTRICT_PREFIXES),
                            g.wards_by_district.get(c.district, []), c.level, seq, rng, names)
            if c.name:
                s.name = c.name
            s.active_from = c.on
            schools.append(s)
        else:
            cands = [s for s in schools if s.district == c.district and s.level == c.level
                     and s.active_to is None and s.active_from == REG_START]
            if len(cands) < 2:
                continue
            victim, heir = cands[-1], cands[0]
            victim.active_to = c.on
            victim.successor = heir.code

    # ---- offices
    def add(u: Unit):
        units[u.code] = u

    if tree == "before":
        for o in olds:
            add(Unit(o, "province", g.old_provinces[o], rows=[Row(o, g.old_provinces[o], "province", "", "",
                                                                   REG_START, None)]))
        for o in olds:
            for d in g.districts_by_province.get(o, []):
                add(Unit(d, "district", g.districts[d][0], rows=[Row(d, g.districts[d][0], "district", o, "",
                                                                      REG_START, None)]))
    else:
        communes = _communes_for(g, olds, news)
        if tree == "after":
            for n in news:
                add(Unit(n, "province", g.new_provinces[n], rows=[Row(n, g.new_provinces[n], "province", "", "",
                                                                       SWITCH, None)]))
        else:
            prov_codes = sorted(set(olds) | set(news))
            for p in prov_codes:
                rows = []
                if p in g.old_provinces:
                    succ = g.old_to_new[p]
                    oname = g.old_provinces[p]
                    if succ != p:
                        rows.append(Row(p, oname, "province", "", "", REG_START, LAST_OLD, succ))
                    elif g.new_provinces.get(p) == oname:
                        rows.append(Row(p, oname, "province", "", "", REG_START, None))
                    else:
                        rows.append(Row(p, oname, "province", "", "", REG_START, LAST_OLD))
                        rows.append(Row(p, g.new_provinces[p], "province", "", "", SWITCH, None))
                else:
                    rows.append(Row(p, g.new_provinces[p], "province", "", "", SWITCH, None))
                add(Unit(p, "province", rows[-1].unit_name, rows=rows))
            for o in olds:
                for d in g.districts_by_province.get(o, []):
                    add(Unit(d, "district", g.districts[d][0],
                             rows=[Row(d, g.districts[d][0], "district", o, "", REG_START, LAST_OLD)]))
        for c in communes:
            name, n = g.communes[c]
            add(Unit(c, "commune", name, rows=[Row(c, name, "commune", n, "", SWITCH, None)]))

    # ---- school rows
    for s in schools:
        direct = s.level in DIRECT_LEVELS
        before_parent = s.old_province if direct else s.district
        after_parent = s.new_province if direct else s.commune
        af, at = s.active_from, s.active_to
        if tree == "before":
            segs = [[before_parent, af, at]]
        elif tree == "after":
            segs = [[after_parent, max(af, SWITCH), at]] if (at is None or at >= SWITCH) else []
        else:
            segs = []
            if af <= LAST_OLD:
                segs.append([before_parent, af, min(at, LAST_OLD) if at else LAST_OLD])
            if at is None or at >= SWITCH:
                segs.append([after_parent, max(af, SWITCH), at])
        if not segs:
            continue
        # merge consecutive segments with the same parent
        merged = [segs[0]]
        for p, a, b in segs[1:]:
            if merged[-1][0] == p:
                merged[-1][2] = b
            else:
                merged.append([p, a, b])
        s.rows = [Row(s.code, s.name, "school", p, s.level, a, b) for p, a, b in merged]
        if s.successor:
            s.rows[-1].successor_code = s.successor
        units[s.code] = s

    # a successor school must exist in this registry
    for s in schools:
        if s.successor and s.successor not in units:
            s.rows[-1].successor_code = ""

    if deadline_override is None and olds:
        pick = "22" if "22" in olds or "22" in news else (olds[0] if tree != "after" else news[0])
        deadline_override = (pick, "school", 7)
    return Registry(tree, units, olds, news, deadline_override)


def _new_school(g, o, d, dcore, wards, level, seq, rng, seen_names) -> Unit:
    ward = rng.choice(wards) if wards else ""
    wcore = _strip_prefix(g.wards[ward][0], WARD_PREFIXES) if ward else dcore
    name = _school_name(level, wcore, dcore, rng)
    base, k = name, 2
    while name in seen_names:
        name = f"{base} số {k}"
        k += 1
    seen_names.add(name)
    targets = g.ward_map.get(ward, [])
    commune = targets[0] if len(targets) == 1 else (rng.choice(targets) if targets else "")
    newp = g.old_to_new[o]
    if commune and g.communes[commune][1] != newp:  # keep the school inside its new province
        same = [c for c in targets if g.communes[c][1] == newp]
        commune = same[0] if same else g.communes_by_province[newp][0]
    if not commune:
        commune = g.communes_by_province[newp][0]
    return Unit(code=f"{o}{d}{seq:03d}", unit_type="school", name=name, level=level, old_province=o, district=d,
                ward=ward, commune=commune, new_province=newp)


def _communes_for(g, olds: list[str], news: list[str]) -> list[str]:
    out: set[str] = set()
    sel = set(olds)
    for n in news:
        members = g.olds_of(n)
        if all(o in sel for o in members):
            out.update(g.communes_by_province.get(n, []))
        else:
            for o in members:
                if o not in sel:
                    continue
                for d in g.districts_by_province.get(o, []):
                    for w in g.wards_by_district.get(d, []):
                        for c in g.ward_map.get(w, []):
                            if g.communes[c][1] == n:
                                out.add(c)
    return sorted(out)
