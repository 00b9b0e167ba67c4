"""The registry is well formed: intervals, parents, codes, the July 2025 reorganisation."""

import csv
import io
import re
from datetime import date

import pytest
from de06_synth import registry, sample
from de06_synth.kpis import KPIS, PILOTS

D = date.fromisoformat


def _rows(reg):
    return list(csv.DictReader(io.StringIO(reg.org_units_csv().decode("utf-8"))))


def _check(rows):
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["unit_code"], []).append(r)
    for code, rs in by_code.items():
        rs = sorted(rs, key=lambda r: r["active_from"])
        for a, b in zip(rs, rs[1:]):  # no overlap: codes are unique per interval
            assert a["active_to"] and D(a["active_to"]) < D(b["active_from"]), code
        for r in rs:
            assert not r["active_to"] or D(r["active_to"]) >= D(r["active_from"]), code
        for r in rs[:-1]:
            assert not r["successor_code"], code  # only on the last row
    for r in rows:
        t, code, parent = r["unit_type"], r["unit_code"], r["parent_code"]
        pattern = {"province": r"\d{2}", "district": r"\d{3}", "commune": r"\d{5}", "school": r"\d{8}"}[t]
        assert re.fullmatch(pattern, code), code
        assert (r["school_level"] != "") == (t == "school")
        if t == "province":
            assert parent == ""
            continue
        assert parent in by_code, (code, parent)
        # the parent is active on every day of the child's row
        a = D(r["active_from"])
        b = D(r["active_to"]) if r["active_to"] else date(2100, 1, 1)
        cover = sorted((D(p["active_from"]), D(p["active_to"]) if p["active_to"] else date(2100, 1, 1))
                       for p in by_code[parent])
        cur = a
        for lo, hi in cover:
            if lo <= cur <= hi:
                cur = hi if hi >= b else date.fromordinal(hi.toordinal() + 1)
            if cur >= b:
                break
        assert cur >= b, (code, parent, a, b)
        ptype = by_code[parent][0]["unit_type"]
        if t in ("district", "commune"):
            assert ptype == "province"
        elif r["school_level"] in ("thpt", "gdtx"):
            assert ptype == "province", code
        else:
            assert ptype in ("district", "commune"), code
        if r["successor_code"]:
            assert r["successor_code"] in by_code
    return by_code


@pytest.mark.parametrize("tree", ["before", "after", "crossing"])
def test_sample_scope_registry(tree):
    reg = registry.build(tree, ["22", "74"], sample.SEED, scale=sample.SCALE,
                         churn=[sample.OPENING, sample.CLOSING])
    by_code = _check(_rows(reg))
    schools = [c for c, rs in by_code.items() if rs[0]["unit_type"] == "school"]
    assert 120 <= len(schools) <= 180
    assert {rs[0]["school_level"] for c, rs in by_code.items() if c in schools} == {
        "mam_non", "tieu_hoc", "thcs", "thpt", "lien_cap", "gdtx"}
    for c in schools:  # province(2) + district(3) + sequence(3): stable across the trees
        assert c[:2] in ("22", "74") and reg.units[c].district == c[2:5]
    if tree == "crossing":
        assert [r["successor_code"] for r in by_code["74"]] == ["79"]
        assert by_code["74"][0]["active_to"] == "2025-06-30"
        school = by_code["74718001"]
        assert [(r["parent_code"][:3], r["active_from"], r["active_to"]) for r in school][0] == (
            "718", "2020-01-01", "2025-06-30")
        assert school[1]["active_from"] == "2025-07-01" and len(school[1]["parent_code"]) == 5
        assert all(rs[0]["active_to"] == "2025-06-30" for rs in by_code.values() if rs[0]["unit_type"] == "district")
        assert sum(1 for rs in by_code.values() if rs[0]["unit_type"] == "commune" and rs[0]["parent_code"] == "22") == 54
    if tree == "before":
        assert {c for c, rs in by_code.items() if rs[0]["unit_type"] == "district"} >= {"718", "193", "207"}


def test_national_crossing_registry():
    reg = registry.build("crossing", None, 6, churn_rate=0.002,
                         months=[(2025, m) for m in range(1, 13)])
    rows = _rows(reg)
    by_code = _check(rows)
    kinds = {}
    for c, rs in by_code.items():
        kinds.setdefault(rs[0]["unit_type"], set()).add(c)
    assert len(kinds["district"]) == 696 and len(kinds["commune"]) == 3321
    assert len(kinds["province"]) == 63
    open_provinces = {c for c in kinds["province"] if not by_code[c][-1]["active_to"]}
    assert len(open_provinces) == 34
    assert 38000 <= len(kinds["school"]) <= 45000


def test_targets_file():
    from de06_synth.kpis import target_rows
    rows = target_rows()
    star25 = {k: t for k, a, y, t in rows if a == "*" and y == "2025"}
    assert star25["TTHC_HS_TRUC_TUYEN"] == "0.80" and star25["TTHC_HAI_LONG"] == "0.90"
    assert star25["TTHC_MAU_DON_CHUAN_HOA"] == "0.70" and star25["CSGD_CHU_KY_SO"] == "1.00"
    assert not any(k in PILOTS for k, *_ in rows)
    assert len(star25) == len(KPIS) - 2
    assert {k: t for k, a, y, t in rows if a == "*" and y == "2024"}["TTHC_MAU_DON_CHUAN_HOA"] == "0.50"
    assert {k: t for k, a, y, t in rows if a == "*" and y == "2026"} == star25
    assert sorted((k, t) for k, a, y, t in rows if a == "718") == [
        ("TTHC_DVC_TOAN_TRINH", "0.80"), ("TTHC_HAI_LONG", "1.00"), ("TTHC_HS_TRUC_TUYEN", "0.60")]
    assert all(y == "2025" for k, a, y, t in rows if a == "718")
