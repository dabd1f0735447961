"""train-small-talk on a tiny slice: both shipped models continue their SFT on the same rows and keep their record."""

import json

from llada_demo.cli import main
from train_fixtures import TRAIN_FILE, VALID_FILE
from training.instructions import Instruction
from training.small_talk_training import new_subject_pairs

DATA = ["--train-file", str(TRAIN_FILE), "--valid-file", str(VALID_FILE)]


def test_a_share_of_story_requests_follows_an_unrelated_earlier_story():
    pairs = [Instruction("about", f"Write a story about {n}.", f"{n} story.") for n in range(200)]
    mixed = new_subject_pairs(pairs, ["Once there was a frog."], 0.25, seed=1)
    after = [p for p in mixed if p.history]
    assert 30 < len(after) < 70 and [p.prompt for p in mixed] == [p.prompt for p in pairs]
    assert all(p.history == (("user", "Tell me a story."), ("assistant", "Once there was a frog.")) for p in after)
    assert new_subject_pairs(pairs, [], 0.25, seed=1) == pairs  # no short story to tell first: unchanged


def test_train_small_talk_on_a_tiny_slice(tmp_path, capsys):
    out = tmp_path / "talk"
    assert main(["train-small-talk", "--out", str(out), "--steps", "2", "--talk-pairs", "12", "--replay-stories",
                 "30", "--valid-windows", "2", "--no-progress", "--threads", "1", *DATA]) == 0
    records = {}
    for kind in ("diffusion", "autoregressive"):
        log = json.loads((out / kind / "training_log.json").read_text())
        records[kind] = log["small_talk_finetune"]
        assert records[kind]["steps"] == 2 and "pretrain" in log["phases"]  # the shipped model's own log is kept
        assert (out / kind / "model.safetensors").exists() and (out / kind / "sampling_defaults.json").exists()
    assert records["diffusion"]["data"] == records["autoregressive"]["data"]  # the same rows for both
    assert records["diffusion"]["data"]["talk_pairs"] == 12
    assert "story NLL" in capsys.readouterr().out
