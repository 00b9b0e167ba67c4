"""Run the real pipeline (the same jobs `make run` runs) on a temporary warehouse."""

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterInstance

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SOURCES = PROJECT_ROOT / "sources"


@dataclass
class Workspace:
    """A sources folder, a warehouse and a reports folder, all under one temp dir."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def inbox(self) -> Path:
        return self.sources / "inbox"

    @property
    def reference(self) -> Path:
        return self.sources / "reference"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "de06.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def env(self) -> dict[str, str]:
        return {
            "DE06_SOURCES_DIR": str(self.sources),
            "DE06_WAREHOUSE": str(self.warehouse),
            # Always set: `make test` exports the repo's own copy path, which must not leak in.
            "DE06_ANALYST_WAREHOUSE": str(self.warehouse.with_name("de06_analyst.duckdb")),
            "DE06_REPORTS_DIR": str(self.reports),
            "DE06_INGEST_WORKERS": "1",
        }

    def write(self, rel_path: str, data: bytes | str) -> Path:
        """Put a file in the inbox (rel_path under inbox/) or elsewhere ('reference/...')."""
        path = self.sources / rel_path if rel_path.startswith("reference/") else self.inbox / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    @contextmanager
    def activated(self):
        saved = {k: os.environ.get(k) for k in self.env()}
        os.environ.update(self.env())
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def run(self, definitions=None, expect_success: bool = True):
        """The whole main job: land everything, build every month found."""
        from dagster_project.pipeline import run_all

        with self.activated(), DagsterInstance.ephemeral() as instance:
            outcome = run_all(instance, log=lambda *_: None, definitions=definitions)
        if expect_success:
            assert outcome.success, f"pipeline failed: {outcome}"
        return outcome

    def build_months(self, first: str, last: str):
        """Only the build job, for a range of months (as a sensor or backfill would)."""
        from dagster_project.definitions import defs
        from dagster_project.pipeline import RUN_CONFIG

        with self.activated(), DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def("build_months").execute_in_process(
                instance=instance,
                run_config=RUN_CONFIG,
                tags={
                    "dagster/asset_partition_range_start": first,
                    "dagster/asset_partition_range_end": last,
                },
            )
        assert result.success
        return result

    def land(self):
        from dagster_project.definitions import defs
        from dagster_project.pipeline import RUN_CONFIG

        with self.activated(), DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def("land_sources").execute_in_process(
                instance=instance, run_config=RUN_CONFIG
            )
        assert result.success
        return result

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params=None):
        rows = self.query(sql, params)
        assert len(rows) == 1, f"expected one row, got {rows}"
        return rows[0]

    def table(self, name: str) -> set[tuple]:
        return set(self.query(f"select * from {name}"))


def sample_workspace(root: Path) -> Workspace:
    """A workspace whose sources are a copy of the committed sample."""
    ws = Workspace(root)
    shutil.copytree(SAMPLE_SOURCES / "reference", ws.reference)
    shutil.copytree(SAMPLE_SOURCES / "inbox", ws.inbox)
    return ws
