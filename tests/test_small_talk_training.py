"""train-small-talk on a tiny slice: both shipped models continue their SFT on the same rows and keep their record."""

import json

from llada_demo.cli import main
from train_fixtures import TRAIN_FILE, VALID_FILE
from training.instructions import Instruction
from training.small_talk import EARLIER_REQUEST, small_talk_pairs
from training.small_talk_training import new_subject_pairs
from training.story_requests import TRAINING_FORMS

DATA = ["--train-file", str(TRAIN_FILE), "--valid-file", str(VALID_FILE)]


def test_a_share_of_story_requests_follows_an_unrelated_earlier_story():
    pairs = [Instruction("about", f"Write a story about {n}.", f"{n} story.") for n in range(200)]
    mixed = new_subject_pairs(pairs, ["Once there was a frog."], 0.25, seed=1)
    after = [p for p in mixed if p.history]
    assert 30 < len(after) < 70 and [p.prompt for p in mixed] == [p.prompt for p in pairs]
    assert all(p.history == (("user", "Tell me a story."), ("assistant", "Once there was a frog.")) for p in after)
    assert new_subject_pairs(pairs, [], 0.25, seed=1) == pairs  # no short story to tell first: unchanged


def form_of(request):
    return next((form for form in TRAINING_FORMS if request.startswith(form.split("{}")[0])
                 and request.endswith(form.split("{}")[1])), None)


def test_earlier_turns_are_asked_for_in_many_forms_when_varied():
    """A thanks must not be what "Tell me a story..." at a conversation's start predicts (small_talk.earlier_request)."""
    story = "Once there was a girl named Lily. She had a red ball."
    requests = [p.history[0][1] for p in new_subject_pairs(
        [Instruction("about", "Write a story about Tom.", "Tom.")] * 400, [story], 1.0, seed=2, varied_share=0.75)]
    varied = [r for r in requests if r != EARLIER_REQUEST]
    assert 240 < len(varied) < 360 and all(form_of(r) and "Lily" in r for r in varied)
    assert len({form_of(r) for r in varied}) > len(TRAINING_FORMS) // 2
    talk = [p.history[0][1] for p in small_talk_pairs([story] * 3, 400, 3, varied_share=0.75, forms=TRAINING_FORMS)
            if p.history]
    assert talk and sum(r != EARLIER_REQUEST for r in talk) > len(talk) / 2 and all(
        r == EARLIER_REQUEST or form_of(r) for r in talk)
    # Share 0, the v2 recipe's: the pairs it always had, every earlier turn asked the one way.
    plain = small_talk_pairs([story] * 3, 400, 3)
    assert plain == small_talk_pairs([story] * 3, 400, 3, varied_share=0.0, forms=TRAINING_FORMS)
    assert {p.history[0][1] for p in plain if p.history} == {EARLIER_REQUEST}


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
