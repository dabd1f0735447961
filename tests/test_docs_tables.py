"""The measured tables in docs/ are the ones `python -m benchmarks.report --docs` makes from benchmarks/results/."""

import shutil
from pathlib import Path

from benchmark_command import run_benchmark

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_generated_tables_match_the_results():
    printed = run_benchmark("report", "--check", timeout=120).stdout
    assert printed == ""


def test_a_changed_figure_is_caught_and_rewritten(tmp_path):
    shutil.copy(DOCS / "benchmarks.md", tmp_path / "benchmarks.md")
    page = tmp_path / "benchmarks.md"
    original = page.read_text(encoding="utf-8")
    assert "| exact sampler | 14.33 |" in original
    page.write_text(original.replace("| exact sampler | 14.33 |", "| exact sampler | 9.99 |"), encoding="utf-8")
    checked = run_benchmark("report", "--check", "--folder", tmp_path, timeout=120, check=False)
    assert checked.returncode == 1 and checked.stdout == "differs: benchmarks.md: cpu-speed\n"
    assert run_benchmark("report", "--docs", "--folder", tmp_path).stdout == "rewrote: benchmarks.md: cpu-speed\n"
    assert page.read_text(encoding="utf-8") == original
