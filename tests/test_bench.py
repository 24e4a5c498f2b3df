"""The benchmarks still run against the current schema (figures are not judged here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmarks_run_on_a_small_scale():
    done = subprocess.run([sys.executable, "-m", "bench", "--rows", "40", "--households", "300"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("household list: first page of 300") for line in lines)
    assert all("ratio" in line for line in lines)
