"""Landing an inbox: the worker-process path lands exactly what the in-process path lands,
duplicates keep their first path, a second run parses nothing, a new registry re-parses in
place; and the per-file memory of registry answers and the cheap container pre-tests keep
their answers. Small inboxes built here (about 30 files): no pipeline, no dbt.
"""

import io
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest import landing
from dagster_project.ingest.landing import land_inbox
from dagster_project.ingest.model import Limits
from dagster_project.ingest.process import process_file
from dagster_project.ingest.readers import _IMPLIED_REF, _has_big_ref, _may_imply, read_submission
from dagster_project.ingest.registry import Registry
from support import workbooks as wb

FIRST_RUN = datetime(2025, 4, 10, 8, 0)
TABLES = ("submissions", "submission_files", "figures", "quarantine_rows", "warnings")
SCHOOLS = ("06688", "06689")


def _registry(extra_rows=()) -> Registry:
    return Registry.from_rows(
        [dict(zip(wb.REGISTRY_COLUMNS, row)) for row in (*wb.REGISTRY_ROWS, *extra_rows)]
    )


def _inbox(root: Path) -> Path:
    """31 paths: 25 school workbooks (one with a quarantined row, one rejected), a district
    workbook with a consolidated sheet, a CSV, a JSON, an unsupported file, and two copies of
    one workbook: one in the same chunk as its original, one many files later."""
    inbox = root / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "m").mkdir()
    (inbox / "z").mkdir()
    copied = wb.school_xlsx(report_date="06/04/2025")
    (inbox / "a" / "00 goc.xlsx").write_bytes(copied)
    (inbox / "a" / "01 ban sao.xlsx").write_bytes(copied)  # same chunk
    (inbox / "z" / "99 ban sao.xlsx").write_bytes(copied)  # a later chunk
    for n in range(22):
        day = 7 + n % 20
        rows = [("TTHC_HS_TRUC_TUYEN", 800 + n, 1000), ("CSGD_CHU_KY_SO", n, 42)]
        (inbox / "m" / f"{n:02d} truong.xlsx").write_bytes(
            wb.school_xlsx(unit_code=SCHOOLS[n % 2], report_date=f"{day:02d}/04/2025", rows=rows)
        )
    (inbox / "m" / "50 am.xlsx").write_bytes(
        wb.school_xlsx(rows=[("TTHC_HS_TRUC_TUYEN", -5, 1000), ("CSGD_CHU_KY_SO", 40, 42)])
    )
    (inbox / "m" / "51 khong ky.xlsx").write_bytes(wb.school_xlsx(period=None))
    (inbox / "m" / "60 phong.xlsx").write_bytes(
        wb.school_xlsx(
            unit_code="193",
            unit_name="Phòng GDĐT Hạ Long",
            consolidated=[(school, kpi, 10 + i, 20) for i, school in enumerate(SCHOOLS)
                          for kpi in ("TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO")]
            + [("74001", "TTHC_HS_TRUC_TUYEN", 1, 2)],
        )
    )  # fmt: skip
    (inbox / "m" / "70 so.csv").write_bytes(
        wb.csv_bytes([wb.csv_record("TTHC_HS_TRUC_TUYEN", 812, 1000),
                      wb.csv_record("CSGD_CHU_KY_SO", "12,5", 42)])
    )  # fmt: skip
    (inbox / "m" / "71 so.json").write_bytes(wb.json_bytes(wb.json_doc()))
    (inbox / "m" / "80 ghi chu.docx").write_bytes(b"not a report")
    return inbox


def _land(inbox: Path, con, workers: int, registry: Registry | None = None, now=FIRST_RUN):
    return land_inbox(
        con, inbox, registry or _registry(), Limits(), workers, progress=lambda _: None, now=now
    )


def _tables(con) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM raw.{t}").fetchall(), key=repr) for t in TABLES}


def _summary(s) -> tuple:
    return (s.files_seen, s.files_new, s.duplicate_paths, s.submissions_accepted,
            s.submissions_rejected, s.rows_accepted, s.rows_quarantined, s.reasons)  # fmt: skip


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    return _inbox(tmp_path_factory.mktemp("landing"))


@pytest.fixture
def pool_for_small_inboxes(monkeypatch):
    """Worker processes even for 31 files, in chunks of 16 (so two copies of one file are
    parsed in different processes' chunks)."""
    monkeypatch.setattr(landing, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(landing, "_chunk_size", lambda files, workers: 16)


def test_worker_processes_land_what_one_process_lands(inbox, pool_for_small_inboxes):
    alone, pooled = duckdb.connect(), duckdb.connect()
    pooled.execute("SET threads = 3")
    s1 = _land(inbox, alone, workers=1)
    s2 = _land(inbox, pooled, workers=2)
    # Landing runs DuckDB on one thread, and gives the connection its setting back.
    assert pooled.execute("SELECT current_setting('threads')").fetchone()[0] == 3
    assert _tables(pooled) == _tables(alone)
    assert _summary(s2) == _summary(s1)
    # The real figures: 31 paths, 29 distinct contents (the copies counted once); 27
    # accepted: 22 schools + the copied one + the negative one + the district + CSV + JSON;
    # rows: 22 x 2 + 3 + 1 + (3 own + 4 consolidated) + 1 + 1.
    assert _summary(s2)[:7] == (31, 29, 2, 27, 2, 57, 3)
    assert s2.reasons == {
        "negative_value": 1, "missing_period": 1, "unit_outside_scope": 1, "non_numeric": 1,
        "unsupported_format": 1,
    }  # fmt: skip
    # Three paths, one submission, named by its first path; its rows landed once.
    copy_id, path = pooled.execute(
        "SELECT submission_id, file_path FROM raw.submissions WHERE file_path LIKE 'a/%'"
    ).fetchone()
    assert path == "a/00 goc.xlsx"
    assert pooled.execute(
        "SELECT list(file_path ORDER BY file_path) FROM raw.submission_files WHERE submission_id = ?",
        [copy_id],
    ).fetchone()[0] == ["a/00 goc.xlsx", "a/01 ban sao.xlsx", "z/99 ban sao.xlsx"]
    assert pooled.execute(
        "SELECT count(*), sum(numerator) FROM raw.figures WHERE submission_id = ?", [copy_id]
    ).fetchone() == (3, 812 + 40 + 1)
    # The district's consolidated rows: its two schools accepted, another province's not.
    assert pooled.execute(
        "SELECT f.unit_code, f.kpi_code, f.numerator FROM raw.figures f JOIN raw.submissions s "
        "USING (submission_id) WHERE s.unit_code = '193' AND f.scope = 'consolidated' ORDER BY 1, 2"
    ).fetchall() == [("06688", "CSGD_CHU_KY_SO", 10), ("06688", "TTHC_HS_TRUC_TUYEN", 10),
                     ("06689", "CSGD_CHU_KY_SO", 11), ("06689", "TTHC_HS_TRUC_TUYEN", 11)]  # fmt: skip


@pytest.mark.parametrize("batch_files", [1, 5, 40])
def test_batches_of_any_size_land_the_same(inbox, pool_for_small_inboxes, batch_files):
    """Small batches (and the smaller ones near the end) write paths as they go: the same
    tables, copies named by their first path even when the copies fall in other batches."""
    whole, batched = duckdb.connect(), duckdb.connect()
    s1 = _land(inbox, whole, workers=1)
    s2 = land_inbox(batched, inbox, _registry(), Limits(), 2, progress=lambda _: None,
                    batch_files=batch_files, now=FIRST_RUN)  # fmt: skip
    assert _tables(batched) == _tables(whole)
    assert _summary(s2) == _summary(s1)


def test_rerun_parses_nothing_and_a_new_registry_reparses_in_place(inbox, pool_for_small_inboxes):
    con = duckdb.connect()
    _land(inbox, con, workers=2)
    first = _tables(con)

    again = _land(inbox, con, workers=2, now=datetime(2025, 4, 11))
    assert (again.files_seen, again.files_new, again.duplicate_paths) == (31, 0, 2)
    assert _tables(con) == first

    # A registry change re-parses every submission: rows replaced, not added; the first
    # ingestion time kept (version ties stay stable).
    changed = _registry([("06691", "Trường Mới", "school", "193", "thcs", "2025-01-01", "", "")])
    reparsed = _land(inbox, con, workers=2, registry=changed, now=datetime(2025, 4, 12))
    assert (reparsed.files_new, reparsed.rows_accepted) == (29, 57)
    after = _tables(con)
    for table in ("submission_files", "figures", "quarantine_rows", "warnings"):
        assert after[table] == first[table]
    assert con.execute(
        "SELECT count(*), count(DISTINCT parsed_with), min(ingested_at), max(ingested_at) "
        "FROM raw.submissions"
    ).fetchone() == (29, 1, FIRST_RUN, FIRST_RUN)


class _CountingRegistry(Registry):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[tuple] = []

    def is_inside(self, subject, sender, month):
        self.asked.append(("is_inside", subject))
        return super().is_inside(subject, sender, month)

    def active_in_month(self, code, month):
        self.asked.append(("active_in_month", code))
        return super().active_in_month(code, month)


def test_a_files_row_checks_ask_the_registry_each_question_once():
    registry = _CountingRegistry.from_rows(
        [dict(zip(wb.REGISTRY_COLUMNS, row)) for row in wb.REGISTRY_ROWS]
    )
    kpis = ("TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO", "DV_KDTM")
    data = wb.school_xlsx(
        unit_code="193",
        unit_name="Phòng GDĐT Hạ Long",
        consolidated=[(s, k, 1, 1) for s in ("06688", "06689", "99999") for k in kpis],
    )
    result = process_file(data, "phong.xlsx", registry, Limits(), len(data), "x")
    assert result.accepted
    consolidated = sorted((f.unit_code, f.kpi_code) for f in result.figures if f.scope == "consolidated")
    assert consolidated == sorted((s, k) for s in ("06688", "06689") for k in kpis)
    assert sorted((q.unit_code, q.reason_code) for q in result.quarantined) == [
        ("99999", "unit_inactive")
    ] * 3
    # 9 consolidated rows about 3 units: each question about each unit asked once.
    row_questions = [q for q in registry.asked if q[1] in ("06688", "06689", "99999")]
    assert sorted(set(row_questions)) == sorted(row_questions)
    assert {q[1] for q in row_questions} == {"06688", "06689", "99999"}


def test_container_pretests_flag_real_references_only():
    data = wb.school_xlsx()  # openpyxl's own output
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<c r="A1"' in xml
    # An ordinary sheet: every cell and row carries a small `r`: no exact pass needed.
    assert not _has_big_ref(xml)
    assert _IMPLIED_REF.search(xml) is None
    assert not _has_big_ref(b'<worksheet xmlns:r="http://schemas"><c r="B2"/>')
    assert _has_big_ref(b'<row r="1"><c r="AA1" t="s">')
    assert _has_big_ref(b'<row r="12345">')
    assert _IMPLIED_REF.search(b'<row r="3"><c s="1"><v>1</v></c>') is not None
    # The two-step test answers as the one pattern, prefixed tags included.
    cases = [xml, b'<c r="A1">', b'<c s="1">', b"<row>", b"<c/>", b'<x:c t="s">', b'<x:c r="A1">',
             b'<a.b-c:row spans="1">', b'<c\tr="A1">', b'<c\ts="1">', b"<c r='A1'>", b"<c >",
             b'<cols><col min="1"/>', b'<row r="1"><c r="A1"/><c/></row>', b"<is><t>a:c</t></is>",
             b'xmlns:c="u"><c r="B2"/>', b'<ab:cd:c s="1">']  # fmt: skip
    # ... except that a reference the quick scan cannot read (single quotes) also asks
    # for the exact pass.
    odd = {b"<c r='A1'>"}
    assert [_may_imply(c) for c in cases] == [_IMPLIED_REF.search(c) is not None or c in odd for c in cases]
    assert sum(_may_imply(c) for c in cases) == 9
    # ... and a far reference is still measured and refused before calamine.
    far = xml.replace(b"</sheetData>", b'<row r="250000"><c r="A250000"><v>1</v></c></row></sheetData>')
    bad = wb.rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": far})
    with pytest.raises(Exception) as refused:
        read_submission(bad, "xlsx", Limits())
    assert getattr(refused.value, "code", None) == "unreadable_file"
