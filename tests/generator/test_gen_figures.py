"""Generated good rows: whole, non-negative, numerator <= denominator, binary 0/1, and every file
reads back (python-calamine and openpyxl alike) to exactly the figures the generator meant."""

import csv

import pytest
import synth_reader as rd
from de06_synth import generate, registry
from de06_synth.kpis import KPIS
from de06_synth.months import parse_month, parse_months

BINARY = {k.code for k in KPIS if k.binary}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    months = parse_months("2025-06..2025-07")
    reg = registry.build("crossing", ["22", "74"], 3, scale=0.08, churn_rate=0.01, months=months)
    opt = generate.Options(out=out, seed=3, tree="crossing", provinces=["22", "74"], months=months, scale=0.08,
                           jobs=1, fault_rate=0.0, resubmit_rate=0.1, messy=0.8, engine="fast",
                           school_alt_formats=0.3, manifest=out / "manifest.csv", progress=False)
    generate.prepare_out(out, force=False)
    ctx = generate.Context(opt, reg)
    generate.run(ctx)
    return out, ctx


def test_good_rows_are_sane(clean_run):
    out, ctx = clean_run
    rows = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8")))
    files = [r for r in rows if r["kind"] == "submission"]
    assert len(files) > 100
    for r in files:
        p = rd.read(r["path"], (out / "inbox" / r["path"]).read_bytes())
        own, cons = rd.figures(p, BINARY)
        assert own, r["path"]
        for k, (n, d) in list(own.items()) + list(cons.items()):
            assert n is not None and d is not None, (r["path"], k)
            assert 0 <= n <= d, (r["path"], k, n, d)
            if (k[1] if isinstance(k, tuple) else k) in BINARY:
                assert d == 1 and n in (0, 1)


def test_files_read_back_to_the_intended_figures(clean_run):
    out, ctx = clean_run
    rows = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8")))
    checked = set()
    for r in rows:
        if r["kind"] != "submission":
            continue
        path, code, m = r["path"], r["unit_code"], parse_month(r["month"])
        data = (out / "inbox" / path).read_bytes()
        plan = ctx.plan(code, m)
        version = plan.versions[int(r["version"]) - 1]
        want = {ln.kpi: (ln.num, ln.den) for ln in ctx.own_lines(code, m, version)}
        engines = ("calamine", "openpyxl") if path.lower().endswith(".xlsx") else ("calamine",)
        for eng in engines:
            p = rd.read(path, data, eng)
            assert p.sender == code and p.period == m, path
            assert p.report.strftime("%Y-%m-%d") == r["report_date"][:10], path
            own, _ = rd.figures(p, BINARY)
            assert own == want, path
        checked.add(path.rsplit(".", 1)[1].lower())
    assert checked == {"xlsx", "csv", "json"}


def test_shares_rise_and_flows_are_counts(clean_run):
    _, ctx = clean_run
    code = next(u.code for u in ctx.reg.schools() if u.level == "thcs")
    early = dict((k, (n, d)) for k, n, d in ctx.figures(code, (2024, 1)))
    late = dict((k, (n, d)) for k, n, d in ctx.figures(code, (2025, 12)))
    k = "CSGD_CHU_KY_SO"
    assert late[k][0] / late[k][1] >= early[k][0] / early[k][1]
    for kpi, (n, d) in late.items():
        assert isinstance(n, int) and isinstance(d, int)
