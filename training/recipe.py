"""The whole recipe, in the paper's order: tokenizer, pretraining, SFT; then the same for the AR twin."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from llada_demo.models.device import pick_device

from .data import split_stories
from .recipe_corpus import build_corpus, load_stories
from .recipe_models import train_kind
from .recipe_options import KINDS, RecipeOptions
from .recipe_tokenizer import copy_tokenizer, ensure_tokenizer


def run_recipe(options: RecipeOptions) -> dict[str, dict]:
    """1) tokenizer 2) pretrain diffusion 3) SFT diffusion 4) the same for the twin, on the same tokens."""
    options = replace(options, out=Path(options.out))
    options.out.mkdir(parents=True, exist_ok=True)
    device = pick_device(options.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    kinds = KINDS if options.only == "both" else (options.only,)
    stories, info = load_stories(options)
    train_stories, _ = split_stories(stories, options.valid_fraction, options.seed)
    if options.tokenizer_from:
        tokenizer = copy_tokenizer(options.out / "tokenizer", Path(options.tokenizer_from))
    else:
        tokenizer = ensure_tokenizer(options.out / "tokenizer", train_stories, options.vocab_size)
    corpus = build_corpus(options, tokenizer, stories, info)
    return {kind: train_kind(kind, options, tokenizer, corpus, device) for kind in kinds}
