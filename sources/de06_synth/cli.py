"""Command line: python -m de06_synth --help"""

import argparse
import sys
from pathlib import Path

from . import generate, registry
from .months import parse_months


def _rate(s: str) -> float:
    v = float(s)
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError("a rate is a fraction between 0 and 1")
    return v


def _formats(s: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(x.strip().lower() for x in s.split(",") if x.strip()))
    bad = [x for x in out if x not in ("xlsx", "csv", "json")]
    if bad or not out:
        raise argparse.ArgumentTypeError("formats: a comma list of xlsx, csv, json")
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m de06_synth",
        description="Synthetic DE06 (Đề án 06) reporting sources: writes OUT/reference/*.csv (registry, "
                    "targets, deadlines) and OUT/inbox/** (school, district/commune and province submissions "
                    "in xlsx, csv and json). Same options and seed give the same bytes.",
        epilog="Examples:\n"
               "  python -m de06_synth --sample --out sources                      # the committed sample\n"
               "  python -m de06_synth --out /tmp/qn --provinces 22 --months 2025-03\n"
               "  python -m de06_synth --out /tmp/vn --national --months 2025-03   # one national month\n"
               "  python -m de06_synth --out /tmp/vn25 --national --tree crossing --months 2025-01..2025-12\n",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="output folder (gets reference/ and inbox/)")
    p.add_argument("--sample", action="store_true",
                   help="the committed sample: fixes every option below (Quảng Ninh 22 + Bình Dương 74, "
                        "2025-01..2025-07 across the July 2025 reorganisation, story events and the bad "
                        "files under inbox/loi/)")
    p.add_argument("--sample-year", action="store_true",
                   help="the sample continued to 2025-12 (not committed)")
    p.add_argument("--large-file", action="store_true",
                   help="with --sample: also write a 21 MiB file (file_too_large); left out of the committed sample")
    p.add_argument("--seed", type=int, default=6, help="random seed (default 6)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--provinces", help="comma list of province codes, e.g. 22,74 (old codes for the before "
                                           "and crossing trees, new codes for after; a new code stands for "
                                           "every old province merged into it)")
    scope.add_argument("--national", action="store_true", help="every province")
    p.add_argument("--tree", choices=("before", "after", "crossing"), default="before",
                   help="before: 63 provinces/696 districts; after: 34 provinces with communes (from 2025-07); "
                        "crossing: both, with the July 2025 reorganisation in the registry")
    p.add_argument("--months", default=None,
                   help="YYYY-MM, YYYY-MM..YYYY-MM or a comma list (default 2025-01..2025-06, "
                        "or 2025-07..2025-12 for --tree after)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply school counts (default 1.0)")
    p.add_argument("--late-rate", type=_rate, default=0.08, help="share of submissions after the deadline")
    p.add_argument("--missing-rate", type=_rate, default=0.03, help="share of unit-months with no submission")
    p.add_argument("--resubmit-rate", type=_rate, default=0.03, help="share of unit-months sent twice")
    p.add_argument("--fault-rate", type=_rate, default=0.01, help="share of files with one faulty row")
    p.add_argument("--duplicate-rate", type=_rate, default=0.02, help="share of files also copied elsewhere")
    p.add_argument("--churn-rate", type=_rate, default=0.002, help="share of schools opening/closing mid-period")
    p.add_argument("--messy", type=_rate, default=0.35, help="share of units whose template departs from the standard")
    p.add_argument("--formats", type=_formats, default=("xlsx", "csv", "json"),
                   help="formats in use (default xlsx,csv,json): schools and districts send xlsx, provinces "
                        "csv/json, a few schools csv/json; a unit whose usual format is excluded uses another")
    p.add_argument("--engine", choices=("fast", "mixed"), default="fast",
                   help="fast: every workbook from the built-in writer; mixed: offices' workbooks via openpyxl")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--manifest", type=Path, help="write a CSV listing every file and every missing unit-month")
    p.add_argument("--force", action="store_true", help="replace OUT/inbox and OUT/reference if they exist")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.sample or args.sample_year:
        from . import sample
        res = sample.build_sample(args.out, year=args.sample_year, large_file=args.large_file,
                                  jobs=args.jobs, progress=not args.quiet)
        print(f"sample: {res['files']} files in {res['seconds']:.1f}s -> {args.out}", file=sys.stderr)
        return 0
    if args.months is None:
        args.months = "2025-07..2025-12" if args.tree == "after" else "2025-01..2025-06"
    months = parse_months(args.months)
    if args.tree == "after" and months[0] < (2025, 7):
        raise SystemExit("--tree after starts in 2025-07; use --tree crossing for earlier months")
    if args.tree == "before" and months[-1] > (2025, 6):
        print("note: --tree before keeps the pre-July tree for every month", file=sys.stderr)
    provinces = None if args.national or not args.provinces else args.provinces.split(",")
    if not args.national and not args.provinces:
        raise SystemExit("give --provinces CODES or --national")
    reg = registry.build(args.tree, provinces, args.seed, scale=args.scale, churn_rate=args.churn_rate,
                         months=months)
    opt = generate.Options(out=args.out, seed=args.seed, tree=args.tree, provinces=provinces, months=months,
                           late_rate=args.late_rate, missing_rate=args.missing_rate,
                           resubmit_rate=args.resubmit_rate, fault_rate=args.fault_rate,
                           duplicate_rate=args.duplicate_rate, formats=args.formats, jobs=args.jobs,
                           scale=args.scale, churn_rate=args.churn_rate, messy=args.messy, engine=args.engine,
                           manifest=args.manifest, progress=not args.quiet)
    generate.prepare_out(args.out, args.force)
    res = generate.run(generate.Context(opt, reg))
    print(f"{res['files']:,} files for {res['unit_months']:,} unit-months in {res['seconds']:.1f}s -> {args.out}",
          file=sys.stderr)
    return 0
