"""Placed words stay whole: the tokens that would glue letters onto a word, forbidden right after each placed word.

A byte-level BPE vocabulary holds word pieces without a leading space ("es", "ing", "ed"). Committed right
after a placed " broom", such a piece makes "broomes". Every other token is allowed there: one that starts
with a space (the next word), punctuation (".", ",", "'s"), a new line, or a special token (the end).
"""

from __future__ import annotations

import torch

_cache: dict[int, tuple[object, torch.LongTensor]] = {}


def continues_word(text: str) -> bool:
    """Does a token's text, put right after a word, join it? Letters or digits in any script, or a piece of a
    character (a byte that decodes to U+FFFD alone)."""
    return bool(text) and (text[0].isalnum() or text[0] == "\ufffd")


def word_continuing_ids(tokenizer) -> torch.LongTensor:
    """The ids of every token that continues a word (special tokens never do), computed once per tokenizer."""
    known = _cache.get(id(tokenizer))
    if known is not None and known[0] is tokenizer:
        return known[1]
    special = set(tokenizer.all_special_ids)
    size = len(tokenizer)
    # One token at a time on purpose: the question is what each token's own text starts with.
    texts = tokenizer.batch_decode([[i] for i in range(size)], skip_special_tokens=False,
                                   clean_up_tokenization_spaces=False)
    ids = torch.tensor([i for i, text in enumerate(texts) if i not in special and continues_word(text)],
                       dtype=torch.long)
    _cache[id(tokenizer)] = (tokenizer, ids)
    return ids


def forbid_after_words(tokenizer, starts, token_ids, length: int) -> dict[int, torch.LongTensor]:
    """{answer position: forbidden ids} for the position right after each placed word (when it is to be
    filled: inside the answer and not another word's token). `starts`/`token_ids` as in a Placement."""
    given = {start + offset for start, ids in zip(starts, token_ids) for offset in range(len(ids))}
    after = {start + len(ids) for start, ids in zip(starts, token_ids)}
    banned = word_continuing_ids(tokenizer)
    return {position: banned for position in sorted(after) if position < length and position not in given}
