"""Problems across runs, and the reviewers' one-page summary (pure functions + file I/O).

A problem is a failing expectation: its identity is the suite and the expectation id, so
the same failure keeps the same id run after run (`Q-` + a short hash), is marked new the
first time it is seen and resolved when it disappears.
"""

import hashlib
import html
import json
import os
import tempfile
from pathlib import Path

from dagster_project.quality.validate import ExpectationOutcome

SEVERITY_VI = {"critical": "Nghiêm trọng", "warning": "Cảnh báo"}


def short_id(problem_key: str) -> str:
    return "Q-" + hashlib.sha1(problem_key.encode()).hexdigest()[:8].upper()


def update_problems(state: dict, suite: str, outcomes: list[ExpectationOutcome], run_id: str, now: str) -> dict:
    """Fold one suite's outcomes into the problem state (returns a new dict)."""
    problems = {k: dict(v) for k, v in state.get("problems", {}).items()}
    for outcome in outcomes:
        key = outcome.problem_id
        entry = problems.get(key)
        if not outcome.success:
            if entry is None or entry["status"] == "resolved":
                entry = {"id": short_id(key), "first_seen": now, "first_run": run_id}
            entry.update(
                status="open",
                suite=suite,
                expectation=outcome.spec.id,
                severity=outcome.spec.severity,
                what_vi=outcome.spec.meta.get("what_vi", outcome.spec.type),
                how_to_resolve_vi=outcome.spec.meta.get("how_to_resolve_vi", ""),
                query=outcome.spec.meta.get("query") or f"select * from {suite}",
                unexpected_count=outcome.unexpected_count,
                element_count=outcome.element_count,
                sample=outcome.sample,
                error=outcome.error,
                last_seen=now,
                last_run=run_id,
            )
            entry.pop("resolved_at", None)
            problems[key] = entry
        elif entry is not None and entry["status"] == "open":
            entry.update(status="resolved", resolved_at=now, resolved_run=run_id)
    return {"problems": problems, "suites": {**state.get("suites", {}), suite: now}}


def load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"problems": {}, "suites": {}}


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def render_summary(state: dict, run_id: str, now: str, ingest: dict | None = None) -> str:
    """The reviewers' one-page summary, in Vietnamese."""
    problems = sorted(
        state.get("problems", {}).values(),
        key=lambda p: (p["status"] != "open", p["severity"] != "critical", p["suite"], p["expectation"]),
    )
    open_problems = [p for p in problems if p["status"] == "open"]
    critical = [p for p in open_problems if p["severity"] == "critical"]
    resolved = [p for p in problems if p["status"] == "resolved"]
    verdict = (
        "<p class='bad'>Có lỗi nghiêm trọng: báo cáo của lần chạy này <b>không được phát hành</b>.</p>"
        if critical
        else "<p class='good'>Không có lỗi nghiêm trọng: báo cáo được phát hành.</p>"
    )
    rows = []
    for p in open_problems:
        new = "Mới" if p.get("first_run") == run_id else f"Từ {_e(p['first_seen'])}"
        sample = ", ".join(_e(json.dumps(s, ensure_ascii=False)) for s in p.get("sample", [])[:5])
        rows.append(
            f"<tr class='{p['severity']}'><td><b>{_e(p['id'])}</b></td>"
            f"<td>{SEVERITY_VI[p['severity']]}</td><td>{new}</td><td><code>{_e(p['suite'])}</code></td>"
            f"<td>{_e(p['what_vi'])}</td><td class='num'>{_e(p['unexpected_count'])}"
            f" / {_e(p['element_count'])}</td><td>{sample or _e(p.get('error'))}</td>"
            f"<td>{_e(p['how_to_resolve_vi'])}</td>"
            f"<td><details><summary>Truy vấn</summary><pre>{_e(p['query'])}</pre></details></td></tr>"
        )
    resolved_rows = "".join(
        f"<li><b>{_e(p['id'])}</b> {_e(p['what_vi'])} (<code>{_e(p['suite'])}</code>): "
        f"đã khắc phục lúc {_e(p.get('resolved_at'))}</li>"
        for p in resolved
    )
    ingest_html = ""
    if ingest:
        reasons = "".join(
            f"<tr><td><code>{_e(code)}</code></td><td>{_e(message)}</td><td class='num'>{_e(n)}</td>"
            f"<td>{_e(units)}</td></tr>"
            for code, message, n, units in ingest.get("reasons", [])
        )
        ingest_html = f"""
<h2>Tiếp nhận tệp báo cáo</h2>
<p>{_e(ingest.get('accepted'))} tệp được tiếp nhận, {_e(ingest.get('rejected'))} tệp bị từ chối,
{_e(ingest.get('quarantined'))} dòng bị loại. Phiếu phản hồi cho từng đơn vị nằm trong thư mục
<a href="../feedback/">feedback/</a>.</p>
<table><tr><th>Mã lý do</th><th>Nội dung</th><th>Số tệp/dòng</th><th>Đơn vị (ví dụ)</th></tr>{reasons}</table>"""
    table = (
        "<table><tr><th>Mã vấn đề</th><th>Mức độ</th><th>Phát hiện</th><th>Bảng dữ liệu</th>"
        "<th>Nội dung kiểm tra</th><th>Số dòng vi phạm</th><th>Ví dụ</th><th>Cách xử lý</th>"
        "<th>Xem các dòng</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>Không có vấn đề nào đang mở.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Tóm tắt kiểm tra chất lượng dữ liệu Đề án 06</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}}
table{{border-collapse:collapse;width:100%;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:14px}}
th{{background:#eef}} tr.critical td:nth-child(2){{color:#b00;font-weight:bold}}
.num{{text-align:right}} .bad{{color:#b00;font-size:1.2em}} .good{{color:#070;font-size:1.2em}}
pre{{white-space:pre-wrap;font-size:12px}}
</style></head><body>
<h1>Tóm tắt kiểm tra chất lượng dữ liệu Đề án 06</h1>
<p>Lần chạy <code>{_e(run_id)}</code>, lúc {_e(now)}.
{len(critical)} lỗi nghiêm trọng, {len(open_problems) - len(critical)} cảnh báo đang mở,
{len(resolved)} vấn đề đã khắc phục.</p>
{verdict}
<p>Chi tiết từng bộ kiểm tra: <a href="data_docs/index.html">Great Expectations Data Docs</a>.</p>
<h2>Vấn đề đang mở</h2>
{table}
<h2>Đã khắc phục</h2>
<ul>{resolved_rows or '<li>Chưa có.</li>'}</ul>
{ingest_html}
</body></html>
"""
