"""Runs a benchmark as a person runs it, `python -m benchmarks.NAME ...`, for the tests of the benchmarks.

Tests never import benchmarks/ (tests/test_repository_layers.py): they run its commands and read what they print
and write.
"""

import subprocess
import sys

from devtools.app_server import ROOT, env


def run_benchmark(name: str, *args, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess:
    """The finished command (its stdout and stderr captured); with `check`, fails the test when it exits with an
    error."""
    command = [sys.executable, "-m", f"benchmarks.{name}", *map(str, args)]
    result = subprocess.run(command, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=timeout)
    assert not check or result.returncode == 0, f"{' '.join(command[1:])} failed:\n{result.stderr[-4000:]}"
    return result
