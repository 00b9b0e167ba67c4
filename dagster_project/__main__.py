"""`python -m dagster_project run`: materialise every asset and print a summary."""

import argparse
import logging
import sys

from dagster_project.summary import print_summary


def _run() -> int:
    from dagster import DagsterInstance

    from dagster_project.definitions import defs
    from dagster_project.settings import get_settings

    settings = get_settings()
    print(f"DE06: sources {settings.sources_dir}")
    print(f"DE06: warehouse {settings.warehouse_path}")
    job = defs.resolve_implicit_global_asset_job_def()
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    print_summary(settings.warehouse_path)
    if not result.success:
        print("DE06: the run failed; see the Dagster log above.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="ingest, build, check and publish everything found")
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
