"""Same options and seed give the same bytes, whatever the number of worker processes."""

import hashlib
from pathlib import Path

import pytest

from de06_synth import generate, registry
from de06_synth.months import parse_months


def _run(out: Path, seed: int, jobs: int) -> dict[str, str]:
    months = parse_months("2025-02..2025-03")
    reg = registry.build("before", ["22"], seed, scale=0.15, churn_rate=0.01, months=months)
    opt = generate.Options(out=out, seed=seed, provinces=["22"], months=months, scale=0.15, jobs=jobs,
                           late_rate=0.2, missing_rate=0.1, resubmit_rate=0.2, duplicate_rate=0.1, fault_rate=0.1,
                           engine="mixed", manifest=out / "manifest.csv", progress=False)
    generate.prepare_out(out, force=False)
    generate.run(generate.Context(opt, reg))
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("a"), 11, jobs=1)


def test_same_seed_same_bytes(first, tmp_path):
    b = _run(tmp_path / "b", 11, jobs=2)
    assert len(first) > 100
    assert first == b


def test_other_seed_other_bytes(first, tmp_path):
    a = first
    c = _run(tmp_path / "c", 12, jobs=1)
    assert a["reference/org_units.csv"] != c["reference/org_units.csv"] or a != c
    assert set(a.values()) != set(c.values())
