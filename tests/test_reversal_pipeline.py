"""train-facts then reversal-eval end to end on a tiny slice: both models fine-tuned the same way, both measured."""

import json

from llada_demo.cli import main


def test_train_facts_and_measure_on_a_tiny_slice(tmp_path, capsys):
    out = tmp_path / "facts"
    assert main(["train-facts", "--out", str(out), "--facts", "12", "--held-out", "4", "--steps", "2",
                 "--replay-stories", "20", "--valid-windows", "2", "--no-progress", "--threads", "1"]) == 0
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
    assert "| AR twin |" in capsys.readouterr().out
