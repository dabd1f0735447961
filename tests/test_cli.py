"""`python -m llada_demo generate` answers on the CPU, showing the denoising live, and writes the trace."""

import subprocess
import sys
from pathlib import Path

from llada_demo.trace import Trace

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "llada_demo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})


def test_generate_shows_frames_then_the_answer(tmp_path):
    out = tmp_path / "trace.json"
    result = run_cli("generate", "Write a story about a cat.", "--length", "32", "--steps", "16", "--block", "16",
                     "--json", str(out))
    assert result.returncode == 0, result.stderr
    frames = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert len(frames) >= 2 and frames[-1].startswith("step 16/16") and "masks 0" in frames[-1]
    assert "░" in result.stdout  # masks were shown while the answer diffused
    assert "NFE: 16" in result.stdout and "answer: " in result.stdout
    trace = Trace.from_json(out.read_text(encoding="utf-8"))
    assert len(trace.steps) == 16 and trace.finished


def test_bad_settings_exit_with_a_message_and_the_nearest_valid_ones():
    result = run_cli("generate", "Hi", "--length", "30", "--block", "8")
    assert result.returncode == 2
    assert "must divide" in result.stderr and "nearest valid: --length 30 --steps 30 --block 10" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_with_cache_and_block_only_guesses_records_them(tmp_path):
    out = tmp_path / "trace.json"
    result = run_cli("generate", "Write a story about a cat.", "--length", "32", "--steps", "16", "--block", "8",
                     "--cache", "dual", "--guesses", "block", "--no-live", "--json", str(out))
    assert result.returncode == 0, result.stderr
    trace = Trace.from_json(out.read_text(encoding="utf-8"))
    assert (trace.settings.cache, trace.settings.guesses) == ("dual", "block") and trace.finished
