"""Continue the SFT of a shipped model on small talk, with replay of its story SFT, identical batches for both kinds.

Each step holds small-talk exchanges (greetings, "who are you", thanks, goodbyes; some after a told story),
story instructions (the shipped v1 SFT kinds, a share of the requests rephrased so any way of asking still gets
a story, and a share after an earlier, unrelated story, so a new request is answered on its own subject) and a pretraining window of story text. The diffusion model takes
the masked-diffusion losses, the twin next-token losses, on exactly the same rows in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from llada_demo.models.tokenizer import special_ids

from . import autoregressive, diffusion
from .data import (
    DEFAULT_TRAIN_FILE,
    DEFAULT_VALID_FILE,
    encode_stories,
    packed_batches,
    read_stories,
    read_text_stream,
    shuffled_batches,
    split_stories,
    stream_windows,
)
from .facts_training import _cpu_bf16, finetune_kind, run_each_kind
from .instructions import ABOUT_PREFIX, Instruction, encode_instructions, make_instructions
from .small_talk import earlier_request, small_talk_pairs
from .story_requests import TRAINING_FORMS, rephrased


@dataclass
class SmallTalkOptions:
    """One continued-SFT run per model; CPU-sized (a step is a few seconds on one thread)."""

    diffusion: Path = Path("assets/llada-tinystories")
    autoregressive: Path = Path("assets/ar-tinystories")
    out: Path = Path("runs/small-talk")
    only: str = "both"
    steps: int = 1000
    lr: float = 1e-4
    talk_pairs: int = 3000
    # 3 + 3 a step: with 4 exchanges of small talk to 2 story requests, the diffusion model came to answer
    # story requests it had not seen phrased that way with small talk (story_requests.py says more).
    talk_batch: int = 3
    talk_len: int = 256  # a thanks/goodbye after a short story needs about 220 tokens
    story_batch: int = 3  # v1 story instructions, the shipped SFT's kinds and length
    story_len: int = 384
    # Share of the story instructions that follow an earlier, unrelated story (a second turn on a new subject).
    new_subject_share: float = 0.25
    # Share of the "about" requests asked in another phrasing ("Tell me a story about ...").
    rephrase_share: float = 0.5
    # Share of the earlier turns (a told story before a thanks, or before a new request) asked for in one of
    # TRAINING_FORMS instead of always "Tell me a story." (small_talk.earlier_request says why). Runs 1-4: 0.
    history_varied_share: float = 0.75
    window_batch: int = 1  # pretraining story windows, as long as the shipped models' windows
    window_len: int = 256
    replay_stories: int = 3000
    valid_windows: int = 16
    seed: int = 0
    max_minutes: float | None = None  # a wall-clock cap (the LR schedule shrinks to fit)
    train_file: Path = DEFAULT_TRAIN_FILE
    valid_file: Path = DEFAULT_VALID_FILE
    progress: bool = True
    threads: int | None = None


@dataclass
class SmallTalkData:
    talk: dict
    stories: dict
    windows: list
    valid_windows: torch.Tensor
    info: dict


def new_subject_pairs(pairs: list[Instruction], earlier: list[str], share: float, seed: int,
                      varied_share: float = 0.0) -> list[Instruction]:
    """A `share` of the pairs get an earlier turn: a request for another story (small_talk.earlier_request),
    answered by that story."""
    rng = random.Random(seed)
    result = []
    for pair in pairs:
        if earlier and rng.random() < share:
            told = rng.choice(earlier)
            ask = earlier_request(told, rng, varied_share, TRAINING_FORMS)
            pair = replace(pair, history=(("user", ask), ("assistant", told)))
        result.append(pair)
    return result


def build_small_talk_data(options: SmallTalkOptions, tokenizer) -> SmallTalkData:
    """Everything both models train on, tokenised once with the shared tokenizer."""
    ids = special_ids(tokenizer)
    # The shipped models' split (fraction 0.02, seed 0): their held-out stories stay unseen.
    stories = read_stories(options.train_file)
    train_stories, _ = split_stories(stories, 0.02, 0)
    train_stories = train_stories[: options.replay_stories]
    talk_pairs = small_talk_pairs(train_stories, options.talk_pairs, options.seed + 11,
                                  varied_share=options.history_varied_share, forms=TRAINING_FORMS)
    talk, talk_too_long = encode_instructions(tokenizer, talk_pairs, options.talk_len)
    short = [s for s in train_stories if len(s) <= 400]
    requests = rephrased(make_instructions(train_stories, options.seed), options.rephrase_share, options.seed + 17)
    story_pairs = new_subject_pairs(requests, short, options.new_subject_share, options.seed + 13,
                                    options.history_varied_share)
    story_rows, story_too_long = encode_instructions(tokenizer, story_pairs, options.story_len)
    windows = encode_stories(tokenizer, train_stories, ids.bos, ids.eos)
    valid = tokenizer(read_text_stream(options.valid_file), add_special_tokens=False)["input_ids"]
    valid_windows = stream_windows(valid, options.window_len, options.valid_windows)
    with_history = int(sum(1 for p in story_pairs if p.history))
    info = {"story_pairs_rephrased": sum(p.kind == "about" and not p.prompt.startswith(ABOUT_PREFIX)
                                         for p in story_pairs),
            "talk_pairs": len(talk["input_ids"]), "talk_too_long": talk_too_long,
            "story_pairs": len(story_rows["input_ids"]), "story_too_long": story_too_long,
            "story_pairs_after_an_earlier_story": with_history, "replay_stories": len(train_stories)}
    return SmallTalkData(talk, story_rows, windows, valid_windows, info)


def mixed_batches(data: SmallTalkData, options: SmallTalkOptions) -> Iterator[dict]:
    """Endless steps: small talk, story instructions and a story window, each from its own seeded stream."""
    seed = options.seed
    parts = {"talk": shuffled_batches(data.talk, options.talk_batch, seed + 1),
             "stories": shuffled_batches(data.stories, options.story_batch, seed + 2),
             "window": packed_batches(data.windows, options.window_len, options.window_batch, seed + 3)}
    while True:
        yield {name: next(batches) for name, batches in parts.items()}


def step_loss(kind: str, seed: int):
    """loss_fn(model, step batch): the sum of the three parts' losses for that kind of model."""
    if kind == "diffusion":
        masks = torch.Generator().manual_seed(seed + 5)

        def loss(model, batch):
            return (diffusion.sft_loss(model, batch["talk"]["input_ids"], batch["talk"]["prompt_lengths"], masks)
                    + diffusion.sft_loss(model, batch["stories"]["input_ids"], batch["stories"]["prompt_lengths"],
                                         masks)
                    + diffusion.pretrain_loss(model, batch["window"], masks))
        return _cpu_bf16(loss)

    def loss(model, batch):
        talk, stories = batch["talk"], batch["stories"]
        return (autoregressive.sft_loss(model, talk["input_ids"], talk["prompt_lengths"], talk["response_ends"])
                + autoregressive.sft_loss(model, stories["input_ids"], stories["prompt_lengths"],
                                          stories["response_ends"])
                + autoregressive.next_token_loss(model, batch["window"]))
    return _cpu_bf16(loss)


def train_small_talk_kind(kind: str, options: SmallTalkOptions, data: SmallTalkData) -> dict:
    tokens_per_step = (options.talk_batch * options.talk_len + options.story_batch * options.story_len
                       + options.window_batch * options.window_len)
    # Validated once, at the end (the story NLL the run kept); the ship decision is made by a separate eval.
    return finetune_kind(kind, options, "small talk", mixed_batches(data, options), step_loss(kind, options.seed),
                         tokens_per_step, data.valid_windows, data.info, key="small_talk_finetune")


def run_small_talk_training(options: SmallTalkOptions) -> dict[str, dict]:
    """Fine-tune the chosen models (the same data for both); returns their records."""
    return run_each_kind(options, build_small_talk_data, train_small_talk_kind)
