import unicodedata

import pytest

from dagster_project.ingest.normalize import ends_table, is_blank, keys, label_key, matches, sheet_key


@pytest.mark.parametrize(
    "text",
    [
        "Mã đơn vị",
        "MÃ ĐƠN VỊ",
        "mã đơn vị",
        "ma don vi",
        "  Mã   đơn vị  ",
        "Mã đơn vị:",
        "Mã đơn vị :",
        "Mã đơn vị：",
        "Mã\u00a0đơn\tvị",
        unicodedata.normalize("NFD", "Mã đơn vị"),
        unicodedata.normalize("NFD", "MÃ ĐƠN VỊ:"),
        "\ufeffMã đơn vị\u200b",
    ],
)
def test_label_key_variants_of_one_label(text):
    assert label_key(text) == "ma don vi"


def test_label_key_removes_every_vietnamese_diacritic_and_d_bar():
    assert label_key("Đề án 06: Người lập biểu") == "de an 06: nguoi lap bieu"
    assert label_key("Tỷ lệ (%)") == "ty le (%)"
    assert label_key("Số lượng đạt") == "so luong dat"
    assert label_key("ỨỪỬỮỰ ẮẰẲẴẶ Ậ Ộ Ợ") == "uuuuu aaaaa a o o"


def test_label_key_of_non_text():
    assert label_key(None) == ""
    assert label_key(2025) == "2025"


def test_matches_any_label():
    assert matches("SỐ LƯỢNG ĐẠT:", "Tử số", "Số đạt", "Số lượng đạt")
    assert not matches("Số lượng", "Tử số", "Số đạt", "Số lượng đạt")
    assert label_key("Tổng số") in keys("Mẫu số", "Tổng số")


def test_sheet_key_ignores_spaces_case_and_diacritics():
    assert sheet_key("Báo cáo") == sheet_key("BaoCao") == sheet_key(" bao cao ") == "baocao"
    assert sheet_key("Tổng hợp") == sheet_key("TongHop") == "tonghop"
    assert sheet_key(unicodedata.normalize("NFD", "BÁO CÁO")) == "baocao"


@pytest.mark.parametrize(
    "text",
    ["Tổng cộng", "TỔNG CỘNG", "tổng số đơn vị", "Cộng", "CỘNG:", "  Tổng",
     unicodedata.normalize("NFD", "Tổng cộng"), unicodedata.normalize("NFD", "CỘNG")],
)
def test_table_end_rows(text):
    assert ends_table(text)


@pytest.mark.parametrize(
    "value",
    ["Công khai thủ tục hành chính", "Tong cong", "Cong", "Cổng dịch vụ công", "TTHC_HS_TRUC_TUYEN",
     "1", 5, None, 0.0],
)
def test_not_table_end_rows(value):
    assert not ends_table(value)


def test_is_blank():
    assert is_blank(None) and is_blank("") and is_blank("   ") and is_blank("\u00a0\t")
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)
