"""Words placed anywhere: "must use these words" as tokens fixed at spread positions of the answer template."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import SettingsError
from ..models.tokenizer import neutralize_special_tokens
from ..scoring.text_metrics import uses_word
from .word_boundaries import forbid_after_words

MAX_WORDS = 8
MAX_WORD_CHARS = 30
MAX_TEXT_CHARS = 400
# The words go into the first part of the answer only: a story the small models write runs past 128
# tokens, but the end-of-text can come earlier, and a word placed after it is cut off with the padding.
SPREAD_START, SPREAD_END = 0.15, 0.70
# Whether the prompt asks for the words too, besides their places (benchmarks/placed_words.py measured both).
ASK_IN_PROMPT = True
SYNTAX_HELP = ('Separate the words with commas ("dragon, cake, rain"); to choose a place, write '
               '"position:word" with the answer\'s token position, counted from 0 ("3:dragon, 40:cake").')
# A word: letters or digits, with inner apostrophes, hyphens or single spaces (a short phrase).
_WORD = re.compile(r"[^\W_]+(?:['’\- ][^\W_]+)*")
_POSITIONED = re.compile(r"^\s*(?P<position>[+-]?\d+)\s*:\s*(?P<word>.*)$", re.DOTALL)


@dataclass(frozen=True)
class WordRequest:
    """One word as typed: the text, and the token position it must start at (None: the app spreads it)."""

    word: str
    position: int | None = None


def _pieces(text: str) -> list[str]:
    """Commas, semicolons or new lines separate words (phrases stay whole); without them, spaces do."""
    if re.search(r"[,;\n]", text):
        return [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    if _POSITIONED.match(text) and not re.search(r"\s\S+\s*:", text.strip()):
        return [text.strip()]  # one "position:word", perhaps a phrase
    return text.split()


def parse_words(text) -> list[WordRequest]:
    """The words a person typed ("dragon, cake, rain" or "3:dragon, 40:cake"); [] when the box is empty.

    Raises SettingsError for text that is not words, too many words, a word too long, a position that
    is not a whole number, or positions given to some words and not others.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return []
    if not isinstance(text, str):
        raise SettingsError(f"The words must be text, got {type(text).__name__}. {SYNTAX_HELP}")
    if len(text) > MAX_TEXT_CHARS:
        raise SettingsError(f"The words are {len(text)} characters long; keep them under {MAX_TEXT_CHARS}.")
    requests = []
    for piece in _pieces(text):
        position, word = None, piece
        match = _POSITIONED.match(piece)
        if match:
            position, word = int(match.group("position")), " ".join(match.group("word").split())
        elif ":" in piece:
            raise SettingsError(f"Cannot read {piece!r}: a position is a whole number before the colon. "
                                f"{SYNTAX_HELP}")
        word = " ".join(word.split()).replace("’", "'")
        if not word:
            raise SettingsError(f"{piece!r} gives a position but no word. {SYNTAX_HELP}")
        if len(word) > MAX_WORD_CHARS:
            raise SettingsError(f"{word[:40]!r} is {len(word)} characters long; a word or short phrase has at "
                                f"most {MAX_WORD_CHARS}.")
        if not _WORD.fullmatch(word):
            raise SettingsError(f"{word!r} is not a word: use letters and digits (an apostrophe or hyphen inside "
                                f"a word is fine). {SYNTAX_HELP}")
        requests.append(WordRequest(word, position))
    if len(requests) > MAX_WORDS:
        raise SettingsError(f"That is {len(requests)} words; at most {MAX_WORDS} can be placed in one answer.")
    placed = sum(r.position is not None for r in requests)
    if 0 < placed < len(requests):
        raise SettingsError("Give a position to every word or to none (the app spreads the words itself when "
                            f"none has one). {SYNTAX_HELP}")
    return requests


@dataclass(frozen=True)
class Placement:
    """The words fixed in an answer of `length` tokens: each word's tokens from its start, [MASK] elsewhere."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    token_ids: tuple[tuple[int, ...], ...]
    length: int
    mask_id: int

    @property
    def template(self) -> torch.LongTensor:
        """[length] the answer to start from: the words' tokens, the mask id in the gaps."""
        answer = torch.full((self.length,), self.mask_id, dtype=torch.long)
        for start, ids in zip(self.starts, self.token_ids):
            answer[start:start + len(ids)] = torch.tensor(ids, dtype=torch.long)
        return answer

    @property
    def given(self) -> np.ndarray:
        """[length] bool: the positions the words hold."""
        return (self.template != self.mask_id).numpy()

    def forbid(self, tokenizer) -> dict[int, torch.LongTensor]:
        """For the sampler's `forbid`: no word-continuing token right after a word, so it stays whole."""
        return forbid_after_words(tokenizer, self.starts, self.token_ids, self.length)

    def describe(self) -> str:
        return ", ".join(f"“{w}” at {s}" for w, s in zip(self.words, self.starts))

    def infill_text(self) -> str:
        """The placement written as Fill-in text: "[MASK*9] dragon [MASK*20] cake [MASK*30]"."""
        parts, cursor = [], 0
        for word, start, ids in zip(self.words, self.starts, self.token_ids):
            if start > cursor:
                parts.append(_gap(start - cursor))
            parts.append(" " + word)
            cursor = start + len(ids)
        if cursor < self.length:
            parts.append(_gap(self.length - cursor))
        # A space after each word: the gap's tokens carry their own leading space (build_template drops it).
        return "".join(p if p.startswith("[") else p + " " for p in parts).rstrip()


def _gap(count: int) -> str:
    return "[MASK]" if count == 1 else f"[MASK*{count}]"


def word_ids(tokenizer, word: str) -> list[int]:
    """A word's tokens as it appears inside a sentence: with the space before it (byte-level BPE keeps it)."""
    return tokenizer(" " + neutralize_special_tokens(word), add_special_tokens=False)["input_ids"]


def place_words(tokenizer, requests: Sequence[WordRequest], length: int, mask_id: int) -> Placement:
    """Fix the words in an answer of `length` tokens, in order.

    Without positions, the words are spread evenly over the answer's first SPREAD_END share (where its
    text, not its end-of-text padding, will be), one free token at least between two words. Raises
    SettingsError when the words do not fit or a position is outside the answer or overlaps another word.
    """
    if not requests:
        raise SettingsError(f"There are no words to place. {SYNTAX_HELP}")
    length = int(length)
    ids = [word_ids(tokenizer, r.word) for r in requests]
    words = tuple(r.word for r in requests)
    if requests[0].position is not None:
        starts = _given_starts(requests, ids, length)
    else:
        starts = _spread_starts(words, ids, length)
    return Placement(words, tuple(starts), tuple(tuple(i) for i in ids), length, mask_id)


def _given_starts(requests: Sequence[WordRequest], ids: list[list[int]], length: int) -> list[int]:
    taken: dict[int, str] = {}
    for request, tokens in zip(requests, ids):
        start, end = request.position, request.position + len(tokens)
        if start < 0 or end > length:
            raise SettingsError(f"“{request.word}” at {start} takes {len(tokens)} token(s) but the answer has "
                                f"positions 0 to {length - 1}: choose a position from 0 to {length - len(tokens)} "
                                "or lengthen the answer.")
        for position in range(start, end):
            if position in taken:
                raise SettingsError(f"“{request.word}” at {start} overlaps “{taken[position]}” (position "
                                    f"{position}): move one of them.")
            taken[position] = request.word
    return [r.position for r in requests]


def _spread_starts(words: tuple[str, ...], ids: list[list[int]], length: int) -> list[int]:
    room = int(length * SPREAD_END)
    needed = sum(len(t) for t in ids) + len(ids) - 1
    if needed > room:
        raise SettingsError(f"The words take {needed} tokens with a space between them; an answer of {length} "
                            f"tokens has room for {room} in its first {SPREAD_END:.0%}, where its text will be: "
                            "lengthen the answer or use fewer words.")
    starts, cursor = [], 0
    for index, tokens in enumerate(ids):
        anchor = round(length * (SPREAD_START + (SPREAD_END - SPREAD_START) * index / len(ids)))
        # Never so late that the words still to come no longer fit before `room`.
        latest = room - sum(len(t) + 1 for t in ids[index:]) + 1
        start = min(max(anchor, cursor), latest)
        starts.append(start)
        cursor = start + len(tokens) + 1
    return starts


def words_sentence(words: Sequence[str]) -> str:
    """How the words are asked for in a prompt (all the autoregressive model can be given)."""
    return f"Use these words: {', '.join(words)}."


def with_words(message: str, words: Sequence[str]) -> str:
    """The message with the request for the words after it."""
    message = message.rstrip()
    if message and message[-1] not in ".!?":
        message += "."
    return f"{message} {words_sentence(words)}".strip()


def words_used(text: str, words: Sequence[str]) -> list[bool]:
    return [uses_word(text, word) for word in words]


def used_summary(text: str, words: Sequence[str]) -> str:
    """“3/3 words used: ✓ dragon · ✓ cake · ✓ rain” for an answer's text."""
    used = words_used(text, words)
    marks = " · ".join(f"{'✓' if u else '✗'} {w}" for w, u in zip(words, used))
    return f"{sum(used)}/{len(words)} words used: {marks}"
