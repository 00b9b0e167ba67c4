"""`make bench`: generate (cached), then measure ingest, the whole pipeline and a late file.

    .venv/bin/python bench/run.py --scale national|province [--year] [--sample 300]

Each measured phase runs in its own process (bench/phases.py) while this process samples
the resident memory of that process tree; logs go to bench/cache/<scale>/logs/. The table
is printed at the end and every number is written to bench/results.json (one entry per
scale, so a province run does not erase the last national one).
"""

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE = BENCH_DIR / "cache"
RESULTS = BENCH_DIR / "results.json"
PY = sys.executable
GIB = 1024**3

# What each scale generates (the generator's own options; seed and rates are its defaults).
DATASETS = {
    "province": {"args": ["--provinces", "22", "--months", "2025-03"], "month": "2025-03"},
    "national": {"args": ["--national", "--months", "2025-03"], "month": "2025-03"},
    "national-year": {
        "args": ["--national", "--tree", "crossing", "--months", "2025-01..2025-12"],
        "month": "2025-12",
    },
}

TARGETS = {
    "floor_ratio": 2.0,  # ingest per file <= 2x the bare calamine loop
    "openpyxl_ratio": 10.0,  # ingest per file >= 10x faster than pandas+openpyxl
    "month_e2e_s": 90.0,
    "year_e2e_s": 15 * 60.0,
    "late_file_s": 20.0,
    "peak_mib": 4 * 1024.0,
}


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- 1. data, generated once per set of options -------------------------------------------


def generator_fingerprint() -> str:
    """The generator's code and facts: when they change, cached data is stale."""
    digest = hashlib.sha256()
    src = ROOT / "sources"
    for path in sorted([*(src / "de06_synth").rglob("*.py"), *(src / "geo").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(src).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_data(name: str) -> dict:
    spec = DATASETS[name]
    home = CACHE / name
    data = home / "data"
    meta_path = home / "data.json"
    key = {"generator_args": spec["args"] + ["--jobs", "2"], "generator_code": generator_fingerprint()}
    if meta_path.exists() and (data / "inbox").is_dir():
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key:
            say(f"data: reusing {data.relative_to(ROOT)} ({meta['files']:,} files)")
            return {**meta, "cached": True, "dir": str(data)}
    say(f"data: generating {name} ({' '.join(spec['args'])}) ...")
    meta_path.unlink(missing_ok=True)
    shutil.rmtree(data, ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [PY, "-m", "de06_synth", "--out", str(data), *key["generator_args"], "--quiet"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "sources")},
        check=True,
    )
    seconds = time.perf_counter() - started
    files = sum(len(f) for _, _, f in os.walk(data / "inbox"))
    size = sum(p.stat().st_size for p in (data / "inbox").rglob("*") if p.is_file())
    meta = {"key": key, "files": files, "bytes": size, "generate_s": seconds}
    meta_path.write_text(json.dumps(meta, indent=2))
    say(f"data: {files:,} files, {size / 1e6:,.0f} MB in {seconds:.1f}s")
    return {**meta, "cached": False, "dir": str(data)}


# --- running a phase while sampling its memory --------------------------------------------


def _tree_rss(root: int) -> tuple[int, list[tuple[str, int]]]:
    """Resident memory of `root` and all its descendants (sum of RSS, from /proc), and
    each process's (short command line, RSS), largest first."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo, each = 0, [root], []
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                rss = int(fh.read().split()[1]) * page
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args = [Path(a.decode(errors="replace")).name for a in fh.read().split(b"\0")[:3] if a]
        except OSError:
            continue
        total += rss
        each.append((f"{pid} {' '.join(args)}"[:80], rss))
    return total, sorted(each, key=lambda item: -item[1])


def run_phase(phase: str, cfg: dict, logs: Path, env: dict | None = None) -> dict:
    logs.mkdir(parents=True, exist_ok=True)
    cfg_path = logs / f"{phase}.config.json"
    result_path = logs / f"{phase}.result.json"
    log_path = logs / f"{phase}.log"
    result_path.unlink(missing_ok=True)
    cfg = {**cfg, "spawned_at": time.time()}
    cfg_path.write_text(json.dumps(cfg, indent=2))
    shown = log_path.relative_to(ROOT) if log_path.is_relative_to(ROOT) else log_path
    say(f"{phase}: running (log: {shown})")
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [PY, str(BENCH_DIR / "phases.py"), phase, str(cfg_path), str(result_path)],
            cwd=ROOT,
            env=env or os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        peak = [0]
        peak_processes: list = []
        loads: list[float] = []
        done = threading.Event()

        def sample():
            ticks = 0
            while not done.is_set():
                total, each = _tree_rss(proc.pid)
                if total > peak[0]:  # which processes made the peak
                    peak[0], peak_processes[:] = total, [(name, rss / 2**20) for name, rss in each[:6]]
                if ticks % 25 == 0:  # every 5 s: is someone else using the cores?
                    loads.append(os.getloadavg()[0])
                ticks += 1
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    wall = time.perf_counter() - started
    if code != 0 or not result_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-25:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"bench: phase {phase} failed (exit {code}); see {log_path}")
    result = json.loads(result_path.read_text())
    result["process_wall_s"] = wall
    result["peak_tree_rss_mib"] = peak[0] / 2**20
    result["peak_processes_mib"] = peak_processes
    result["loadavg_1min_mean"] = sum(loads) / max(len(loads), 1)
    result["loadavg_1min_max"] = max(loads, default=0.0)
    say(f"{phase}: done in {wall:.1f}s, peak {peak[0] / 2**20:,.0f} MiB")
    return result


def warm_page_cache(inbox: Path) -> None:
    """Read every inbox file once, so that the ingest (measured first) and the floor
    loop after it both read from memory: on a cold cache only the first phase pays for
    the disk, which made the ingest/floor ratio depend on the order of the phases."""
    started, files, size = time.perf_counter(), 0, 0
    for dirpath, _, filenames in os.walk(inbox):
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as fh:
                size += len(fh.read())
            files += 1
    say(f"page cache warmed: {files:,} files, {size / 2**20:,.0f} MiB in {time.perf_counter() - started:.1f}s")


def pipeline_workspace(data_dir: Path, work: Path) -> dict:
    """A fresh sources/warehouse/reports/DAGSTER_HOME; the inbox hard-linked from the cache
    (the late file is added to this copy, never to the cache)."""
    shutil.rmtree(work, ignore_errors=True)
    (work / "sources").mkdir(parents=True)
    shutil.copytree(data_dir / "reference", work / "sources" / "reference")
    subprocess.run(["cp", "-al", str(data_dir / "inbox"), str(work / "sources" / "inbox")], check=True)
    (work / "dagster_home").mkdir()
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    (work / "warehouse").mkdir()
    return {
        **os.environ,
        "DE06_SOURCES_DIR": str(work / "sources"),
        "DE06_WAREHOUSE": str(work / "warehouse" / "de06.duckdb"),
        "DE06_ANALYST_WAREHOUSE": str(work / "warehouse" / "de06_analyst.duckdb"),
        "DE06_REPORTS_DIR": str(work / "reports"),
        "DAGSTER_HOME": str(work / "dagster_home"),
        "DE06_INGEST_WORKERS": "2",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "False",
        "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


# --- the table ------------------------------------------------------------------------------


def build_table(scale: str, r: dict) -> list[list[str]]:
    rows: list[list[str]] = []
    reference = scale != "national"

    def add(stage, metric, value, target="", ok=None):
        if ok is None:
            verdict = ""
        elif reference:
            verdict = "(ok)" if ok else "(no)"
        else:
            verdict = "ok" if ok else "NO"
        rows.append([stage, metric, value, target, verdict])

    data = r["data"]
    add("data", "files / size", f"{data['files']:,} / {data['bytes'] / 1e6:,.0f} MB")
    add("data", "generate", "cached" if data["cached"] else f"{data['generate_s']:.1f} s")

    ing, floor, opx = r["ingest"], r["floor"], r["openpyxl"]
    ing_ms = 1000 * ing["wall_s"] / ing["files_seen"]
    add("ingest", "wall (land_inbox, 2 workers)", f"{ing['wall_s']:.1f} s")
    add("ingest", "files/s", f"{ing['files_per_s']:,.0f}")
    add("ingest", "figures/s (rows landed)", f"{ing['figures_per_s']:,.0f}")
    add("ingest", "per file", f"{ing_ms:.2f} ms")
    add("ingest", "peak memory (tree RSS)", f"{ing['peak_tree_rss_mib']:,.0f} MiB",
        "< 4096 MiB", ing["peak_tree_rss_mib"] < TARGETS["peak_mib"])
    floor_ratio = ing_ms / floor["per_file_ms"]
    add("floor", "calamine loop per file (1 core)", f"{floor['per_file_ms']:.2f} ms")
    add("floor", "ingest / calamine floor", f"{floor_ratio:.2f}x", "<= 2x", floor_ratio <= TARGETS["floor_ratio"])
    opx_ratio = opx["per_file_ms"] / ing_ms
    add("openpyxl", f"pandas+openpyxl per file ({opx['files']} xlsx)", f"{opx['per_file_ms']:.1f} ms")
    add("openpyxl", "openpyxl loop / ingest", f"{opx_ratio:.1f}x", ">= 10x", opx_ratio >= TARGETS["openpyxl_ratio"])

    pipe = r["pipeline"]
    for stage in ("ingest", "dbt", "checks", "reports", "other"):
        label = "dagster runs, other" if stage == "other" else stage
        add("pipeline month", f"{label}", f"{pipe['stages'].get(stage, 0.0):.1f} s")
    if "reports" in pipe:
        add("pipeline month", "report workbooks published / in the window",
            f"{pipe['reports']['workbooks_published']:,} / {pipe['reports']['workbooks']:,}")
    add("pipeline month", "start-up (python + imports)", f"{pipe['startup_s']:.1f} s")
    add("pipeline month", "end to end", f"{pipe['end_to_end_s']:.1f} s", "< 90 s",
        pipe["success"] and pipe["end_to_end_s"] < TARGETS["month_e2e_s"])
    add("pipeline month", "peak memory (tree RSS)", f"{pipe['peak_tree_rss_mib']:,.0f} MiB", "< 4096 MiB",
        pipe["peak_tree_rss_mib"] < TARGETS["peak_mib"])

    inc = r["incremental"]
    add("late file", "land (land_sources)", f"{inc['land_s']:.1f} s")
    add("late file", f"rebuild {inc['month'][:7]} (build_months)", f"{inc['build_s']:.1f} s")
    for stage in ("dbt", "checks", "reports"):
        add("late file", f"  of which {stage}", f"{inc['stages'].get(stage, 0.0):.1f} s")
    current = inc["success"] and inc["mart_current"] and len(inc["province_reports_republished"]) > 0
    add("late file", "mart + province reports current", "yes" if current else "NO",
        "yes", current)
    add("late file", "land + rebuild", f"{inc['wall_s']:.1f} s", "< 20 s",
        current and inc["wall_s"] < TARGETS["late_file_s"])
    if "reports" in inc:
        counts = inc["reports"]
        add("late file", "report workbooks recomputed / published / in the window",
            f"{counts['workbooks_recomputed']} / {counts['workbooks_published']} / {counts['workbooks']:,}")
    add("late file", "peak memory (tree RSS)", f"{inc['peak_tree_rss_mib']:,.0f} MiB", "< 4096 MiB",
        inc["peak_tree_rss_mib"] < TARGETS["peak_mib"])
    rerun = inc.get("rerun_unchanged")
    if rerun is None and inc:
        add("rerun", "same month again, nothing changed", "not run at this scale (BENCH_RERUN=1 runs it)")
    if rerun:
        add("rerun", "same month again, nothing changed (build_months)", f"{rerun['wall_s']:.1f} s")
        add("rerun", "  of which reports", f"{rerun['stages'].get('reports', 0.0):.1f} s")
        quiet = rerun["success"] and rerun["reports"]["workbooks_recomputed"] == 0 and rerun["files_unchanged"]
        add("rerun", "reports recomputed / files written", f"{rerun['reports']['workbooks_recomputed']} / "
            f"{'none' if rerun['files_unchanged'] else 'SOME'}", "0 / none", quiet)

    year = r.get("year")
    if year:
        for stage in ("ingest", "dbt", "checks", "reports", "other"):
            add("pipeline year", stage, f"{year['stages'].get(stage, 0.0):.1f} s")
        add("pipeline year", "end to end", f"{year['end_to_end_s'] / 60:.1f} min", "< 15 min",
            year["success"] and year["end_to_end_s"] < TARGETS["year_e2e_s"])
        add("pipeline year", "peak memory (tree RSS)", f"{year['peak_tree_rss_mib']:,.0f} MiB", "< 4096 MiB",
            year["peak_tree_rss_mib"] < TARGETS["peak_mib"])
    elif scale == "national":
        add("pipeline year", "end to end", "skipped (BENCH_YEAR=1; ~8 min generation + long run)", "< 15 min")

    phases = [x for x in (ing, floor, opx, pipe, inc, year) if x]
    loads = [x["loadavg_1min_max"] for x in phases if "loadavg_1min_max" in x]
    add("machine", "load average (1 min), max in any phase",
        f"{max(loads):.1f} on {r['machine']['cpus']} cores" if loads else "not recorded",
        f"<= {r['machine']['cpus']}: alone")
    peaks = [x["peak_tree_rss_mib"] for x in phases]
    add("all", "peak memory, any phase", f"{max(peaks):,.0f} MiB", "< 4096 MiB", max(peaks) < TARGETS["peak_mib"])
    return rows


def print_table(rows: list[list[str]], scale: str) -> None:
    head = ["stage", "metric", "value", "target", "ok?"]
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    print()
    if scale != "national":
        print(f"SCALE={scale}: targets are for the national scale, shown for reference")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print(line)
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)))
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py")
    parser.add_argument("--scale", choices=("national", "province"), default="national")
    parser.add_argument("--year", default=os.environ.get("BENCH_YEAR", ""),
                        help="1: also a national year (crossing tree), SCALE=national only")
    parser.add_argument("--sample", type=int, default=300, help="files for the openpyxl loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print the stored table of --scale and exit")
    args = parser.parse_args()
    if args.show:
        stored = json.loads(RESULTS.read_text())[args.scale]
        print_table(build_table(args.scale, stored), args.scale)
        print(f"measured at {stored['measured_at']}, bench wall {stored['bench_wall_s']:.0f}s")
        return 0
    year = args.year not in ("", "0", "false", "no") and args.scale == "national"

    started = time.perf_counter()
    home = CACHE / args.scale
    logs = home / "logs"
    work = home / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if args.scale == "national" and not year:
        say("the national YEAR is off by default (BENCH_YEAR=1 to run it: long)")

    results: dict = {"scale": args.scale}
    results["data"] = ensure_data(args.scale)
    data_dir = Path(results["data"]["dir"])
    base = {"data_dir": str(data_dir), "work_dir": str(work), "workers": args.workers}

    warm_page_cache(data_dir / "inbox")
    results["ingest"] = run_phase("ingest", base, logs)
    results["floor"] = run_phase("floor", base, logs)
    results["openpyxl"] = run_phase("openpyxl", {**base, "sample": args.sample}, logs)

    env = pipeline_workspace(data_dir, work / "pipeline")
    results["pipeline"] = run_phase("pipeline", base, logs, env)
    month = DATASETS[args.scale]["month"]
    # The unchanged rerun is informative nationally; at province scale it is left out unless
    # asked for, so that `make bench SCALE=province` keeps to its two minutes.
    rerun = args.scale != "province" or os.environ.get("BENCH_RERUN") == "1"
    results["incremental"] = run_phase("incremental", {**base, "month": month, "rerun": rerun}, logs, env)
    shutil.rmtree(work / "pipeline", ignore_errors=True)

    if year:
        year_data = ensure_data("national-year")
        results["year_data"] = year_data
        year_work = CACHE / "national-year" / "work"
        year_env = pipeline_workspace(Path(year_data["dir"]), year_work / "pipeline")
        results["year"] = run_phase("pipeline", {**base, "data_dir": year_data["dir"]},
                                    CACHE / "national-year" / "logs", year_env)
        shutil.rmtree(year_work, ignore_errors=True)

    results["bench_wall_s"] = time.perf_counter() - started
    results["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["machine"] = {
        "cpus": os.cpu_count(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB, 1),
        "python": platform.python_version(),
    }
    rows = build_table(args.scale, results)
    results["table"] = [dict(zip(["stage", "metric", "value", "target", "ok"], r)) for r in rows]
    print_table(rows, args.scale)
    say(f"bench {args.scale}: {results['bench_wall_s']:.0f}s in all; results in {RESULTS.relative_to(ROOT)}")

    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[args.scale] = results
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
