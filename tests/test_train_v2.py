"""Recipe v2: SFT builders (small talk, story tasks), the greeting rule, batched answers, early stopping,
the sweep's choice, and a v2 smoke run's folder."""

from __future__ import annotations

import argparse
import json
import random
import re

import pytest
import torch

from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling.sampler import generate
from llada_demo.sampling.settings import SamplingSettings
from train_fixtures import TRAIN_FILE
from training.batch_sampler import diffusion_answers
from training.command import add_train_arguments, run_train
from training.greetings import EVAL_GREETINGS, SEEN_IN_SFT, TOPIC_WORDS, on_topic
from training.instructions import encode_instructions
from training.loop import LoopSettings, train
from training.recipe_v2 import SHIPPED_TOKENIZER
from training.sft_mix import sft_instructions
from training.small_talk import CATEGORIES, small_talk_pairs
from training.story_tasks import V2_KINDS, make_v2
from training.sweep import choose

STORY = (
    "Once upon a time, there was a little girl named Lily. She had a red ball.\n"
    "One day, Lily went to the park with her dog. \"Look!\" she said. The dog ran after the ball.\n"
    "Lily and her dog played all day. They were very happy."
)


def _normal(text: str) -> str:
    return re.sub(r"[^a-z' ]", "", text.lower()).strip()


def test_small_talk_covers_every_category_and_its_answers_pass_the_rule():
    pairs = small_talk_pairs([STORY] * 3, 200, seed=0)
    assert {p.kind for p in pairs} == {f"chat:{c}" for c in CATEGORIES}
    for pair in pairs:
        assert on_topic(pair.response, pair.kind.split(":")[1]), pair
        assert "{topic}" not in pair.response and pair.prompt.strip()
    followed = [p for p in pairs if p.history]
    assert followed and all(p.kind in ("chat:thanks", "chat:farewell") for p in followed)
    assert all(p.history[1] == ("assistant", STORY) for p in followed)
    assert [p.prompt for p in small_talk_pairs([STORY], 20, 3)] == [p.prompt for p in small_talk_pairs([STORY], 20, 3)]


def test_eval_greetings_split_into_seen_and_unseen_forms():
    assert len(EVAL_GREETINGS) == 20 and {c for c, _ in EVAL_GREETINGS} <= set(TOPIC_WORDS)
    typed = {_normal(p.prompt) for p in small_talk_pairs([STORY] * 5, 3000, seed=1)}
    seen, unseen = EVAL_GREETINGS[:SEEN_IN_SFT], EVAL_GREETINGS[SEEN_IN_SFT:]
    assert all(_normal(text) in typed for _, text in seen)
    assert not any(_normal(text) in typed for _, text in unseen)


@pytest.mark.parametrize("answer, category, expected", [
    ("Hello! I am a little story model.", "greeting", True),
    ("", "greeting", False),
    ("   ", "thanks", False),
    ("Once upon a time, there was a little girl named Lily. She said hello.", "greeting", False),
    ("Once upon a time, there was a little girl named Lily.", "identity", False),  # "named" is not "name"
    ("I am a small model that writes stories.", "identity", True),
    ("You are welcome! Come back soon.", "thanks", True),
    ("Goodbye! Come back soon.", "farewell", True),
    ("I am fine, thank you.", "how_are_you", True),
])
def test_greeting_rule(answer, category, expected):
    assert on_topic(answer, category) is expected


def test_story_tasks_are_cut_from_the_story():
    rng = random.Random(0)
    made = {kind: make_v2(STORY, kind, rng) for kind in V2_KINDS}
    assert all(made[k] is not None for k in ("about", "words", "words_short", "continue", "ends", "title",
                                             "name_title", "ending", "continue_long"))
    short = made["words_short"]
    assert short.response in STORY and len(short.words) == 3
    assert all(w in short.response.lower() for w in short.words)
    assert all(w in short.prompt for w in short.words)
    ending = made["ending"]
    assert STORY.endswith(ending.response) and ending.response not in ending.prompt
    assert made["continue_long"].response and STORY.endswith(made["continue_long"].response)
    assert made["name_title"].response == "Lily and the Ball" and STORY in made["name_title"].prompt
    assert "Lily and the Ball" in made["title"].prompt and made["title"].response == STORY


def test_v2_mix_keeps_v1_wording_and_adds_small_talk(tiny):
    _, tokenizer = tiny
    pairs = sft_instructions("v2", [STORY] * 40, seed=0)
    kinds = {p.kind for p in pairs}
    assert set(V2_KINDS) <= kinds and any(k.startswith("chat:") for k in kinds)
    share = sum(p.kind.startswith("chat:") for p in pairs) / len(pairs)
    assert 0.05 < share < 0.12
    assert any(p.prompt.startswith("Write a story about ") for p in pairs)  # the eval's wording stays in
    assert sft_instructions("v1", [STORY], 0) != [] and all(not p.history for p in sft_instructions("v1", [STORY], 0))
    # A pair with an earlier story encodes it in the chat template before the new user turn.
    followed = next(p for p in pairs if p.history)
    tensors, skipped = encode_instructions(tokenizer, [followed], 512)
    assert skipped == 0
    prompt = chat_prompt_ids(tokenizer, followed.messages())[0]
    assert tensors["prompt_lengths"][0] == len(prompt)
    text = tokenizer.decode(tensors["input_ids"][0, : len(prompt)])
    assert text.index("assistant") < text.index(followed.prompt.strip())


@pytest.mark.parametrize("strategy", ["low_confidence", "margin", "entropy"])
def test_batched_answers_match_the_app_sampler(tiny, strategy):
    model, tokenizer = tiny
    prompts = [chat_prompt_ids(tokenizer, [{"role": "user", "content": text}])
               for text in ("Hi", "Write a story about a cat and a ball.", "Continue this story: Tom ran.")]
    settings = SamplingSettings(gen_length=16, steps=8, block_length=8, strategy=strategy)
    batched = diffusion_answers(model, prompts, settings, batch_size=2)
    for row, prompt in zip(batched, prompts):
        assert row.tolist() == generate(model, prompt, settings).answer_ids.tolist()
        assert model.config.mask_token_id not in row.tolist()


def test_patience_stops_a_phase_that_no_longer_improves():
    model = torch.nn.Linear(2, 1)
    values = iter([1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1])
    settings = LoopSettings(name="x", lr=1e-3, total_steps=100, tokens_per_step=1, eval_every=5, patience=3,
                            progress=False)
    result, _ = train(model, iter(lambda: torch.ones(1, 2), None), lambda m, b: m(b).sum(), lambda m: next(values),
                      settings, torch.device("cpu"))
    assert result.stop_reason == "patience" and result.best_step == 10 and result.steps == 25


def test_sweep_choice_follows_the_stated_rule():
    twin = {"repetition_rate": 0.1, "distinct_2": 0.8}

    def row(name, rep, distinct, ppl, greetings=1.0):
        return {"settings": {"name": name}, "summary": {"repetition_rate": rep, "distinct_2": distinct,
                                                        "judge_perplexity": ppl, "greetings_on_topic": greetings}}

    rows = [row("repetitive but likely", 0.4, 0.5, 2.0), row("eligible", 0.14, 0.7, 4.0),
            row("eligible, better", 0.15, 0.69, 3.5), row("no greetings", 0.05, 0.9, 1.0, greetings=0.5)]
    assert choose(rows, twin)["settings"]["name"] == "eligible, better"
    assert choose(rows[:1] + [row("closer", 0.2, 0.6, 9.0)], twin)["settings"]["name"] == "closer"


def test_v2_smoke_run_writes_its_named_folder(tmp_path):
    parser = add_train_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["--recipe", "v2", "--only", "autoregressive-small", "--smoke", "--out", str(tmp_path),
                              "--no-progress", "--train-file", str(TRAIN_FILE), "--story-limit", "60"])
    assert run_train(args) == 0
    folder = tmp_path / "autoregressive-small"
    log = json.loads((folder / "training_log.json").read_text())
    assert log["kind"] == "autoregressive" and log["options"]["sft_recipe"] == "v2"
    assert {p["stop_reason"] for p in log["phases"].values()} <= {"budget", "time", "patience"}
    assert log["data"]["sft_pairs"] > 0
    shipped = json.loads((SHIPPED_TOKENIZER / "tokenizer.json").read_text())["model"]["vocab"]
    assert json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"] == shipped  # the same tokenizer
    assert special_ids(load_tokenizer(str(folder))).eot is not None
    with pytest.raises(SystemExit, match="one run per process"):
        run_train(parser.parse_args(["--recipe", "v2", "--smoke", "--out", str(tmp_path)]))
