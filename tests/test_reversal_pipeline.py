"""train-facts then reversal-eval end to end on a tiny slice: both models fine-tuned the same way, both measured."""

import json

from llada_demo.cli import main
from train_fixtures import TRAIN_FILE, VALID_FILE

# The TinyStories sample when this checkout sits beside it, else the project's own tiny story files.
DATA = ["--train-file", str(TRAIN_FILE), "--valid-file", str(VALID_FILE)]


def test_train_facts_and_measure_on_a_tiny_slice(tmp_path, capsys):
    out = tmp_path / "facts"
    assert main(["train-facts", "--out", str(out), "--facts", "12", "--held-out", "4", "--steps", "2",
                 "--replay-stories", "20", "--valid-windows", "2", "--no-progress", "--threads", "1", *DATA]) == 0
    for kind in ("diffusion", "autoregressive"):
        record = json.loads((out / kind / "training_log.json").read_text())["facts_finetune"]
        assert record["steps"] == 2 and record["data"]["held_out_people"] == 4
        assert (out / kind / "model.safetensors").exists() and "pretrain" in json.loads(
            (out / kind / "training_log.json").read_text())["phases"]  # the shipped model's own log is kept
    assert main(["reversal-eval", "--diffusion", str(out / "diffusion"), "--autoregressive",
                 str(out / "autoregressive"), "--train-questions", "1", "--no-progress"]) == 0
    report = json.loads((out / "diffusion" / "reversal.json").read_text())
    assert report == json.loads((out / "autoregressive" / "reversal.json").read_text())
    assert report["held_out_questions"] == 8 and report["trained_questions"] == 2
    for model in ("diffusion", "autoregressive"):
        for direction in ("forward", "backward"):
            assert 0.0 <= report["accuracy"][model][direction] <= 1.0
            assert 0.0 <= report["fill_in_accuracy"][model][direction] <= 1.0
    assert len(report["fill_in"]) == 8 and {r["direction"] for r in report["fill_in"]} == {"forward", "backward"}
    assert "| AR twin |" in capsys.readouterr().out
    # A continued run (statement-heavy: replay every 2nd step) starts from the fine-tuned pair and keeps its record.
    more = tmp_path / "more"
    assert main(["train-facts", "--out", str(more), "--diffusion", str(out / "diffusion"), "--autoregressive",
                 str(out / "autoregressive"), "--facts", "12", "--held-out", "4", "--steps", "3",
                 "--replay-every", "2", "--replay-stories", "20", "--valid-windows", "2", "--no-progress",
                 "--threads", "1", *DATA]) == 0
    log = json.loads((more / "diffusion" / "training_log.json").read_text())
    assert log["facts_finetune"]["steps"] == 3 and log["facts_finetune"]["options"]["replay_every"] == 2
    assert [r["steps"] for r in log["facts_finetune_earlier"]] == [2]
