import pickle
from datetime import date

import pytest

from dagster_project.ingest.registry import Registry, RegistryError
from support.workbooks import REGISTRY_COLUMNS, REGISTRY_ROWS, registry, registry_csv

MARCH, JUNE, JULY = date(2025, 3, 1), date(2025, 6, 1), date(2025, 7, 1)


def test_from_csv_keeps_codes_as_text(tmp_path):
    path = tmp_path / "org_units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + registry_csv())
    reg = Registry.from_csv(path)
    assert reg.exists("06688")
    assert not reg.exists("6688")
    assert reg.exists("22") and not reg.exists("022")
    assert reg.parent_in_month("06688", MARCH) == "193"
    assert len(reg) == 11


def test_successor_and_school_level_columns_are_optional(tmp_path):
    columns = REGISTRY_COLUMNS[:4] + REGISTRY_COLUMNS[5:7]
    rows = [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in REGISTRY_ROWS]
    path = tmp_path / "org_units.csv"
    path.write_bytes(registry_csv(rows, columns))
    reg = Registry.from_csv(path)
    assert reg.row_for_month("74", MARCH).successor_code is None
    assert reg.is_inside("74001", "74", MARCH)


def test_missing_required_column_is_an_error(tmp_path):
    path = tmp_path / "org_units.csv"
    path.write_text("unit_code,unit_name\n22,Quảng Ninh\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="parent_code"):
        Registry.from_csv(path)


def test_bad_date_is_an_error():
    with pytest.raises(RegistryError, match="ISO date"):
        Registry.from_rows([{"unit_code": "22", "unit_name": "x", "unit_type": "province",
                             "parent_code": "", "active_from": "01/01/2020", "active_to": ""}])


def test_active_in_month_active_to_inclusive():
    reg = registry()
    assert reg.active_in_month("99999", date(2024, 12, 1))  # closes 2024-12-31
    assert not reg.active_in_month("99999", date(2025, 1, 1))
    assert reg.active_in_month("193", JUNE)  # closes 2025-06-30, inclusive
    assert not reg.active_in_month("193", JULY)
    assert not reg.active_in_month("unknown", MARCH)
    assert reg.active_in_month("06690", MARCH)  # opens 2025-03-15: active on some days
    assert not reg.active_in_month("06690", date(2025, 2, 1))


def test_expected_in_month_needs_every_day():
    reg = registry()
    assert not reg.expected_in_month("06690", MARCH)  # opened on the 15th
    assert reg.expected_in_month("06690", date(2025, 4, 1))
    assert reg.expected_in_month("193", JUNE)
    assert reg.expected_in_month("06688", JUNE) and reg.expected_in_month("06688", JULY)
    assert not reg.expected_in_month("99999", MARCH)


def test_mid_month_handover_between_rows_is_still_expected():
    reg = Registry.from_rows([
        {"unit_code": "A", "unit_name": "old name", "unit_type": "school", "parent_code": "P1",
         "active_from": "2020-01-01", "active_to": "2025-03-15"},
        {"unit_code": "A", "unit_name": "new name", "unit_type": "school", "parent_code": "P2",
         "active_from": "2025-03-16", "active_to": ""},
        {"unit_code": "B", "unit_name": "gap", "unit_type": "school", "parent_code": "P1",
         "active_from": "2020-01-01", "active_to": "2025-03-10"},
        {"unit_code": "B", "unit_name": "gap", "unit_type": "school", "parent_code": "P1",
         "active_from": "2025-03-20", "active_to": ""},
    ])
    assert reg.expected_in_month("A", MARCH)
    assert not reg.expected_in_month("B", MARCH)  # 11-19 March uncovered
    assert reg.active_in_month("B", MARCH)
    # The row covering the month is the one with the latest active_from.
    assert reg.row_for_month("A", MARCH).parent_code == "P2"
    assert reg.name_in_month("A", MARCH) == "new name"
    assert reg.name_in_month("A", date(2025, 2, 1)) == "old name"


def test_parent_follows_the_tree_of_the_month():
    reg = registry()
    assert reg.parent_in_month("06688", JUNE) == "193"
    assert reg.parent_in_month("06688", JULY) == "06700"
    assert reg.parent_in_month("22", MARCH) is None
    assert reg.parent_in_month("nope", MARCH) is None


def test_is_inside_is_strict_and_as_of_the_month():
    reg = registry()
    assert reg.is_inside("06688", "193", JUNE)
    assert reg.is_inside("06688", "22", JUNE)  # grandparent
    assert not reg.is_inside("06688", "193", JULY)  # moved to the commune in July
    assert reg.is_inside("06688", "06700", JULY)
    assert reg.is_inside("06688", "22", JULY)
    assert not reg.is_inside("193", "193", JUNE)  # strict: not inside itself
    assert not reg.is_inside("22", "06688", JUNE)  # not upwards
    assert not reg.is_inside("74001", "22", JUNE)  # another province
    assert not reg.is_inside("nope", "22", JUNE)


def test_cycles_do_not_hang():
    reg = Registry.from_rows([
        {"unit_code": "A", "unit_name": "a", "unit_type": "district", "parent_code": "B",
         "active_from": "2020-01-01", "active_to": ""},
        {"unit_code": "B", "unit_name": "b", "unit_type": "district", "parent_code": "A",
         "active_from": "2020-01-01", "active_to": ""},
    ])
    assert reg.is_inside("A", "B", MARCH)
    assert not reg.is_inside("A", "C", MARCH)


def test_names_and_types():
    reg = registry()
    assert reg.name_in_month("06688", MARCH) == "Trường THCS Hạ Long"
    assert reg.type_in_month("193", MARCH) == "district"
    assert reg.name_in_month("193", JULY) is None


def test_fingerprint_is_stable_and_tracks_content(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(registry_csv())
    second.write_bytes(registry_csv())
    assert Registry.from_csv(first).fingerprint == Registry.from_csv(second).fingerprint
    changed = [list(r) for r in REGISTRY_ROWS]
    changed[0][1] = "Sở Giáo dục và Đào tạo Quảng Ninh"
    second.write_bytes(registry_csv([tuple(r) for r in changed]))
    assert Registry.from_csv(first).fingerprint != Registry.from_csv(second).fingerprint
    assert registry().fingerprint == registry().fingerprint
    assert len(registry().fingerprint) == 64


def test_picklable():
    reg = registry()
    copy = pickle.loads(pickle.dumps(reg))
    assert copy.fingerprint == reg.fingerprint
    assert copy.is_inside("06688", "22", MARCH)
    assert copy.rows("06688") == reg.rows("06688")


def test_national_sized_registry_across_the_reorganisation(tmp_path):
    """42,000 schools moving from their districts to the province in July: every school
    sits under its district in June and under the province in July. (Speed is measured
    by `make bench`, never by a timed test.)"""
    lines = ["unit_code,unit_name,unit_type,parent_code,school_level,active_from,active_to"]
    lines.append("01,Tỉnh,province,,,2000-01-01,")
    for d in range(700):
        lines.append(f"{d:03d}D,Huyện {d},district,01,,2000-01-01,2025-06-30")
        for s in range(60):
            lines.append(f"{d:03d}{s:05d},Trường {s},school,{d:03d}D,thcs,2000-01-01,2025-06-30")
            lines.append(f"{d:03d}{s:05d},Trường {s},school,01,thcs,2025-07-01,")
    path = tmp_path / "org_units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = Registry.from_csv(path)
    assert len(reg) == 1 + 700 + 42000
    for d in range(0, 700, 7):
        for s in range(60):
            assert reg.is_inside(f"{d:03d}{s:05d}", "01", JUNE)
            assert reg.parent_in_month(f"{d:03d}{s:05d}", JUNE) == f"{d:03d}D"
    assert reg.parent_in_month("00000007", JULY) == "01"
    assert not reg.active_in_month("007D", JULY)
