"""Fill in anywhere: the mask syntax, the answer template, and a real fill-in that leaves the user's text untouched."""

import numpy as np
import pytest

from llada_demo.errors import SettingsError
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.modes.infill import MAX_MASKS, build_template, infill_stream, parse_masks
from llada_demo.scoring.agreement import fixed_kept
from llada_demo.viz.given_grid import render_given_grid
from llada_demo.viz.infill_text import fixed_text_pieces, render_infill_text


def test_mask_markers_one_many_and_counted():
    assert parse_masks("a [MASK] b [MASK*3] c [2] d") == ["a ", 1, " b ", 3, " c ", 2, " d"]
    assert parse_masks("x [mask x 4] y [ MASK * 2 ]") == ["x ", 4, " y ", 2]


def test_mask_at_the_very_start_and_at_the_end():
    assert parse_masks("[MASK*5] And they went home.") == [5, " And they went home."]
    assert parse_masks("[3]The end.") == [3, "The end."]
    assert parse_masks("Once upon a time [MASK*2]") == ["Once upon a time ", 2]


def test_adjacent_gaps_merge_and_other_brackets_stay_text():
    assert parse_masks("[MASK][MASK*2] ok") == [3, " ok"]
    assert parse_masks("[hello] [MASK]") == ["[hello] ", 1]


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("   ", "empty"), ("no gaps here", "no gap"), ("a [MASK*] b", "Cannot read"),
    ("a [MASK b", "Cannot read"), ("a [mask 3] b", "Cannot read"), ("a [MASK*0] b", "no tokens"),
    ("[0] x", "no tokens"),
    (f"[MASK*{MAX_MASKS + 1}]", f"at most {MAX_MASKS}"), ("[200] a [100]", f"at most {MAX_MASKS}"),
])
def test_malformed_or_impossible_requests_say_what_to_change(text, words):
    with pytest.raises(SettingsError, match=words):
        parse_masks(text)


@pytest.fixture(scope="module")
def tiny_loaded():
    return load_model("random-tiny")


def test_template_marks_the_gaps_and_the_prefix(tiny_loaded):
    tokenizer = tiny_loaded.tokenizer
    before = tokenizer("Once upon", add_special_tokens=False)["input_ids"]
    after = tokenizer(" time.", add_special_tokens=False)["input_ids"]
    template = build_template(tiny_loaded, parse_masks("Once upon [MASK*3] time."))
    mask = tiny_loaded.special.mask
    assert template.answer.tolist() == before + [mask] * 3 + after  # the space before a gap is the model's to write
    assert template.masks == 3 and template.prefix_length == len(before)
    assert template.prompt_ids.tolist() == [[tiny_loaded.special.bos]]  # plain text: BOS only
    chat = build_template(tiny_loaded, parse_masks("[MASK*2] The end."), instruction="Write a story.")
    assert chat.prefix_length == 0 and chat.answer[-1].item() == tiny_loaded.special.eot
    assert chat.prompt_ids.shape[1] > 5 and not chat.given[:2].any() and chat.given[2:].all()


def test_typed_special_tokens_stay_text(tiny_loaded):
    template = build_template(tiny_loaded, parse_masks("<|eot_id|> [MASK]"))
    assert tiny_loaded.special.eot not in template.answer.tolist()


@pytest.fixture(scope="module")
def models():
    return load_model(default_model_name("diffusion")), load_model(default_model_name("autoregressive"))


def _run(models, text, instruction="Write a story."):
    template, stream = infill_stream(*models, text, instruction, seed=0)
    traces = None
    for traces in stream:
        pass
    return template, traces


def test_fill_in_keeps_every_fixed_token_and_fills_every_gap(models):
    text = "Once upon a time, there was a [MASK*3] named Tim. [MASK*8] And they all went home together."
    template, (diffusion, autoregressive) = _run(models, text)
    given = template.given_ids()
    assert diffusion.finished and not (diffusion.answer_ids == diffusion.mask_id).any()
    assert np.array_equal(diffusion.answer_ids[template.given], given[template.given])
    assert fixed_kept(diffusion.answer_ids, given, diffusion.mask_id) == (int(template.given.sum()), 0, int(template.given.sum()))
    assert diffusion.nfe <= template.masks  # one forward pass per step at most, only the gaps are scheduled
    words = render_infill_text(diffusion, given)
    for piece in fixed_text_pieces(given, diffusion):
        if piece.strip() and "eot" not in piece:
            assert piece.strip() in words
    # The AR model continues from the text before the first gap: it keeps that, and writes over the rest.
    assert autoregressive.finished and autoregressive.kind == "autoregressive"
    assert np.array_equal(autoregressive.answer_ids[: template.prefix_length], given[: template.prefix_length])
    kept, overwritten, total = fixed_kept(autoregressive.answer_ids, given, autoregressive.mask_id)
    assert kept < total and overwritten > 0
    assert '<div class="cell done overwrote' in render_given_grid(autoregressive, given)
    assert '<div class="cell done overwrote' not in render_given_grid(diffusion, given)


def test_fill_in_the_beginning_from_an_ending(models):
    template, (diffusion, autoregressive) = _run(models, "[MASK*10] And they all went home together.")
    assert template.prefix_length == 0
    assert fixed_kept(diffusion.answer_ids, template.given_ids(), diffusion.mask_id).kept == template.given.sum()
    assert diffusion.answer_text().endswith("And they all went home together.")
    assert len(autoregressive.steps) >= 1 and autoregressive.answer_ids.shape == diffusion.answer_ids.shape
