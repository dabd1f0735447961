"""scripts/gpu_bench.sh rehearsed on the CPU with tiny shapes: its parts run, name their files and write JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gpu_bench.sh"
STATIC = "exact sampler, static + CUDA graphs"


def _run(*args, env=None):
    environment = {**os.environ, "PYTHON": sys.executable, "GRADIO_ANALYTICS_ENABLED": "False",
                   "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=300)


def test_tiny_rehearsal_writes_every_cheap_part(tmp_path):
    done = _run("variants,steps64,autoregressive", str(tmp_path), "--shape", "tiny")
    assert done.returncode == 0, done.stdout + done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["gpu_cpu_autoregressive.json", "gpu_cpu_llada8b.json", "gpu_cpu_llada8b_64steps.json",
                     "gpu_cpu_log.txt", "gpu_cpu_summary.md"]

    variants = json.loads((tmp_path / "gpu_cpu_llada8b.json").read_text())[0]
    rows = {r["variant"]: r for r in variants["rows"]}
    assert variants["device"] == "cpu" and variants["shape"] == "tiny"
    assert set(rows) == {"naive reference loop", "exact sampler", "exact sampler, block-only guesses", STATIC,
                         "prefix cache", "dual cache", "threshold τ 0.9 + dual cache"}
    assert rows["naive reference loop"]["vs_naive"] == 1.0 and rows[STATIC]["nfe"] == 32
    assert rows[STATIC]["agreement"] == 1.0  # same answer as the loop at temperature 0
    assert all(r["gen_length"] == 32 and r["tokens_per_s"] > 0 for r in rows.values())

    fewer = {r["variant"]: r for r in json.loads((tmp_path / "gpu_cpu_llada8b_64steps.json").read_text())[0]["rows"]}
    assert fewer[STATIC]["steps"] == 8 and fewer[STATIC]["tokens_per_pass"] == 4.0

    baseline = json.loads((tmp_path / "gpu_cpu_autoregressive.json").read_text())[0]["rows"]
    assert len(baseline) == 1 and baseline[0]["nfe"] == 32 and baseline[0]["tokens_per_pass"] == 1.0

    summary = (tmp_path / "gpu_cpu_summary.md").read_text()
    for part in ("variants", "steps64", "autoregressive"):
        assert f"| {part} | ok |" in summary
    assert "static exact sampler vs naive loop, 32 steps" in summary and "| prefix cache |" in summary


def test_a_failing_part_does_not_stop_the_next_and_fails_the_run(tmp_path):
    # A python that always fails: every part fails fast, each is still tried, and the run exits nonzero.
    done = _run("steps64,autoregressive", str(tmp_path), "--shape", "tiny", env={"PYTHON": "false"})
    assert done.returncode == 1
    log = next(tmp_path.glob("gpu_*_log.txt")).read_text()
    assert "== steps64: failed" in log and "== autoregressive: failed" in log
    assert "FAILED: steps64 autoregressive" in done.stdout


def test_unknown_parts_and_shapes_are_refused_before_anything_runs(tmp_path):
    assert _run("varients", str(tmp_path), "--shape", "tiny").returncode == 2
    assert _run("all", str(tmp_path), "--shape", "huge").returncode == 2
    assert not any(tmp_path.iterdir())


def test_the_speed_benchmark_is_an_entry_point():  # the script calls it directly, not through llada_demo's CLI
    done = subprocess.run([sys.executable, "-m", "benchmarks.speed", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "python -m benchmarks.speed" in done.stdout and "--no-naive" in done.stdout
