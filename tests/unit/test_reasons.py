import re
from pathlib import Path

import pytest

import dagster_project.ingest as ingest_package
from dagster_project.ingest.reasons import FILE_CODES, REASONS, ROW_CODES, WARNING_CODES, message

CONTRACT_FILE_CODES = [
    "unreadable_file", "unsupported_format", "file_too_large", "missing_sheet", "mixed_header",
    "missing_unit_code", "unknown_unit", "unit_inactive", "missing_period", "invalid_period",
    "missing_report_date", "invalid_report_date", "period_after_report_date", "no_indicator_rows",
]
CONTRACT_ROW_CODES = [
    "unknown_kpi", "missing_value", "non_numeric", "negative_value", "numerator_exceeds_denominator",
    "binary_out_of_range", "duplicate_kpi_row", "unknown_subject_unit", "unit_outside_scope", "unit_inactive",
]
CONTRACT_WARNING_CODES = ["unit_name_mismatch", "rate_mismatch", "late_submission"]
VIETNAMESE_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def test_every_contract_code_has_a_reason():
    for code in CONTRACT_FILE_CODES + CONTRACT_ROW_CODES + CONTRACT_WARNING_CODES:
        assert code in REASONS, code


def test_levels():
    for code in CONTRACT_FILE_CODES:
        assert REASONS[code].level == "file"
    for code in set(CONTRACT_ROW_CODES) - {"unit_inactive"}:
        assert REASONS[code].level == "row"
    for code in WARNING_CODES:
        assert REASONS[code].level == "warning"
    assert set(FILE_CODES) == set(CONTRACT_FILE_CODES)
    assert set(ROW_CODES) == set(CONTRACT_ROW_CODES)
    assert set(REASONS) == set(FILE_CODES) | set(ROW_CODES) | set(WARNING_CODES)


def test_orders_follow_the_contract():
    assert FILE_CODES[:3] == ("unsupported_format", "file_too_large", "unreadable_file")
    assert FILE_CODES[-2:] == ("unit_inactive", "no_indicator_rows")
    assert ROW_CODES[0] == "unknown_subject_unit" and ROW_CODES[-1] == "duplicate_kpi_row"


@pytest.mark.parametrize("code", sorted(REASONS))
def test_messages_are_vietnamese_with_diacritics_and_say_how_to_fix(code):
    reason = REASONS[code]
    assert VIETNAMESE_LETTERS.search(reason.message_vi.lower()), code
    assert VIETNAMESE_LETTERS.search(reason.fix_vi.lower()), code
    assert len(reason.fix_vi) > 20 and reason.message_en
    assert message(code).startswith(reason.message_vi)


def test_numerator_exceeds_denominator_message():
    reason = REASONS["numerator_exceeds_denominator"]
    assert reason.message_vi == "Tử số lớn hơn mẫu số."
    assert "không thể vượt" in reason.fix_vi


def test_every_code_the_parser_emits_is_documented():
    folder = Path(ingest_package.__file__).parent
    source = "\n".join((folder / f"{name}.py").read_text(encoding="utf-8") for name in ("readers", "rules", "process"))
    emitted = set(re.findall(r'(?:RowFailure|ReadError|ReadWarning|reject)\(\s*"([a-z_]+)"', source))
    emitted |= set(re.findall(r'^\s+"([a-z_]+)",\n\s+f?"', source, re.MULTILINE))  # (code, detail) tuples
    emitted &= {c for c in emitted if "_" in c}
    assert emitted, "the scan found nothing"
    assert emitted - set(REASONS) == set()
    assert {"unknown_subject_unit", "duplicate_kpi_row", "mixed_header", "rate_mismatch"} <= emitted
