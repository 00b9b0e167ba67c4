"""Loads the reference facts under sources/geo (see geo/README.md)."""

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path


def geo_dir() -> Path:
    env = os.environ.get("DE06_GEO_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "geo"  # sources/geo next to the package
    if here.is_dir():
        return here
    return Path.cwd() / "sources" / "geo"  # an installed copy of the package, run from the repo root


def _read(name: str) -> list[dict[str, str]]:
    with open(geo_dir() / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class Geo:
    old_provinces: dict[str, str] = field(default_factory=dict)  # code -> name
    new_provinces: dict[str, str] = field(default_factory=dict)
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, old province)
    districts_by_province: dict[str, list[str]] = field(default_factory=dict)
    wards: dict[str, tuple[str, str]] = field(default_factory=dict)  # old ward -> (name, district)
    wards_by_district: dict[str, list[str]] = field(default_factory=dict)  # only wards with a mapping
    communes: dict[str, tuple[str, str]] = field(default_factory=dict)  # new commune -> (name, new province)
    communes_by_province: dict[str, list[str]] = field(default_factory=dict)
    old_to_new: dict[str, str] = field(default_factory=dict)  # old province -> new province
    ward_map: dict[str, list[str]] = field(default_factory=dict)  # old ward -> new communes (file order)
    estimates: dict[str, dict[str, str]] = field(default_factory=dict)  # new province -> row

    def olds_of(self, new_code: str) -> list[str]:
        return sorted(o for o, n in self.old_to_new.items() if n == new_code)


_CACHE: Geo | None = None


def load() -> Geo:
    global _CACHE
    if _CACHE is not None:
        return _CACHE
    g = Geo()
    for r in _read("provinces_before_2025_07.csv"):
        g.old_provinces[r["province_code"]] = r["name"]
    for r in _read("provinces_from_2025_07.csv"):
        g.new_provinces[r["province_code"]] = r["name"]
    for r in _read("districts_before_2025_07.csv"):
        g.districts[r["district_code"]] = (r["name"], r["province_code"])
        g.districts_by_province.setdefault(r["province_code"], []).append(r["district_code"])
    for r in _read("communes_from_2025_07.csv"):
        g.communes[r["ward_code"]] = (r["name"], r["province_code"])
        g.communes_by_province.setdefault(r["province_code"], []).append(r["ward_code"])
    for r in _read("province_old_to_new.csv"):
        g.old_to_new[r["old_province_code"]] = r["new_province_code"]
    for r in _read("ward_old_to_new.csv"):
        g.ward_map.setdefault(r["old_ward_code"], []).append(r["new_ward_code"])
    for r in _read("wards_before_2025_07.csv"):
        g.wards[r["ward_code"]] = (r["name"], r["district_code"])
        if r["ward_code"] in g.ward_map:
            g.wards_by_district.setdefault(r["district_code"], []).append(r["ward_code"])
    for r in _read("estimates_province_2025.csv"):
        g.estimates[r["province_code"]] = r
    for v in g.districts_by_province.values():
        v.sort()
    for v in g.communes_by_province.values():
        v.sort()
    for v in g.wards_by_district.values():
        v.sort()
    _CACHE = g
    return g
