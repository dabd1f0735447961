"""Which SFT pairs a recipe trains on: v1's four story kinds, or v2's story kinds plus small talk."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .instructions import Instruction, make_instructions
from .small_talk import small_talk_pairs
from .story_tasks import V2_KINDS, make_v2

SFT_RECIPES = ("v1", "v2")


def v2_instructions(stories: Sequence[str], seed: int, small_talk_share: float = 0.08) -> list[Instruction]:
    """Every v2 story kind for every story, then small talk as `small_talk_share` of the whole set.

    Small talk is a few hundred distinct short exchanges; a share near 8% teaches the habit without
    crowding out stories (the answers are a sentence or two, so they are an even smaller share of tokens).
    """
    rng = random.Random(seed)
    pairs = [pair for story in stories for kind in V2_KINDS if (pair := make_v2(story, kind, rng)) is not None]
    talk = round(len(pairs) * small_talk_share / max(1e-9, 1 - small_talk_share))
    pairs += small_talk_pairs(stories, talk, seed + 11)
    rng.shuffle(pairs)
    return pairs


def sft_instructions(recipe: str, stories: Sequence[str], seed: int) -> list[Instruction]:
    """The SFT pairs of a recipe, deterministic for a seed."""
    if recipe == "v1":
        return make_instructions(stories, seed)
    if recipe == "v2":
        return v2_instructions(stories, seed)
    raise ValueError(f"unknown SFT recipe {recipe!r}: one of {', '.join(SFT_RECIPES)}")
