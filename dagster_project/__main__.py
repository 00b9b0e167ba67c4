"""`python -m dagster_project run`: land the sources, build every month found, summarise."""

import argparse
import logging
import sys

from dagster_project.summary import print_summary

# Exit status when another run holds the warehouse (distinct from a failed run's 1).
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


def _run() -> int:
    from dagster import DagsterInstance

    from dagster_project.pipeline import run_all
    from dagster_project.settings import get_settings
    from dagster_project.warehouse_lock import WarehouseBusy

    settings = get_settings()
    print(f"DE06: sources   {settings.sources_dir}")
    print(f"DE06: warehouse {settings.warehouse_path}")
    print(f"DE06: reports   {settings.reports_dir}")
    print(f"DE06: analysts' copy {settings.analyst_warehouse_path}")
    try:
        with DagsterInstance.get() as instance:
            outcome = run_all(instance)
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        return EXIT_BUSY
    print_summary(settings.warehouse_path)
    if not outcome.success:
        print("DE06: the run failed; see the Dagster log above.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="land the sources, build every month found, print a summary")
    sub.add_parser("summary", help="print the warehouse summary (read-only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "run":
        return _run()
    from dagster_project.settings import get_settings

    print_summary(get_settings().warehouse_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
