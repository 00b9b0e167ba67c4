"""Headless Chromium for tests that must see a page as a person would.

Debian's `chromium` is installed on first use where it is missing (the machines are
root and reach Debian's package mirror); a failed install fails the test, loudly.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


def ensure_chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    found = shutil.which("chromium")
    assert found, "chromium could not be installed"
    return found


def _run(args: list[str], timeout: int = 90) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        return subprocess.run(
            [ensure_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(url: str, wait_ms: int = 3000) -> str:
    """The page's DOM after its scripts ran (file:// or http://127.0.0.1 URLs)."""
    result = _run([f"--virtual-time-budget={wait_ms}", "--dump-dom", url])
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, png: Path, size: str = "1400,1000", wait_ms: int = 3000) -> Path:
    result = _run([f"--virtual-time-budget={wait_ms}", f"--window-size={size}", f"--screenshot={png}", url])
    assert result.returncode == 0 and png.exists(), result.stderr[-2000:]
    return png
