"""Published means frozen: numbered versions of a report, never overwritten.

`publish(out_dir, stem, workbook_factory, figures)`:
- reports land in `out_dir/<stem>_v<N>.xlsx`, each with a JSON sidecar
  `<stem>_v<N>.json` of the figures it published (key -> [numerator, denominator,
  value, target]);
- when the figures equal those of the latest version, nothing is written and that
  version is returned (`changed=False`); the workbook is not even built;
- otherwise version N+1 is written; from version 2 on its workbook gains a sheet
  "ThayDoi" listing every figure that changed, appeared or disappeared since version N.

Both files are written aside and linked into place (no-clobber and atomic). The sidecar
goes first and the workbook last: the workbook's link is the commit point. A sidecar
without its workbook (a publish killed between the two) was never published and is
removed by the next publish of that report, which then takes the same number, so a killed
run leaves the reports as if it had not happened. A workbook without its sidecar (not
written by this order) is skipped, never reused. An existing version file is never
overwritten (but for the fingerprint below).

`fingerprint` (optional) identifies the inputs the figures were computed from
(`report_data.report_tasks`); it is stored in the sidecar (`inputs_fingerprint`, near the
start of the file, so that `published_inputs` reads only the head of each sidecar). A
caller compares it with the current inputs' fingerprint and does not even compute a
report whose inputs are unchanged. When the inputs changed but the figures did not, the
sidecar's fingerprint is updated (replaced atomically; figures and workbook untouched).
"""

import json
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import Workbook

from dagster_project.publish import styles as st
from dagster_project.quality.xlsx_safe import atomic_write_bytes, workbook_bytes

CHANGES_SHEET = "ThayDoi"
SIDECAR_FORMAT = "de06-published-figures/1"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    version: int
    changed: bool


@dataclass(frozen=True)
class Change:
    key: tuple
    label: tuple[str, str, str]
    old: tuple | None  # None: a new figure
    new: tuple | None  # None: a figure no longer published

    @property
    def kind_vi(self) -> str:
        if self.old is None:
            return "Bổ sung"
        if self.new is None:
            return "Không còn số liệu"
        return "Thay đổi"


# --- figures -----------------------------------------------------------------------------


def _number(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    try:  # Decimal and other numeric types from the driver
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(as_float) if as_float.is_integer() else as_float


def _normal(figure) -> tuple:
    """(numerator, denominator, value, target) as JSON would give it back."""
    values = tuple(figure)[:4]
    if all(v is None or type(v) is int or (type(v) is float and math.isfinite(v)) for v in values):
        return values + (None,) * (4 - len(values))  # JSON gives these back as they are
    values = tuple(_number(v) for v in values)
    values += (None,) * (4 - len(values))
    return tuple(json.loads(json.dumps(list(values))))


def _key_text(key: tuple) -> str:
    parts = [part if type(part) is str else str(part) for part in key]
    if parts and _NEEDS_ESCAPE.search("".join(parts)) is None:  # codes and dates, as JSON
        return '["' + '", "'.join(parts) + '"]'
    return json.dumps(parts, ensure_ascii=False)


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _key_from_text(text: str) -> tuple:
    return tuple(json.loads(text))


def _normal_figures(figures: Mapping) -> dict[tuple, tuple]:
    return {tuple(str(p) for p in key): _normal(value) for key, value in figures.items()}


def diff(old: Mapping[tuple, tuple], new: Mapping[tuple, tuple], labels: Mapping) -> list[Change]:
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before != after:
            label = labels.get(key) or (key[1] if len(key) > 1 else "", key[0], key[2] if len(key) > 2 else "")
            changes.append(Change(key, tuple(label), before, after))
    return changes


# --- files -------------------------------------------------------------------------------


def _versions(out_dir: Path, stem: str) -> dict[int, set[str]]:
    """Version numbers present under out_dir for stem, with the suffixes found."""
    pattern = re.compile(rf"^{re.escape(stem)}_v(\d+)\.(xlsx|json)$")
    found: dict[int, set[str]] = {}
    if out_dir.is_dir():
        for entry in out_dir.iterdir():
            match = pattern.match(entry.name)
            if match:
                found.setdefault(int(match.group(1)), set()).add(match.group(2))
    return found


def _paths(out_dir: Path, stem: str, version: int) -> tuple[Path, Path]:
    return out_dir / f"{stem}_v{version}.xlsx", out_dir / f"{stem}_v{version}.json"


_SIDECAR_HEAD = 4096
_FINGERPRINT_IN_HEAD = re.compile(r'"inputs_fingerprint":"([^"\\]*)"')
_VERSION_FILE = re.compile(r"^(.+)_v(\d+)\.(xlsx|json)$")


def published_inputs(out_dir: Path) -> dict[str, str | None]:
    """For every report stem under `out_dir`, the inputs fingerprint stored with its latest
    published version (workbook and sidecar; None when it has none). One listing of the
    folder and the head of one sidecar per stem: cheap even for thousands of reports."""
    found: dict[str, dict[int, set[str]]] = defaultdict(dict)
    try:
        entries = list(os.scandir(out_dir))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    for entry in entries:
        match = _VERSION_FILE.match(entry.name)
        if match:
            found[match.group(1)].setdefault(int(match.group(2)), set()).add(match.group(3))
    out = {}
    for stem, versions in found.items():
        complete = [v for v, suffixes in versions.items() if suffixes == {"xlsx", "json"}]
        if complete:
            out[stem] = _stored_fingerprint(_paths(Path(out_dir), stem, max(complete))[1])
    return out


def _stored_fingerprint(sidecar: Path) -> str | None:
    try:
        with open(sidecar, "rb") as handle:
            head = handle.read(_SIDECAR_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _FINGERPRINT_IN_HEAD.search(head)
    return match.group(1) if match else None


def latest_published(out_dir: Path, stem: str) -> tuple[int, dict, dict] | None:
    """(version, figures, labels) of the latest complete version (workbook + sidecar)."""
    out_dir = Path(out_dir)
    for version in sorted(_versions(out_dir, stem), reverse=True):
        xlsx, sidecar = _paths(out_dir, stem, version)
        if not (xlsx.is_file() and sidecar.is_file()):
            continue
        try:
            doc = json.loads(sidecar.read_text(encoding="utf-8"))
            figures = {_key_from_text(k): _normal(v) for k, v in doc["figures"].items()}
            labels = {_key_from_text(k): tuple(v) for k, v in (doc.get("labels") or {}).items()}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        return version, figures, labels
    return None


def _write_new(path: Path, data: bytes) -> bool:
    """Write `data` to a new file `path` atomically; False when `path` already exists."""
    fd, tmp = tempfile.mkstemp(prefix=".~tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # atomic and never clobbers
        except FileExistsError:
            return False
        except OSError:  # a filesystem without hard links: check, then rename
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- the change sheet --------------------------------------------------------------------

CHANGE_COLUMNS = [
    st.Column("STT", 6, center=True),
    st.Column("Mã chỉ tiêu", 26),
    st.Column("Tên chỉ tiêu", 40, wrap=True),
    st.Column("Mã địa bàn/đơn vị", 12),
    st.Column("Tên địa bàn/đơn vị", 28, wrap=True),
    st.Column("Kỳ", 14),
    st.Column("Tử số cũ", 11, st.INTEGER),
    st.Column("Tử số mới", 11, st.INTEGER),
    st.Column("Mẫu số cũ", 11, st.INTEGER),
    st.Column("Mẫu số mới", 11, st.INTEGER),
    st.Column("Tỷ lệ cũ", 10, st.PERCENT),
    st.Column("Tỷ lệ mới", 10, st.PERCENT),
    st.Column("Chỉ tiêu kế hoạch cũ", 11, st.PERCENT),
    st.Column("Chỉ tiêu kế hoạch mới", 11, st.PERCENT),
    st.Column("Loại thay đổi", 16),
]


def add_changes_sheet(wb: Workbook, changes: list[Change], version: int, previous: int) -> None:
    ws = wb.create_sheet(CHANGES_SHEET)
    row = st.title_block(
        ws,
        [
            ("title", f"THAY ĐỔI SỐ LIỆU SO VỚI PHIÊN BẢN {previous}"),
            ("note", f"Phiên bản {version} thay thế phiên bản {previous} đã công bố; "
                     f"{len(changes)} số liệu thay đổi (cũ → mới)."),
        ],  # fmt: skip
        8,
    )
    rows = []
    for n, change in enumerate(changes, start=1):
        old = change.old or (None,) * 4
        new = change.new or (None,) * 4
        indicator, area, period = (tuple(change.label) + ("", "", ""))[:3]
        key = change.key + ("", "", "")
        rows.append([
            n, key[1], indicator, key[0], area, period,
            old[0], new[0], old[1], new[1], old[2], new[2], old[3], new[3], change.kind_vi,
        ])  # fmt: skip
    header, last = st.write_table(ws, row + 1, CHANGE_COLUMNS, rows)
    st.freeze(ws, header + 1, 4)
    st.auto_filter(ws, header, last, len(CHANGE_COLUMNS))
    st.print_setup(ws, (header, header), f"Thay đổi phiên bản {version}")


# --- publish -----------------------------------------------------------------------------


def publish(
    out_dir: Path,
    stem: str,
    workbook_factory: Callable[[], Workbook] | Workbook,
    figures: Mapping[tuple, tuple],
    labels: Mapping[tuple, tuple] | None = None,
    fingerprint: str | None = None,
) -> PublishResult:
    """Publish the report `stem` under `out_dir` (see the module docstring).

    `workbook_factory()` builds the workbook, only when a new version is due. `labels`
    (default: `figures.labels` when the mapping has them, as `report.figures` does) names
    each key's indicator, area and period on the change sheet. `fingerprint`: the inputs'
    fingerprint, stored with the version.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    new_figures = _normal_figures(figures)
    labels = labels if labels is not None else getattr(figures, "labels", {}) or {}
    labels = {tuple(str(p) for p in k): tuple(str(x) for x in v) for k, v in labels.items()}

    # A sidecar without its workbook: an interrupted publish, never published (see above).
    for number, suffixes in _versions(out_dir, stem).items():
        if suffixes == {"json"}:
            _paths(out_dir, stem, number)[1].unlink(missing_ok=True)

    latest = latest_published(out_dir, stem)
    if latest is not None and latest[1] == new_figures:
        if fingerprint is not None:
            _record_fingerprint(_paths(out_dir, stem, latest[0])[1], fingerprint)
        return PublishResult(_paths(out_dir, stem, latest[0])[0], latest[0], False)

    changes: list[Change] = []
    if latest is not None:
        _, old_figures, old_labels = latest
        labels = {**old_labels, **labels}
        changes = diff(old_figures, new_figures, labels)

    key_texts = {key: _key_text(key) for key in new_figures}
    while True:
        version = max(_versions(out_dir, stem), default=0) + 1
        xlsx, sidecar = _paths(out_dir, stem, version)
        wb = workbook_factory() if callable(workbook_factory) else workbook_factory
        if latest is not None:
            if CHANGES_SHEET in wb.sheetnames:
                del wb[CHANGES_SHEET]
            add_changes_sheet(wb, changes, version, latest[0])
        wb.properties.version = str(version)
        data = workbook_bytes(wb, datetime.now(timezone.utc).replace(tzinfo=None))
        document = {
            "format": SIDECAR_FORMAT,
            "stem": stem,
            "version": version,
            "inputs_fingerprint": fingerprint,
            "published_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "previous_version": latest[0] if latest else None,
            "changed_figures": len(changes),
            "figures": {key_texts[k]: list(v) for k, v in sorted(new_figures.items())},
            "labels": {key_texts[k]: list(v) for k, v in sorted(labels.items()) if k in key_texts},
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        # Sidecar first, workbook last (the commit point); another publisher may have
        # taken this number meanwhile: then take the next one.
        if _write_new(sidecar, text.encode("utf-8")):
            if _write_new(xlsx, data):
                break
            sidecar.unlink(missing_ok=True)
    return PublishResult(xlsx, version, True)


def _record_fingerprint(sidecar: Path, fingerprint: str) -> None:
    """Store `fingerprint` in the sidecar of a version whose figures are still current
    (the rest of the document unchanged; replaced atomically)."""
    if _stored_fingerprint(sidecar) == fingerprint:
        return
    try:
        document = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    updated = {}
    for key, value in document.items():  # the fingerprint stays near the head of the file
        if key != "inputs_fingerprint":
            updated[key] = value
        if key == "version":
            updated["inputs_fingerprint"] = fingerprint
    updated.setdefault("inputs_fingerprint", fingerprint)
    atomic_write_bytes(json.dumps(updated, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), sidecar)
