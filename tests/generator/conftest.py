"""Fixtures for the synthetic-data generator tests (sources/de06_synth)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sources"
for p in (str(SOURCES), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    return SOURCES


@pytest.fixture(scope="session")
def fresh_sample(tmp_path_factory) -> Path:
    """The sample preset written afresh into a temporary folder (single process)."""
    from de06_synth import sample

    out = tmp_path_factory.mktemp("sample")
    sample.build_sample(out, jobs=1, progress=False)
    return out
