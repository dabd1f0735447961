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


# The fill-in-the-blank probe: one statement with one name blanked. Forward blanks the pet's name (the sentence's
# end), backward the child's (its start). The diffusion model fills the blank in place; an autoregressive model
# can continue the words before a blank, so backward it gets the sentence with a visible blank in this question
# and must write the name first.
FILL_IN_DIRECTIONS = ("forward", "backward")
BLANK = "___"
FILL_IN_QUESTION = "Fill in the blank: {sentence}"


def name_span(statement: str, name: str, direction: str) -> tuple[int, int]:
    """Character span of the blanked name: the pet's last mention (forward), the child's first (backward)."""
    if direction not in FILL_IN_DIRECTIONS:
        raise ValueError(f"direction is one of {FILL_IN_DIRECTIONS}, not {direction!r}")
    start = statement.rindex(name) if direction == "forward" else statement.index(name)
    return start, start + len(name)


def blanked_sentence(statement: str, name: str, direction: str) -> str:
    """The statement with the name written as a blank ("___'s pet is a dog named Det.")."""
    start, end = name_span(statement, name, direction)
    return statement[:start] + BLANK + statement[end:]


def fill_in_template(tokenizer, statement: str, name: str, direction: str, mask_id: int) -> tuple[list[int], list[int]]:
    """(the statement's token ids with every token of the name replaced by `mask_id`, the masked positions).

    The statement is tokenised whole, as in training, and every token that overlaps the name's characters is
    masked (with a name after a space, its first token carries the space): the rest of the sentence is given.
    """
    start, end = name_span(statement, name, direction)
    encoded = tokenizer(statement, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(encoded["input_ids"])
    positions = [i for i, (lo, hi) in enumerate(encoded["offset_mapping"]) if lo < end and hi > start]
    for i in positions:
        ids[i] = mask_id
    return ids, positions


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
