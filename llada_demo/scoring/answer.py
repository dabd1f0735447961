"""The answer cut at its first stop token (EOS / EOT): the one rule every view, figure and score uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

# Imports nothing from the package: trace.py cuts its own answer with these, and scoring sits above trace.


class Cut(NamedTuple):
    """An answer's ids up to its first stop token, and whether a stop token came at all."""

    ids: list[int]
    finished: bool


def answer_end(ids, stop_ids: Iterable[int]) -> int:
    """Index of the first stop token in `ids` (the answer's text ends there), else len(ids)."""
    ids = np.asarray(ids)
    stops = np.flatnonzero(np.isin(ids, list(stop_ids)))
    return int(stops[0]) if stops.size else len(ids)


def cut_at_stop(ids, stop_ids: Iterable[int], keep_stop: bool, mask_id: int | None = None) -> Cut:
    """The ids before the first stop token, with that token kept when `keep_stop`, masks dropped when `mask_id`.

    Keep the stop token when scoring (stopping is part of the answer a judge rates); leave it out for text.
    """
    stop_ids = list(stop_ids)
    end = answer_end(ids, stop_ids)
    finished = end < len(ids)
    kept = np.asarray(ids)[: end + 1 if keep_stop and finished else end].tolist()
    return Cut([int(i) for i in kept if mask_id is None or i != mask_id], finished)
