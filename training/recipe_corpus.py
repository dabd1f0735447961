"""The recipe's data: the stories, their split, and the tokenised corpus both models train on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch

from llada_demo.models.tokenizer import special_ids

from .data import encode_stories, load_hf_stories, pack, read_stories, split_stories
from .instructions import encode_instructions
from .recipe_options import RecipeOptions
from .sft_mix import sft_instructions


@dataclass
class Corpus:
    """The tokenised data both models train on, identical for both."""

    train_stories: list
    valid_stories: list
    train_tokens: list
    valid_windows: torch.Tensor
    sft_train: dict
    sft_valid: dict
    info: dict


def load_stories(options: RecipeOptions) -> tuple[list[str], dict]:
    if options.hf_dataset:
        stories = load_hf_stories("train", limit=options.hf_limit)
        return stories, {"source": f"hf:roneneldan/TinyStories (first {len(stories)})"}
    path = Path(options.train_file)
    stories = read_stories(path, limit=options.story_limit)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return stories, {"source": str(path), "sha256": digest}


def build_corpus(options: RecipeOptions, tokenizer, stories: list[str], info: dict) -> Corpus:
    train_stories, valid_stories = split_stories(stories, options.valid_fraction, options.seed)
    ids = special_ids(tokenizer)
    train_tokens = encode_stories(tokenizer, train_stories, ids.bos, ids.eos)
    valid_windows = pack(encode_stories(tokenizer, valid_stories, ids.bos, ids.eos), options.seq_len)
    valid_windows = valid_windows[: options.valid_windows]
    sft_train, skipped = encode_instructions(tokenizer, sft_instructions(options.sft_recipe, train_stories,
                                                                         options.seed), options.sft_seq_len)
    valid_pairs = sft_instructions(options.sft_recipe, valid_stories, options.seed + 1)
    sft_valid, skipped_valid = encode_instructions(tokenizer, valid_pairs, options.sft_seq_len)
    sft_valid = {name: tensor[: options.valid_pairs] for name, tensor in sft_valid.items()}
    if len(valid_windows) == 0 or len(sft_valid["input_ids"]) == 0:
        raise SystemExit("The validation split is too small: raise --valid-fraction.")
    info = dict(info, stories=len(stories), train_stories=len(train_stories), valid_stories=len(valid_stories),
                train_tokens=int(sum(len(t) for t in train_tokens)), valid_windows=len(valid_windows),
                sft_pairs=len(sft_train["input_ids"]), sft_pairs_too_long=skipped,
                sft_valid_pairs=len(sft_valid["input_ids"]), sft_valid_too_long=skipped_valid)
    return Corpus(train_stories, valid_stories, train_tokens, valid_windows, sft_train, sft_valid, info)
