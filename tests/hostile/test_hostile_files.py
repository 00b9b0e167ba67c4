"""Hostile files, one test per kind (issue 7, item 1): each is built here, in memory, and
goes through the real entry points (`process_file`; `discover` + `parse_found` where the
file system matters). Each ends rejected or with quarantined rows, with a reason code,
and never crashes the parse.

The dangerous ones (zip bomb, entity bomb, a million rows, 200 sheets, a grid of implied
cells) also run in a child process limited to 1.5 GiB of address space, with a timeout
that only guards against a hang: without its protection such a file kills or stalls
that child, and the test fails.
"""

import codecs
import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from dagster_project.ingest.landing import discover, parse_found
from dagster_project.ingest.model import Limits
from dagster_project.ingest.process import process_file
from dagster_project.ingest.registry import Registry
from support import hostile as h
from support import story
from support import workbooks as wb

S3 = story.S3  # Trường Mầm non Hoa Mai, under Hạ Long 193
REGISTRY = Registry.from_rows([dict(zip(wb.REGISTRY_COLUMNS, row)) for row in story.REGISTRY])
GOOD = {"TTHC_HS_TRUC_TUYEN": (812, 1000), "CSGD_CHU_KY_SO": (40, 42), "DV_KDTM": (1, 1)}
MEMORY_LIMIT = 3 << 29  # 1.5 GiB of address space for the child
HANG_GUARD_S = 120  # not a timing assertion: a child still running after this is a hang


def parse(data: bytes, name: str = "bao_cao.xlsx"):
    return process_file(data, name, REGISTRY, Limits(), len(data), hashlib.sha256(data).hexdigest())


def figures(result) -> dict:
    return {f.kpi_code: (f.numerator, f.denominator) for f in result.figures}


def quarantined(result) -> list[tuple]:
    return [(q.row_number, q.kpi_code, q.reason_code) for q in result.quarantined]


def good_workbook(**kw) -> bytes:
    return wb.school_xlsx(unit_code=S3, **kw)


# --- in a bounded child process -------------------------------------------------------------

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from dagster_project.ingest.landing import discover, parse_found
from dagster_project.ingest.registry import Registry
from dagster_project.settings import get_settings
registry = Registry.from_rows(json.loads({registry!r}))
(found,) = discover(__import__("pathlib").Path({inbox!r}))
r = parse_found(found, registry, get_settings().limits)
print(json.dumps({{"accepted": r.accepted, "reason_code": r.reason_code, "detail": r.reason_detail,
                   "figures": {{f.kpi_code: [f.numerator, f.denominator] for f in r.figures}}}}))
"""


def parse_bounded(tmp_path: Path, data: bytes, name: str = "bao_cao.xlsx") -> dict:
    """Land one file from an inbox in a child process with 1.5 GiB of address space."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(data)
    rows = json.dumps([dict(zip(wb.REGISTRY_COLUMNS, row)) for row in story.REGISTRY])
    code = CHILD.format(limit=MEMORY_LIMIT, registry=rows, inbox=str(inbox))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DE06_MAX_")}
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=HANG_GUARD_S, env=env)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"parsing {name} hung for {HANG_GUARD_S} s")
    assert done.returncode == 0, f"the parse died (rc {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_zip_bomb_of_two_gib_is_refused_in_bounded_memory(tmp_path):
    data = h.zip_bomb_xlsx(gib=2.0)
    assert len(data) < 3 << 20  # about 2 MB on disk
    out = parse_bounded(tmp_path, data)
    assert out["reason_code"] == "unreadable_file" and not out["accepted"]
    assert "dung lượng giải nén 2147487" in out["detail"] and "không giải nén" in out["detail"]


def test_entity_bomb_is_refused_in_bounded_memory(tmp_path):
    out = parse_bounded(tmp_path, h.entity_bomb_xlsx())
    assert out["reason_code"] == "unreadable_file"
    assert "DOCTYPE/ENTITY" in out["detail"]


def test_million_row_workbook_is_refused_in_bounded_memory(tmp_path):
    out = parse_bounded(tmp_path, h.million_rows_xlsx())
    assert out["reason_code"] == "unreadable_file"
    assert out["detail"].startswith("Một sheet có hơn 200000 dòng")


def test_implied_cell_grid_is_refused_in_bounded_memory(tmp_path):
    # No `r` on any cell: 20000 rows x 16384 columns to a reader, under 200 KB on disk.
    data = h.implied_grid_xlsx()
    assert len(data) < 200_000
    out = parse_bounded(tmp_path, data)
    assert out["reason_code"] == "unreadable_file"
    assert "vùng dữ liệu quá lớn" in out["detail"] and "16384 cột" in out["detail"]


@pytest.mark.parametrize("quote, spaces", [(b"'", b""), (b'"', b" "), (b"'", b" ")])
def test_far_reference_in_single_quotes_or_spaced_is_refused_in_bounded_memory(tmp_path, quote, spaces):
    # Found in review: `r='XFD1048576'` passed the quick reference scan and the reader
    # then tried to allocate the whole grid (the process aborted).
    data = h.quoted_reference_xlsx(quote, spaces)
    assert len(data) < 10_000
    out = parse_bounded(tmp_path, data)
    assert out["reason_code"] == "unreadable_file"
    assert out["detail"].startswith("Một sheet có hơn 200000 dòng (có dữ liệu ở dòng 1048576")


def test_workbook_of_200_sheets_is_read_in_bounded_memory(tmp_path):
    # Only BaoCao is read; the 199 decoy tables (TTHC_HS_TRUC_TUYEN 1/1) are not.
    out = parse_bounded(tmp_path, h.many_sheets_xlsx(200, unit_code=S3))
    assert out["accepted"] and out["reason_code"] is None
    assert out["figures"] == {k: list(v) for k, v in GOOD.items()}


def test_limits_are_configuration(tmp_path, monkeypatch):
    # The same 200-sheet workbook, with DE06_MAX_UNZIPPED_BYTES below its size.
    data = h.many_sheets_xlsx(200, unit_code=S3)
    monkeypatch.setenv("DE06_MAX_UNZIPPED_BYTES", "50000")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "many.xlsx").write_bytes(data)
    from dagster_project.settings import get_settings

    (found,) = discover(inbox)
    result = parse_found(found, REGISTRY, get_settings().limits)
    assert result.reason_code == "unreadable_file" and "vượt giới hạn 50000" in result.reason_detail


# --- in this process ---------------------------------------------------------------------------


def test_corrupt_zip_is_unreadable():
    data = b"PK\x03\x04" + bytes(range(256)) * 40
    result = parse(data)
    assert (result.accepted, result.reason_code) == (False, "unreadable_file")
    assert "bị hỏng" in result.reason_detail


def test_corrupt_deflate_data_inside_a_valid_zip_is_unreadable():
    parts = h.workbook_parts([h.Sheet("BaoCao", h.report_sheet(unit_code=S3))])
    members = [h.deflated(n, b) for n, b in parts.items()]
    sheet = members[-1]
    sheet.data = sheet.data[:20] + bytes(b ^ 0x5A for b in sheet.data[20:60]) + sheet.data[60:]
    result = parse(h.zip_of(members))
    assert result.reason_code == "unreadable_file"
    assert "xl/worksheets/sheet1.xml" in result.reason_detail


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9])
def test_truncated_workbook_is_unreadable(keep):
    data = good_workbook()
    result = parse(data[: int(len(data) * keep)])
    assert (result.accepted, result.reason_code) == (False, "unreadable_file")
    assert result.figures == [] and result.rows_total == 0


def test_zip_bomb_that_lies_about_its_size_is_unreadable():
    # The headers say 1000 bytes; the data inflates to 256 MiB. Inflating stops at 1000.
    result = parse(h.zip_bomb_xlsx(gib=0.25, declared=1000))
    assert result.reason_code == "unreadable_file"
    assert result.reason_detail == "Tệp .xlsx bị hỏng (xl/sharedStrings.xml: ValueError)."


def test_external_entity_is_refused_and_the_file_it_names_is_never_read(tmp_path):
    secret = tmp_path / "bi_mat.txt"
    secret.write_text("MAT_KHAU_BI_MAT_42")
    result = parse(h.external_entity_xlsx(str(secret)))
    assert result.reason_code == "unreadable_file" and "DOCTYPE/ENTITY" in result.reason_detail
    assert "MAT_KHAU" not in repr(result)


def test_merged_cells_across_the_table():
    # Title merged over the table's width, labels merged over two columns, and the
    # numerator of row 9 merged down over row 10: row 10's numerator cell is empty in the
    # file, so that row is missing_value (a figure is never guessed from a neighbour).
    grid = wb.report_grid(unit_code=S3)
    grid[9][3] = None
    merges = ["A1:G1", "A2:B2", "A3:B3", "D9:D10"]
    result = parse(h.raw_xlsx([h.Sheet("BaoCao", h.sheet_xml(grid, merges))]))
    assert result.accepted
    assert figures(result) == {"TTHC_HS_TRUC_TUYEN": (812, 1000), "DV_KDTM": (1, 1)}
    assert quarantined(result) == [(10, "CSGD_CHU_KY_SO", "missing_value")]


def test_hidden_sheets():
    # BaoCao itself hidden (still the unit's report), a visible decoy sheet with other
    # figures and a very hidden sheet: only BaoCao is read.
    decoy = h.sheet_xml(wb.report_grid(unit_code=S3, rows=[("TTHC_HS_TRUC_TUYEN", 1, 2)]))
    sheets = [h.Sheet("Nháp", decoy), h.Sheet("BaoCao", h.report_sheet(unit_code=S3), "hidden"),
              h.Sheet("An", decoy, "veryHidden")]  # fmt: skip
    result = parse(h.raw_xlsx(sheets))
    assert result.accepted and figures(result) == GOOD and result.quarantined == []


def test_formulas_use_their_cached_values():
    grid = wb.report_grid(unit_code=S3, rows=[
        ("TTHC_HS_TRUC_TUYEN", 0, 1000), ("CSGD_CHU_KY_SO", 0, 0), ("TTHC_HAI_LONG", 0, 10),
        ("TTHC_SO_HOA_HO_SO", 0, 10)])  # fmt: skip
    grid[8][3] = h.Raw("<f>SUM(800,12)</f><v>812</v>")  # cached number
    grid[9][3] = h.Raw("<f>20*2</f><v>40</v>")
    grid[9][4] = h.Raw('<f>"4"&amp;"2"</f><v>42</v>', "str")  # cached text result
    grid[10][3] = h.Raw("<f>A1+1</f>")  # no cached value
    grid[11][3] = h.Raw("<f>1/0</f><v>#DIV/0!</v>", "e")  # cached error
    result = parse(h.raw_xlsx([h.Sheet("BaoCao", h.sheet_xml(grid))]))
    assert result.accepted
    assert figures(result) == {"TTHC_HS_TRUC_TUYEN": (812, 1000), "CSGD_CHU_KY_SO": (40, 42)}
    assert quarantined(result) == [(11, "TTHC_HAI_LONG", "missing_value"),
                                   (12, "TTHC_SO_HOA_HO_SO", "missing_value")]


def csv_records(note="Trường Mầm non Hoa Mai"):
    return [wb.csv_record("TTHC_HS_TRUC_TUYEN", 30, 40, sender=S3, report_date="05/04/2025", note=note),
            wb.csv_record("CSGD_CHU_KY_SO", 4, 8, sender=S3, report_date="05/04/2025")]  # fmt: skip


def test_csv_in_utf16_is_read_with_a_warning():
    data = wb.csv_bytes(csv_records(), encoding="utf-16")
    assert data.startswith(codecs.BOM_UTF16_LE)
    result = parse(data, "so_lieu.csv")
    assert result.accepted
    assert figures(result) == {"TTHC_HS_TRUC_TUYEN": (30, 40), "CSGD_CHU_KY_SO": (4, 8)}
    assert result.figures[0].note == "Trường Mầm non Hoa Mai"
    assert [w.warning_code for w in result.warnings] == ["encoding_not_utf8"]


def test_csv_in_utf16_without_bom_is_unreadable():
    data = "\n".join(",".join(map(str, r.values())) for r in csv_records()).encode("utf-16-le")
    result = parse(b"ma_don_vi_bao_cao".decode().encode("utf-16-le") + data, "so_lieu.csv")
    assert result.reason_code == "unreadable_file"


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters (ư, ơ, â ...) with the
    tone as a separate combining mark."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
        out.append((base + "".join(m for m in decomposed if m in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


def test_csv_in_windows_1258_is_unreadable_with_a_fix():
    data = cp1258(wb.csv_bytes(csv_records()).decode("utf-8"))
    assert unicodedata.normalize("NFC", data.decode("cp1258")).count("Trường Mầm non") == 1
    result = parse(data, "so_lieu.csv")
    assert (result.accepted, result.reason_code) == (False, "unreadable_file")
    assert "không mã hóa UTF-8" in result.reason_detail and "xuất lại tệp" in result.reason_detail


@pytest.mark.parametrize(
    "payload",
    [b"[]", b"null", b"42", b'"BaoCao"', b'{"ma_don_vi": "22193003", "chi_tieu": {"TTHC_HS_TRUC_TUYEN": 1}}',
     b'{"ma_don_vi": "22193003", "chi_tieu": ["TTHC_HS_TRUC_TUYEN", 1, 2]}',
     b'{"ma_don_vi": "22193003", "tong_hop": 7}', b'{"a": ' * 50000 + b"1" + b"}" * 50000],
)
def test_json_of_the_wrong_shape_is_unreadable(payload):
    result = parse(payload, "bao_cao.json")
    assert (result.accepted, result.reason_code) == (False, "unreadable_file")


def test_json_values_of_the_wrong_type_are_quarantined():
    doc = wb.json_doc(unit=S3, report_date="05/04/2025", chi_tieu=[
        {"ma_chi_tieu": "TTHC_HS_TRUC_TUYEN", "tu_so": {"gia_tri": 1}, "mau_so": 10},
        {"ma_chi_tieu": "CSGD_CHU_KY_SO", "tu_so": [1, 2], "mau_so": 10},
        {"ma_chi_tieu": "TTHC_HAI_LONG", "tu_so": 1e999, "mau_so": 10},
        {"ma_chi_tieu": "TTHC_SO_HOA_HO_SO", "tu_so": 7, "mau_so": 10}])  # fmt: skip
    result = parse(json.dumps(doc).encode(), "bao_cao.json")
    assert result.accepted and figures(result) == {"TTHC_SO_HOA_HO_SO": (7, 10)}
    assert quarantined(result) == [(1, "TTHC_HS_TRUC_TUYEN", "non_numeric"),
                                   (2, "CSGD_CHU_KY_SO", "non_numeric"),
                                   (3, "TTHC_HAI_LONG", "non_numeric")]


@pytest.mark.parametrize("name", ["rong.xlsx", "rong.csv", "rong.json"])
def test_empty_file_is_unreadable(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    (found,) = discover(tmp_path)
    result = parse_found(found, REGISTRY, Limits())
    assert (found.size, result.accepted, result.reason_code) == (0, False, "unreadable_file")


def test_file_names_with_dots_spaces_vietnamese_and_bad_bytes(tmp_path):
    nfd = unicodedata.normalize("NFD", "Báo cáo tháng 3 ..\\..\\Hoa Mai.xlsx")
    assert nfd != unicodedata.normalize("NFC", nfd)
    (tmp_path / "a..b").mkdir()
    (tmp_path / "a..b" / nfd).write_bytes(good_workbook())
    os.makedirs(os.fsencode(tmp_path) + b"/x", exist_ok=True)
    with open(os.fsencode(tmp_path) + b"/x/bao\xffcao.xlsx", "wb") as handle:
        handle.write(good_workbook(report_date="06/04/2025"))
    found = discover(tmp_path)
    assert [f.rel_path for f in found] == [
        "a..b/Báo cáo tháng 3 ..\\..\\Hoa Mai.xlsx",  # NFC
        "x/bao\ufffdcao.xlsx",
    ]
    assert unicodedata.is_normalized("NFC", found[0].rel_path)
    results = [parse_found(f, REGISTRY, Limits()) for f in found]
    assert [(r.accepted, figures(r)) for r in results] == [(True, GOOD), (True, GOOD)]
    assert results[0].file_path.encode("utf-8")  # storable text, no surrogates


def test_symlink_out_of_the_inbox_is_rejected_unread(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    target = outside / "that.xlsx"
    target.write_bytes(good_workbook(rows=[("TTHC_HS_TRUC_TUYEN", 777, 999)]))
    (inbox / "link.xlsx").symlink_to(target)
    (inbox / "loop_a.xlsx").symlink_to(inbox / "loop_b.xlsx")  # a symlink loop
    (inbox / "loop_b.xlsx").symlink_to(inbox / "loop_a.xlsx")
    (inbox / "inside.xlsx").symlink_to(inbox / "real.xlsx")  # inside: read
    (inbox / "real.xlsx").write_bytes(good_workbook())
    found = discover(inbox)
    results = {f.rel_path: parse_found(f, REGISTRY, Limits()) for f in found}
    assert {p: (r.accepted, r.reason_code) for p, r in results.items()} == {
        "inside.xlsx": (True, None), "real.xlsx": (True, None),
        "link.xlsx": (False, "unreadable_file"), "loop_a.xlsx": (False, "unreadable_file"),
        "loop_b.xlsx": (False, "unreadable_file"),
    }  # fmt: skip
    assert "symlink" in results["link.xlsx"].reason_detail
    assert results["link.xlsx"].figures == [] and results["link.xlsx"].unit_code is None
