"""scripts/gpu_train.sh --smoke end to end: the new assets, the eval tables, the measured defaults, the pack."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

from llada_demo.sampling.settings import SamplingSettings
from train_fixtures import TRAIN_FILE, VALID_FILE

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_train_smoke_pipeline(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tinystories-train.txt").symlink_to(TRAIN_FILE)
    (data / "tinystories-valid.txt").symlink_to(VALID_FILE)
    out, pack = tmp_path / "v2", tmp_path / "pack"
    run = subprocess.run(["bash", "scripts/gpu_train.sh", "--smoke", "--data", str(data), "--pack", str(pack),
                          str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "cp -r" in run.stdout and "assets/llada-tinystories" in run.stdout  # how to ship, printed
    for run_name in ("diffusion", "autoregressive", "autoregressive-small"):
        assert (out / run_name / "model.safetensors").exists()
    defaults = json.loads((out / "diffusion" / "sampling_defaults.json").read_text())
    SamplingSettings(**defaults)  # a valid setting, measured by the sweep
    sweep = json.loads((out / "diffusion" / "sampling_sweep.json").read_text())
    assert sweep["best"] == defaults and len(sweep["rows"]) >= 4
    card = json.loads((out / "scorecard.json").read_text())
    labels = [m["label"] for m in card["models"]]
    assert labels[:2] == ["shipped diffusion", "shipped twin"] and "new diffusion" in labels
    assert card["greetings"] == 20 and all(m["summary"]["greetings"] == 20 for m in card["models"])
    assert card["judge"].endswith(("autoregressive", "autoregressive-small"))
    assert "| Metric | shipped diffusion | shipped twin | new diffusion |" in (out / "scorecard.md").read_text()
    assert "Held-out NLL per token" in (out / "eval.md").read_text()
    assert "## Evaluation" in (out / "diffusion" / "README.md").read_text()
    # The pack: at most 8 files, none over 16 MiB, and the archive holds both shipped folders.
    files = sorted(pack.iterdir())
    assert len(files) <= 8 and all(f.stat().st_size < 16 * 2**20 for f in files)
    archive = tmp_path / "v2.tar.gz"
    archive.write_bytes(b"".join(f.read_bytes() for f in files if f.name.startswith("v2.tar.gz.part-")))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"diffusion/model.safetensors", "autoregressive/model.safetensors", "scorecard.md"} <= names
