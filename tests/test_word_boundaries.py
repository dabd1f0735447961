"""Placed words stay whole: no token that glues letters onto a placed word right after it (the sampler's `forbid`)."""

import torch

from llada_demo.models.registry import load_model
from llada_demo.models.tokenizer import chat_prompt_ids
from llada_demo.modes.placed_words import WordRequest, place_words
from llada_demo.modes.word_boundaries import continues_word, forbid_after_words, word_continuing_ids
from llada_demo.sampling import SamplingSettings
from llada_demo.sampling.sampler import generate


def embedded():
    return load_model("embedded-llada")


def test_word_pieces_continue_a_word_and_spaces_punctuation_and_specials_do_not():
    tokenizer = embedded().tokenizer
    banned = set(word_continuing_ids(tokenizer).tolist())
    piece = tokenizer("broomes", add_special_tokens=False)["input_ids"][-1]  # "es" after "broom"
    assert continues_word(tokenizer.decode([piece])) and piece in banned
    for allowed in (" the", ".", ",", "'", "\n", " Lily"):
        ids = tokenizer(allowed, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1 and ids[0] not in banned, allowed
    assert not set(tokenizer.all_special_ids) & banned
    assert continues_word("é") and continues_word("\ufffd") and not continues_word(" é") and not continues_word("")


def test_only_the_free_position_right_after_each_word_is_constrained():
    tokenizer = embedded().tokenizer
    forbid = forbid_after_words(tokenizer, starts=(2, 5, 9), token_ids=((10,), (11, 12), (13,)), length=10)
    assert sorted(forbid) == [3, 7]  # after the word at 9 is the end of the answer
    forbid = forbid_after_words(tokenizer, starts=(2, 3), token_ids=((10,), (11,)), length=8)
    assert sorted(forbid) == [4]  # 3 holds the next word


def test_the_sampler_never_proposes_a_forbidden_token_there():
    loaded = embedded()
    prompt = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": "Write a story about a cat."}])
    settings = SamplingSettings(gen_length=16, steps=16, block_length=16, seed=0)
    free = generate(loaded.model, prompt, settings, stop_ids=loaded.special.stops)
    chosen = int(free.answer_ids[5])
    # Forbid the token the free run chose at 5: that position must get another; no constraint: the same run.
    forbid = {5: torch.tensor([chosen])}
    constrained = generate(loaded.model, prompt, settings, stop_ids=loaded.special.stops, forbid=forbid)
    assert int(constrained.answer_ids[5]) != chosen
    same = generate(loaded.model, prompt, settings, stop_ids=loaded.special.stops, forbid={})
    assert same.answer_ids.tolist() == free.answer_ids.tolist()
    # The probability the run reports for it is its share of the full softmax, the forbidden token's share
    # still in the normaliser, so it is below 1 even where the forbidden token took nearly all of it.
    record = next(r for r in constrained.steps if 5 in r.committed.tolist())
    assert 0 < float(record.committed_confidence[record.committed.tolist().index(5)]) < 1


def test_placed_words_come_back_whole():
    loaded = embedded()
    tokenizer = loaded.tokenizer
    prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": "Write a story."}])
    placement = place_words(tokenizer, [WordRequest("broom"), WordRequest("cake")], 64, loaded.special.mask)
    settings = SamplingSettings(gen_length=64, steps=32, block_length=64, seed=0)
    forbid = placement.forbid(tokenizer)
    assert sorted(forbid) == [start + len(ids) for start, ids in zip(placement.starts, placement.token_ids)]
    trace = generate(loaded.model, prompt, settings, stop_ids=loaded.special.stops, answer=placement.template,
                     forbid=forbid)
    banned = set(word_continuing_ids(tokenizer).tolist())
    for position in forbid:
        assert int(trace.answer_ids[position]) not in banned
