"""The eval's scorecard: every model in one table under one judge, greetings scored by the stated rule,
sampling defaults read from each folder, and the sweep writing a valid sampling_defaults.json."""

from __future__ import annotations

import json
import math

from llada_demo.models.device import pick_device
from train_fixtures import TRAIN_FILE, need_data, smoke_run
from training.data import read_stories
from training.sampling_defaults import diffusion_settings, read_defaults, write_defaults
from training.scorecard import ROWS, run_scorecard
from training.sweep import run_sweep


def test_defaults_round_trip_and_rescale(tmp_path):
    assert read_defaults(tmp_path, "diffusion")["block_length"] == 32  # no file: the fallback
    write_defaults(tmp_path, {"gen_length": 256, "steps": 128, "block_length": 16, "strategy": "margin",
                              "temperature": 0.3, "extra": 1})
    values = read_defaults(tmp_path, "diffusion")
    assert values == {"gen_length": 256, "steps": 128, "block_length": 16, "strategy": "margin", "temperature": 0.3}
    settings = diffusion_settings(values, gen_length=64)
    assert (settings.gen_length, settings.steps, settings.block_length) == (64, 32, 16)


def test_scorecard_table_and_sweep_on_the_smoke_models(tmp_path):
    need_data()
    out = smoke_run()
    stories = read_stories(TRAIN_FILE, limit=30)
    device = pick_device("cpu")
    models = [("a", out / "diffusion", "diffusion"), ("b", out / "autoregressive", "autoregressive")]
    card = run_scorecard(models, out / "autoregressive", stories, prompts=4, device=device, greetings=4,
                         gen_length=16)
    assert [m["label"] for m in card["models"]] == ["a", "b"]
    for model in card["models"]:
        summary = model["summary"]
        assert summary["greetings"] == 4 and 0 <= summary["greetings_on_topic"] <= 1
        assert math.isfinite(summary["judge_perplexity"]) and summary["judge_perplexity"] > 1
        assert len(model["answers"]) == 8 and model["settings"]["gen_length"] == 16
    table = card["markdown"]
    assert "| Metric | a | b |" in table and all(title in table for _, title, _ in ROWS)

    result = run_sweep(out / "diffusion", out / "autoregressive", stories, prompts=2, talk=2, gen_length=16,
                       device=device)
    assert len(result["rows"]) >= 4 and result["best"] in [r["settings"] for r in result["rows"]]
    write_defaults(tmp_path, result["best"])
    assert json.loads((tmp_path / "sampling_defaults.json").read_text()) == result["best"]
