"""Text metrics of generated answers: distinct-2, repetition, required words used (inflected or whole), ending kept."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(tokens[i:] for i in range(n))))


def distinct_n(text: str, n: int = 2) -> float:
    """Unique word n-grams / all word n-grams of one answer (0 when it has none)."""
    grams = _ngrams(words(text), n)
    return len(set(grams)) / len(grams) if grams else 0.0


def repetition_rate(text: str, n: int = 4) -> float:
    """Share of word n-grams that repeat an earlier one in the same answer (rep-4; 0 when none)."""
    grams = _ngrams(words(text), n)
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


def words_share(text: str, required: Sequence[str]) -> float:
    """Share of the required words the answer uses; an inflected form counts ("jump" in "jumped")."""
    if not required:
        return 0.0
    lowered = text.lower()
    found = sum(bool(re.search(rf"\b{re.escape(word.lower())}", lowered)) for word in required)
    return found / len(required)


def uses_word(text: str, word: str) -> bool:
    """The answer holds the word as a whole word, any case ("Dragon" and "dragon's" count, "dragons" does not)."""
    pattern = r"\s+".join(re.escape(part) for part in word.lower().replace("’", "'").split())
    return re.search(rf"(?<![^\W_]){pattern}(?![^\W_])", text.lower().replace("’", "'")) is not None


def _normalise(text: str) -> str:
    text = text.lower().replace("“", '"').replace("”", '"').replace("’", "'")
    return " ".join(text.split())


def ending_kept(text: str, ending: str) -> bool:
    """The answer ends with the requested last sentence (case and spacing ignored)."""
    return bool(ending.strip()) and _normalise(text).endswith(_normalise(ending))


def ending_present(text: str, ending: str) -> bool:
    """The requested last sentence appears anywhere in the answer (case and spacing ignored)."""
    return bool(ending.strip()) and _normalise(ending) in _normalise(text)
