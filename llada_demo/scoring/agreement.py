"""How far token rows agree: the share of identical positions, and a template's fixed tokens kept or overwritten."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def identical_share(first, second) -> float:
    """Share of positions holding the same token in two equally long answers (1.0: the same answer)."""
    return float(np.mean(np.asarray(first) == np.asarray(second)))


class FixedKept(NamedTuple):
    """Of the fixed (given) tokens: how many the answer still has in place, how many it wrote over, how many in all."""

    kept: int
    overwritten: int
    total: int


def fixed_kept(tokens, given_ids, mask_id: int) -> FixedKept:
    """Compare an answer with the template it was filled in from (`mask_id` in the gaps of `given_ids`).

    A position still masked is neither kept nor overwritten: nothing is written there yet.
    """
    tokens, given_ids = np.asarray(tokens), np.asarray(given_ids)
    fixed = given_ids != mask_id
    kept = int(np.sum(fixed & (tokens == given_ids)))
    overwritten = int(np.sum(fixed & (tokens != given_ids) & (tokens != mask_id)))
    return FixedKept(kept, overwritten, int(fixed.sum()))
