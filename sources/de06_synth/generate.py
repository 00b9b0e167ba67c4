"""Plans and writes the inbox: who sends what, when, in which format and where.

Everything is a pure function of (options, unit, month): the plan of a unit-month, its figures,
the consolidated rows of its parent. So the work splits into independent tasks, one per
(intermediate unit or province, month), that a process pool can run in any order while the
bytes stay the same.
"""

import csv
import io
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from . import figures as fig
from .kpis import KPI_BY_CODE, target_rows
from .months import Month, due_date, key, next_month
from .registry import Registry, Unit
from .render import Layout, Line, render

ROW_FAULTS = ("non_numeric", "numerator_exceeds_denominator", "missing_value", "negative_value", "unknown_kpi",
              "duplicate_kpi_row", "binary_out_of_range")
PREPARERS = ("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Hoa", "Phạm Minh Tuấn", "Hoàng Thị Thu Hà", "Vũ Đức Thắng",
             "Đặng Thị Mai", "Bùi Quang Huy", "Đỗ Thị Ngọc Anh", "Ngô Văn Nam", "Dương Thị Hạnh", "Lý Thanh Tùng")


@dataclass
class Options:
    out: Path
    seed: int = 6
    tree: str = "before"
    provinces: list[str] | None = None  # None: national
    months: list[Month] = field(default_factory=lambda: [(2025, 1)])
    late_rate: float = 0.08
    missing_rate: float = 0.03
    resubmit_rate: float = 0.03
    fault_rate: float = 0.01
    duplicate_rate: float = 0.02
    formats: tuple[str, ...] = ("xlsx", "csv", "json")
    jobs: int = 2
    scale: float = 1.0
    churn_rate: float = 0.002
    messy: float = 0.35  # share of units whose template departs from the standard one
    engine: str = "fast"  # fast | mixed (offices' workbooks through openpyxl)
    school_alt_formats: float = 0.1  # share of schools sending csv/json when those formats are allowed
    cover_missing: float = 0.6  # a parent fills in for a child that did not send
    left_out_rate: float = 0.02
    mismatch_rate: float = 0.03
    province_extra_district_rate: float = 0.1
    manifest: Path | None = None
    progress: bool = True


@dataclass
class Story:
    """Pinned events (the sample's story). Keys use month keys 'YYYY-MM'."""

    unit_month: dict = field(default_factory=dict)  # (code, mk) -> dict of overrides
    unit_habit: dict = field(default_factory=dict)  # code -> dict: fmt, layout (dict), path_style, fname
    cons: dict = field(default_factory=dict)  # (parent, child, mk) -> 'left_out' | 'mismatch' | 'cover' | 'no_cover'
    prov_districts: dict = field(default_factory=dict)  # (province, mk) -> [district codes]
    fig: dict = field(default_factory=dict)  # (code, mk, kpi) -> (num, den)


@dataclass
class Version:
    n: int
    dt: datetime
    fmt: str
    path: str
    layout: Layout
    dup_paths: list[str] = field(default_factory=list)
    fault: str | None = None
    changes: dict = field(default_factory=dict)  # kpi -> (num, den) for a resubmission


@dataclass
class UnitMonth:
    code: str
    month: Month
    whole: bool
    due: datetime
    missing: bool
    late: bool
    versions: list[Version]
    skip: bool = False  # written by bad_files instead
    note: str = ""


# ------------------------------------------------------------------------------- context
class Context:
    def __init__(self, opt: Options, reg: Registry, story: Story | None = None):
        self.opt, self.reg, self.story = opt, reg, story or Story()
        self._profiles: dict[str, fig.Profile] = {}

    # ---- figures
    def profile(self, code: str) -> fig.Profile:
        p = self._profiles.get(code)
        if p is None:
            u = self.reg.units[code]
            p = fig.profile(self.opt.seed, u, u.new_province)
            if len(self._profiles) > 20000:
                self._profiles.clear()
            self._profiles[code] = p
        return p

    def figures(self, code: str, m: Month) -> list[tuple[str, int, int]]:
        out = fig.monthly(self.opt.seed, self.profile(code), m)
        if self.story.fig:
            mk = key(m)
            out = [(k, *self.story.fig.get((code, mk, k), (n, d))) for k, n, d in out]
        return out

    # ---- habits
    def habit(self, u: Unit) -> dict:
        rng = random.Random(f"{self.opt.seed}|habit|{u.code}")
        draws = [rng.random() for _ in range(24)]
        allowed = self.opt.formats
        if u.unit_type == "school":
            alt = self.opt.school_alt_formats / 2
            weights = {"xlsx": 1.0 - 2 * alt, "csv": alt, "json": alt}
        elif u.unit_type in ("district", "commune"):
            weights = {"xlsx": 1.0, "csv": 0.0, "json": 0.0}
        else:
            weights = {"xlsx": 0.0, "csv": 0.5, "json": 0.5}
        w = [(f, weights[f]) for f in allowed]
        if sum(x for _, x in w) <= 0:
            w = [(f, 1.0) for f in allowed]
        tot, acc, fmt = sum(x for _, x in w), 0.0, w[-1][0]
        for f, x in w:
            acc += x / tot
            if draws[0] < acc:
                fmt = f
                break
        messy = draws[1] < self.opt.messy

        def pick(i, options, standard):
            return options[int(draws[i] * len(options))] if messy else standard

        lay = Layout(
            sheet_name=pick(2, ("BaoCao", "BaoCao", "Báo cáo", "BAO CAO", "Bao cao"), "BaoCao"),
            r0=pick(3, (1, 1, 2, 3), 1), c0=pick(4, (1, 1, 1, 2), 1),
            title_merged=draws[5] < 0.6,
            label_style=pick(6, ("std", "nocolon", "upper", "ascii", "nfd", "spaces", "mixed"), "std"),
            value_gap=pick(7, (0, 0, 0, 1), 0),
            columns=pick(8, ("std", "alt1", "alt2", "namefirst"), "std"),
            header_style=pick(9, ("std", "std", "upper", "ascii"), "std"),
            rate=pick(10, ("none", "value", "formula"), "none"),
            num_text=pick(11, ("none", "none", "dot", "space"), "none"),
            float_cells=messy and draws[12] < 0.15,
            binary_form=pick(13, ("co_khong", "x_empty", "10", "co_empty_den"), "co_khong"),
            total_row=messy and draws[14] < 0.2,
            preparer=PREPARERS[int(draws[15] * len(PREPARERS))],
            engine="openpyxl" if (self.opt.engine == "mixed" and u.unit_type in ("district", "commune")) else "fast",
            bom=draws[16] < 0.3, crlf=draws[17] < 0.3,
            json_indent=2 if draws[18] < 0.6 else None,
            text_numbers=messy and draws[19] < 0.3,
        )
        h = {"fmt": fmt, "layout": lay,
             "path_style": ("code", "code", "names", "flat")[int(draws[20] * 4)],
             "fname": int(draws[21] * 6), "upper_ext": draws[22] < 0.03,
             "period_pool": ("thang", "thang_nam", "T", "mm_yyyy", "iso", "excel") if messy else ("thang", "thang", "thang_nam", "iso"),
             "date_pool": ("dt_text", "d_text", "excel_dt", "excel_d") if messy else ("dt_text", "dt_text", "d_text")}
        pin = self.story.unit_habit.get(u.code)
        if pin:
            pin = dict(pin)
            if "layout" in pin:
                h["layout"] = replace(h["layout"], **pin.pop("layout"))
            h.update(pin)
        return h

    # ---- plan of one unit-month
    def plan(self, code: str, m: Month) -> UnitMonth | None:
        u = self.reg.units.get(code)
        if u is None or not u.active_any(m):
            return None
        opt, mk = self.opt, key(m)
        rng = random.Random(f"{opt.seed}|plan|{code}|{mk}")
        d = [rng.random() for _ in range(16)]
        whole = u.active_whole(m)
        prov = self.reg.province_of(code, m)
        utype = u.row_in(m).unit_type
        due_day = self.reg.deadline_day(utype, prov)
        due = due_date(m, due_day)
        pin = self.story.unit_month.get((code, mk), {})
        missing = d[0] < opt.missing_rate if whole else d[0] < 0.4
        late = d[1] < opt.late_rate
        resubmit = d[2] < opt.resubmit_rate
        duplicate = d[3] < opt.duplicate_rate
        fault = ROW_FAULTS[int(d[5] * len(ROW_FAULTS))] if d[4] < opt.fault_rate else None
        missing = pin.get("missing", missing)
        late = pin.get("late", late)
        resubmit = pin.get("resubmit", resubmit)
        duplicate = pin.get("duplicate", duplicate)
        fault = pin.get("fault", fault)
        due_end = datetime(due.year, due.month, due.day, 23, 59)
        n = next_month(m)
        start = datetime(n[0], n[1], 1, 7, 0)
        if late:
            dt = due_end + timedelta(days=1 + int(d[6] * 12), hours=-16 + int(d[7] * 14), minutes=int(d[8] * 59) - 59)
        else:
            span = (due - start.date()).days
            back = min(span, int(abs(rng.gauss(0, 2.2))))
            dt = datetime(due.year, due.month, due.day, 7 + int(d[7] * 15), int(d[8] * 60)) - timedelta(days=back)
            dt = max(dt, start)
        dt = pin.get("report_dt", dt)
        late = dt.date() > due
        h = self.habit(u)
        fmt = pin.get("fmt", h["fmt"])
        lay = replace(h["layout"],
                      period_form=h["period_pool"][int(d[9] * len(h["period_pool"]))],
                      date_form=h["date_pool"][int(d[10] * len(h["date_pool"]))])
        if "layout" in pin:
            lay = replace(lay, **pin["layout"])
        path = pin.get("path") or self.path_for(u, m, h, fmt, 1)
        v1 = Version(1, dt, fmt, path, lay, fault=fault)
        versions = [v1]
        if resubmit:
            dt2 = pin.get("report_dt2") or (dt + timedelta(days=1 + int(d[11] * 8), hours=int(d[12] * 5)))
            lay2 = replace(lay, date_form="dt_text") if lay.date_form in ("d_text", "excel_d", "iso_d") else lay
            if "layout2" in pin:
                lay2 = replace(lay2, **pin["layout2"])
            changes = pin.get("changes") or self._changes(code, m, rng)
            versions.append(Version(2, dt2, fmt, pin.get("path2") or self.path_for(u, m, h, fmt, 2), lay2,
                                    changes=changes))
        if duplicate:
            which = versions[pin.get("duplicate_version", 1) - 1]
            which.dup_paths.append(pin.get("dup_path") or self.dup_path_for(u, m, which.path, d[13]))
        return UnitMonth(code, m, whole, due_end, missing, late, versions, skip=pin.get("skip", False),
                         note=pin.get("note", ""))

    def _changes(self, code: str, m: Month, rng: random.Random) -> dict:
        figs = [(k, n, dd) for k, n, dd in self.figures(code, m) if not KPI_BY_CODE[k].binary and dd > 0]
        out = {}
        for k, n, dd in rng.sample(figs, min(len(figs), rng.randint(1, 3))):
            if rng.random() < 0.3:
                dd2 = dd + rng.randint(1, max(1, dd // 20))
                out[k] = (min(dd2, n + rng.randint(0, 3)), dd2)
            else:
                out[k] = (min(dd, max(0, n + rng.choice((-3, -2, -1, 1, 2, 3, 5)))), dd)
        return out

    # ---- paths
    def _prov_folder(self, u: Unit, m: Month, style: str) -> str:
        p = self.reg.province_of(u.code, m)
        if style == "names":
            name = self.reg.units[p].row_in(m).unit_name
            for pre in ("Thành phố ", "Tỉnh "):
                if name.startswith(pre):
                    name = name[len(pre):]
            return f"{p} - {name}"
        return p

    def path_for(self, u: Unit, m: Month, h: dict, fmt: str, version: int) -> str:
        style = h["path_style"]
        mk = key(m)
        y, mo = m
        row = u.row_in(m)
        parent = self.reg.units.get(row.parent_code) if row.parent_code else None
        prov = self._prov_folder(u, m, style)
        if style == "code":
            folder = f"{prov}/{mk}/{parent.code}/{u.code}" if u.unit_type == "school" else f"{prov}/{mk}/{u.code}"
        elif style == "names":
            month_dir = f"Tháng {mo}-{y}"
            if u.unit_type == "school" and parent.unit_type != "province":
                folder = f"{prov}/{month_dir}/{parent.row_in(m).unit_name}"
            elif u.unit_type == "school":
                folder = f"{prov}/{month_dir}/Trường trực thuộc Sở"
            else:
                folder = f"{prov}/{month_dir}"
        else:
            folder = f"{prov}/nop qua email/{mk}"
        name = row.unit_name
        patterns = [f"Báo cáo ĐA06 tháng {mo} năm {y} - {name}",
                    f"BC_DA06_{u.code}_T{mo:02d}_{y}",
                    f"DA06 {y}{mo:02d} {u.code}",
                    f"{name} - báo cáo tháng {mo:02d}",
                    f"bao cao de an 06 thang {mo} ({u.code})",
                    f"{u.code} {name} T{mo}.{y}"]
        stem = patterns[h["fname"] % len(patterns)]
        if style != "code" and u.code not in stem:
            stem = f"{stem} ({u.code})"
        if version > 1:
            stem += (" (bổ sung)", "_lan2", " - sửa lại", " (gửi lại)")[(h["fname"] + version) % 4]
        ext = fmt.upper() if (h["upper_ext"] and fmt == "xlsx") else fmt
        return f"{folder}/{stem}.{ext}"

    def dup_path_for(self, u: Unit, m: Month, path: str, draw: float) -> str:
        fname = path.rsplit("/", 1)[1]
        if u.code not in fname:
            fname = f"{u.code} - {fname}"
        prov = self.reg.province_of(u.code, m)
        n = next_month(m)
        choice = int(draw * 3)
        if choice == 0:
            return f"{prov}/trung_lap/{fname}"
        if choice == 1:
            return f"email chuyển tiếp/{n[0]}-{n[1]:02d}/{fname}"
        return f"{path.rsplit('/', 1)[0]}/ban sao/{fname}"

    # ---- consolidation
    def own_lines(self, code: str, m: Month, version: Version | None = None) -> list[Line]:
        figs = self.figures(code, m)
        if version is not None and version.changes:
            figs = [(k, *version.changes.get(k, (n, d))) for k, n, d in figs]
        return [Line(k, n, d) for k, n, d in figs]

    def cons_lines_for_child(self, parent: str, child: str, m: Month, plan: UnitMonth | None,
                             force: bool = False) -> list[Line]:
        """The parent's consolidated rows about one child (empty: left out / not covered)."""
        mk = key(m)
        rng = random.Random(f"{self.opt.seed}|cons|{parent}|{child}|{mk}")
        d = [rng.random() for _ in range(4)]
        pin = self.story.cons.get((parent, child, mk))
        sent = plan is not None and not plan.missing
        if pin == "left_out" or pin == "no_cover":
            return []
        if pin is None and not force:
            if not sent and d[0] >= self.opt.cover_missing:
                return []
            if sent and d[1] < self.opt.left_out_rate:
                return []
        figs = self.figures(child, m)
        mismatch = pin == "mismatch" or (pin is None and sent and d[2] < self.opt.mismatch_rate)
        name = self.reg.units[child].row_in(m).unit_name
        lines = [Line(k, n, dd, unit=child, unit_name=name) for k, n, dd in figs]
        if mismatch:
            cands = [i for i, ln in enumerate(lines) if not KPI_BY_CODE[ln.kpi].binary and ln.den > 0]
            if cands:
                i = cands[int(d[3] * len(cands))]
                ln = lines[i]
                new = ln.num - 1 if ln.num > 0 else ln.num + 1
                lines[i] = Line(ln.kpi, min(new, ln.den), ln.den, "số liệu tổng hợp từ phần mềm", child, name)
        return lines

    def consolidated(self, office: str, m: Month, plans: dict[str, UnitMonth | None]) -> list[Line] | None:
        """All consolidated rows of an office's submission for month m."""
        u = self.reg.units[office]
        lines: list[Line] = []
        children = self.reg.children_in(office, m)
        schools = [c for c in children if self.reg.units[c].unit_type == "school"]
        for s in schools:
            lines += self.cons_lines_for_child(office, s, m, plans.get(s) if s in plans else self.plan(s, m))
        if u.row_in(m).unit_type == "province":
            mk = key(m)
            inter = [c for c in children if self.reg.units[c].unit_type != "school"]
            chosen = self.story.prov_districts.get((office, mk))
            if chosen is None:
                chosen = []
                for dcode in inter:
                    dp = self.plan(dcode, m)
                    r = random.Random(f"{self.opt.seed}|pcons|{office}|{dcode}|{mk}").random()
                    if (dp is None or dp.missing) or r < self.opt.province_extra_district_rate:
                        chosen.append(dcode)
            for dcode in chosen:
                if dcode not in inter:
                    continue
                lines += self.cons_lines_for_child(office, dcode, m, self.plan(dcode, m), force=True)
                for s in self.reg.children_in(dcode, m):
                    lines += self.cons_lines_for_child(office, s, m, self.plan(s, m), force=True)
        if not lines and not schools and u.row_in(m).unit_type != "province":
            return None
        return lines


# ------------------------------------------------------------------------------- faults
def apply_fault(lines: list[Line], fault: str, rng: random.Random) -> tuple[list[Line], str]:
    lines = list(lines)
    nb = [i for i, ln in enumerate(lines) if not KPI_BY_CODE[ln.kpi].binary]
    bi = [i for i, ln in enumerate(lines) if KPI_BY_CODE[ln.kpi].binary]
    if not nb:
        return lines, ""
    i = nb[int(rng.random() * len(nb))]
    ln = lines[i]
    if fault == "non_numeric":
        lines[i] = replace(ln, num=rng.choice(["12,5", "khoảng 40", "n/a", "1.5"]))
    elif fault == "numerator_exceeds_denominator":
        lines[i] = replace(ln, num=(ln.den or 0) + rng.randint(1, 9))
    elif fault == "missing_value":
        lines[i] = replace(ln, num=None)
    elif fault == "negative_value":
        lines[i] = replace(ln, num=-(ln.num or 0) - rng.randint(1, 5))
    elif fault == "unknown_kpi":
        lines[i] = replace(ln, kpi=ln.kpi.replace("_", "", 1) if rng.random() < 0.5 else ln.kpi + "_2")
    elif fault == "duplicate_kpi_row":
        lines.insert(i + 1, replace(ln, num=max(0, (ln.num or 0) - 1)))
    elif fault == "binary_out_of_range" and bi:
        j = bi[int(rng.random() * len(bi))]
        lines[j] = replace(lines[j], num=2)
        return lines, lines[j].kpi
    return lines, ln.kpi


# ------------------------------------------------------------------------------- tasks
_CTX: Context | None = None


def _init_worker(ctx: Context) -> None:
    global _CTX
    _CTX = ctx


def tasks_for(ctx: Context) -> list[tuple[str, Month, list[str]]]:
    """(office, month, [schools written in the same task]) for every month."""
    reg = ctx.reg
    out = []
    for m in ctx.opt.months:
        offices = [u.code for u in reg.offices() if u.active_any(m)]
        for o in offices:
            kids = [c for c in reg.children_in(o, m) if reg.units[c].unit_type == "school"]
            out.append((o, m, kids))
    return out


def run_task(task: tuple[str, Month, list[str]]) -> tuple[list[list[str]], int, int]:
    ctx = _CTX
    office, m, schools = task
    root = ctx.opt.out / "inbox"
    rows: list[list[str]] = []
    nfiles = 0
    plans = {s: ctx.plan(s, m) for s in schools}
    plans[office] = ctx.plan(office, m)
    for code in schools + [office]:
        p = plans[code]
        if p is None:
            continue
        u = ctx.reg.units[code]
        row = u.row_in(m)
        if p.missing or p.skip:
            rows.append(["", "missing" if p.missing else "replaced", code, row.unit_type, key(m), "", "", "",
                         p.due.strftime("%Y-%m-%d"), "", "", p.note or ("not sent" if p.missing else "replaced by a file under loi/")])
            continue
        cons = ctx.consolidated(code, m, plans) if row.unit_type != "school" else None
        for v in p.versions:
            own = ctx.own_lines(code, m, v)
            fault_kpi = ""
            if v.fault:
                own, fault_kpi = apply_fault(own, v.fault, random.Random(f"{ctx.opt.seed}|fault|{code}|{key(m)}"))
            data = render(v.fmt, code, row.unit_name, m, v.dt, own, cons, v.layout)
            for i, path in enumerate([v.path] + v.dup_paths):
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                nfiles += 1
                late = v.dt.date() > p.due.date()
                rows.append([path, "submission" if i == 0 else "duplicate", code, row.unit_type, key(m), v.fmt,
                             str(v.n), v.dt.strftime("%Y-%m-%d %H:%M"), p.due.strftime("%Y-%m-%d"),
                             "1" if late else "0", (v.fault + ":" + fault_kpi) if v.fault else "",
                             p.note if i == 0 else f"copy of {v.path}"])
    return rows, nfiles, len(schools) + 1


MANIFEST_HEADER = ["path", "kind", "unit_code", "unit_type", "month", "format", "version", "report_date", "due_date",
                   "late", "fault", "note"]


def write_reference(reg: Registry, out: Path) -> None:
    ref = out / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    (ref / "org_units.csv").write_bytes(reg.org_units_csv())
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kpi_code", "area_code", "year", "target"])
    w.writerows(target_rows())
    (ref / "kpi_targets.csv").write_bytes(buf.getvalue().encode("utf-8"))
    (ref / "reporting_deadlines.csv").write_bytes(reg.deadlines_csv())


def run(ctx: Context, extra_rows: list[list[str]] | None = None) -> dict:
    opt = ctx.opt
    t0 = time.monotonic()
    write_reference(ctx.reg, opt.out)
    tasks = tasks_for(ctx)
    total_units = sum(len(k) + 1 for _, _, k in tasks)
    rows: list[list[str]] = []
    files = done = 0
    last = t0

    def report(final: bool = False):
        el = time.monotonic() - t0
        print(f"[de06_synth] {done:,}/{total_units:,} unit-months, {files:,} files, "
              f"{files / el if el > 0 else 0:,.0f} files/s, {el:,.1f}s{' - done' if final else ''}",
              file=sys.stderr, flush=True)

    if opt.jobs <= 1 or len(tasks) < 4:
        _init_worker(ctx)
        for t in tasks:
            r, n, u = run_task(t)
            rows += r
            files += n
            done += u
            if opt.progress and time.monotonic() - last > 3:
                last = time.monotonic()
                report()
    else:
        import multiprocessing as mp
        try:
            mpctx = mp.get_context("fork")
        except ValueError:
            mpctx = None
        with ProcessPoolExecutor(max_workers=opt.jobs, mp_context=mpctx, initializer=_init_worker,
                                 initargs=(ctx,)) as ex:
            futs = [ex.submit(run_task, t) for t in tasks]
            for f in as_completed(futs):
                r, n, u = f.result()
                rows += r
                files += n
                done += u
                if opt.progress and time.monotonic() - last > 3:
                    last = time.monotonic()
                    report()
    rows += extra_rows or []
    paths = [r[0] for r in rows if r[0]]
    if len(paths) != len(set(paths)):
        dupes = sorted({p for p in paths if paths.count(p) > 1})[:5]
        raise RuntimeError(f"two files were planned at the same path: {dupes}")
    rows.sort(key=lambda r: (r[4], r[2], r[6], r[0]))
    if opt.manifest:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(MANIFEST_HEADER)
        w.writerows(rows)
        opt.manifest.parent.mkdir(parents=True, exist_ok=True)
        opt.manifest.write_bytes(buf.getvalue().encode("utf-8"))
    if opt.progress:
        report(final=True)
    return {"files": files, "unit_months": total_units, "seconds": time.monotonic() - t0, "rows": rows}


def prepare_out(out: Path, force: bool) -> None:
    inbox = out / "inbox"
    if inbox.exists() and any(inbox.iterdir()):
        if not force:
            raise SystemExit(f"{inbox} is not empty; pass --force to replace it")
        shutil.rmtree(inbox)
    ref = out / "reference"
    if ref.exists() and force:
        shutil.rmtree(ref)
    os.makedirs(inbox, exist_ok=True)
