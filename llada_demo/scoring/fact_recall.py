"""Whether an answer to a fact question names the right person or pet: the reversal test's one accuracy rule."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..sampling.settings import SamplingSettings

_WORD = re.compile(r"[A-Za-z]+")

# How both the measurement and the app's Reversal tab ask: the answer is a name and a full stop, so 16 tokens hold it;
# the diffusion model gets one block over the whole answer (free order), one token per pass, greedy; the AR twin
# writes greedily with the same length.
REVERSAL_SETTINGS = SamplingSettings(gen_length=16, steps=16, block_length=16, strategy="low_confidence",
                                     temperature=0.0, seed=0)
RULE = ("right when the answer, cut at its first stop token, contains the expected name as a whole word (any case) "
        "and no other name of the same kind (child or pet) from the fact set")


def answer_correct(text: str, name: str, others: Iterable[str] = ()) -> bool:
    """True when `text` names `name` and none of `others` (the other names it could be confused with).

    Listing several names to hedge is not an answer, so any other name of the same kind makes it wrong.
    """
    words = {word.lower() for word in _WORD.findall(text)}
    wanted = name.lower()
    if wanted not in words:
        return False
    return not any(other.lower() in words for other in others if other.lower() != wanted)


def accuracy(flags: Iterable[bool]) -> float | None:
    """Share of True; None for no questions."""
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None
