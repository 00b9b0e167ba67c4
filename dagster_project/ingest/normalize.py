"""Matching labels the way people type them.

`label_key` turns a label cell, a column header or a sheet name into a comparison key:
Unicode form (NFC/NFD), case, Vietnamese diacritics (đ -> d), surrounding spaces, a
trailing colon and repeated inner whitespace do not matter. `ends_table` is the table-end
test, which deliberately does NOT ignore diacritics (`Công khai ...` is a data row).
"""

import unicodedata
from functools import lru_cache

# NFD splits every Vietnamese letter into a base letter plus combining marks, all of
# them in U+0300..U+036F (grave, acute, tilde, hook above, dot below, horn, breve,
# circumflex). `đ` has no decomposition and is mapped by hand. Zero-width characters
# and the BOM, which copy-paste leaves behind, are dropped.
_STRIP_TABLE: dict[int, str | None] = {cp: None for cp in range(0x0300, 0x0370)}
_STRIP_TABLE.update({ord("đ"): "d", ord("Đ"): "d", ord("ð"): "d", ord("Ð"): "d"})
_STRIP_TABLE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})

_TRAILING_COLONS = ":："
_TABLE_END_PREFIXES = ("tổng", "cộng")


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    folded = unicodedata.normalize("NFD", text).translate(_STRIP_TABLE).casefold()
    # casefold may produce new combining marks (rare); strip them again.
    folded = folded.translate(_STRIP_TABLE)
    folded = " ".join(folded.split())
    while folded and folded[-1] in _TRAILING_COLONS:
        folded = folded[:-1].rstrip()
    return folded


def nfc(text: str) -> str:
    """Text in Unicode NFC: Vietnamese typed or exported decomposed (NFD, as macOS and some
    input methods produce) is stored composed, so it compares, sorts and displays as one."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):  # isascii: a flag, no scan
        return text
    return unicodedata.normalize("NFC", text)


def label_key(text: object) -> str:
    """The comparison key of a label: `'  Mã đơn vị : '` and `'MA DON VI'` -> `'ma don vi'`."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return _key(text)


def sheet_key(name: object) -> str:
    """Sheet names match like labels and also ignore spaces: `Báo cáo` == `BaoCao`."""
    return label_key(name).replace(" ", "")


def matches(text: object, *labels: str) -> bool:
    """True when `text` is any of `labels` under `label_key`."""
    key = label_key(text)
    return any(key == label_key(label) for label in labels)


def keys(*labels: str) -> frozenset[str]:
    """Pre-computed keys of some labels, for fast membership tests in loops."""
    return frozenset(label_key(label) for label in labels)


def is_blank(value: object) -> bool:
    """An empty cell: None, an empty string, or a string of only whitespace."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def ends_table(text: object) -> bool:
    """The table-end test for a row's first non-empty cell.

    It starts with `Tổng` or `Cộng`, compared on NFC text ignoring case but not
    diacritics: `Tổng cộng`, `CỘNG`, `Tổng số đơn vị` end a table; `Công khai ...`,
    `Tong` (no diacritics) do not.
    """
    if not isinstance(text, str):
        return False
    return _ends_table_text(text)


@lru_cache(maxsize=8192)  # every table asks it of each row's first cell: the same few texts
def _ends_table_text(text: str) -> bool:
    folded = unicodedata.normalize("NFC", text).strip().casefold()
    # casefold keeps precomposed Vietnamese letters; re-compose defensively anyway.
    folded = unicodedata.normalize("NFC", folded)
    return folded.startswith(_TABLE_END_PREFIXES)
