"""Rewind and branch: edits as typed, the branch's starting answer from a step plus edits, the origin through
JSON, the changed cells drawn, and a real branch on the embedded model keeping the person's token."""

import json

import numpy as np
import pytest

from llada_demo.engine import last, load_model, worker
from llada_demo.errors import SettingsError
from llada_demo.models.tokenizer import chat_prompt_ids
from llada_demo.modes.branch import (
    branch_settings,
    branch_stream,
    branch_template,
    parse_edits,
    plan_branch,
    resolve_edits,
)
from llada_demo.sampling import SamplingSettings, generate
from llada_demo.trace import Trace
from llada_demo.viz.branch_diff import render_branch_diff, word_diff
from llada_demo.viz.export_html import animation_html
from llada_demo.viz.player_data import replay_data
from llada_demo.viz.token_grid import render_grid
from viz_fixtures import parse_grid

MODEL = "embedded-llada"


@pytest.fixture(scope="module")
def loaded():
    worker.run_here()
    return load_model(MODEL)


@pytest.fixture(scope="module")
def parent(loaded):
    """A finished 64-token run of the embedded model, with token texts, as the app records it."""
    from llada_demo.engine import add_texts

    ids = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": "Write a story about a cat and a ball."}])
    trace = generate(loaded.model, ids, SamplingSettings(gen_length=64, steps=32, block_length=32, seed=0),
                     stop_ids=loaded.special.stops, model_name=MODEL)
    add_texts(trace, loaded.tokenizer, trace.prompt_ids)
    for record in trace.steps:
        add_texts(trace, loaded.tokenizer, record.tokens, record.predicted, record.top_ids)
    return trace


def test_edits_are_read_as_typed():
    edits = parse_edits('12 = dog; 3-5 = [MASK]\n7 = " the;x"\n8 = #686 " dog"\n9=░░')
    assert [(e.first, e.last, e.kind, e.value) for e in edits] == [
        (12, 12, "word", "dog"), (3, 5, "mask", ""), (7, 7, "text", " the;x"), (8, 8, "id", "686"),
        (9, 9, "mask", "")]
    assert parse_edits("") == [] and parse_edits(None) == [] and parse_edits(" ;\n ") == []


@pytest.mark.parametrize("text, says", [
    ("dog", "Cannot read the edit"), ("5-3 = [MASK]", "runs backwards"), ("3-4 = dog", "only have its masks"),
    ("3 = ", "no word"), ('3 = ""', "empty text"), (["3 = dog"], "Edits are text"), ("1 = x" * 500, "under"),
])
def test_unreadable_edits_say_what_to_change(text, says):
    with pytest.raises(SettingsError, match=says):
        parse_edits(text)


def test_a_word_is_placed_from_its_cell_with_the_space_words_carry(loaded):
    tokenizer, mask = loaded.tokenizer, loaded.special.mask
    vocab = loaded.model.config.vocab_size
    dog = tokenizer(" dog", add_special_tokens=False)["input_ids"]
    assert resolve_edits(parse_edits("4 = dog"), tokenizer, mask, 16, vocab) == {4: dog[0]}
    # At the answer's first cell, and for punctuation, no space is added; quotes keep text exactly.
    assert resolve_edits(parse_edits("0 = Once"), tokenizer, mask, 16, vocab) == {
        0: tokenizer("Once", add_special_tokens=False)["input_ids"][0]}
    assert resolve_edits(parse_edits("5 = ."), tokenizer, mask, 16, vocab) == {5: tokenizer(".")["input_ids"][-1]}
    # Several tokens take the cells after their first; masks go back over a range; later edits win.
    words = tokenizer(" the big dog", add_special_tokens=False)["input_ids"]
    assert resolve_edits(parse_edits("2 = the big dog; 3 = [MASK]"), tokenizer, mask, 16, vocab) == {
        2: words[0], 3: mask, 4: words[2]}
    assert resolve_edits(parse_edits("6-8 = [MASK]"), tokenizer, mask, 16, vocab) == {6: mask, 7: mask, 8: mask}
    for text, says in (("16 = dog", "past the answer's end"), ("15 = the big dog", "runs past"),
                       (f"3 = #{mask}", "not one the model"), (f"3 = #{vocab}", "not one the model")):
        with pytest.raises(SettingsError, match=says):
            resolve_edits(parse_edits(text), tokenizer, mask, 16, vocab)


def test_the_template_is_the_answer_at_that_step_with_the_edits_written_in(parent):
    step = 5
    before = parent.steps[step - 1].tokens.copy()
    template = branch_template(parent, step, {2: 686, 40: parent.mask_id})
    expected = parent.steps[step - 1].tokens.copy()
    expected[2], expected[40] = 686, parent.mask_id
    np.testing.assert_array_equal(template, expected)
    np.testing.assert_array_equal(branch_template(parent, 0, {}), np.full(64, parent.mask_id))
    np.testing.assert_array_equal(parent.steps[step - 1].tokens, before)  # the parent is left as it was
    for bad in (-1, len(parent.steps) + 1, 2.5, "3", None):
        with pytest.raises(SettingsError):
            branch_template(parent, bad, {})


def test_branch_settings_keep_length_and_blocks_and_name_the_steps_that_fit(parent):
    settings = branch_settings(parent.settings, steps=16, strategy="random", temperature=0.5, seed=3)
    assert (settings.gen_length, settings.block_length, settings.steps, settings.strategy, settings.temperature,
            settings.seed) == (64, 32, 16, "random", 0.5, 3)
    with pytest.raises(SettingsError, match="2 block"):
        branch_settings(parent.settings, steps=15)


def test_a_branch_keeps_the_changed_word_fills_the_rest_and_says_where_it_came_from(loaded, parent):
    step = 4
    changed = int(np.flatnonzero(parent.steps[step - 1].tokens != parent.mask_id)[-1])  # committed by step 4
    settings = branch_settings(parent.settings)
    plan = plan_branch(loaded, parent, step, f"{changed} = dragon; 50-51 = [MASK]", settings)
    dragon = loaded.tokenizer(" dragon", add_special_tokens=False)["input_ids"][0]
    assert plan.edits[changed] == dragon and plan.masks == int((plan.template == parent.mask_id).sum())
    branch = last(branch_stream(loaded, parent, plan, settings))
    assert branch.finished and not (branch.answer_ids == parent.mask_id).any()
    assert branch.answer_ids[changed] == dragon  # the person's token stays
    kept = (plan.template != parent.mask_id)
    np.testing.assert_array_equal(branch.answer_ids[kept], plan.template[kept])  # so does all that was committed
    assert branch.origin == {"step": step, "edits": {changed: dragon, 50: parent.mask_id, 51: parent.mask_id},
                             "parent": plan.origin["parent"]}
    assert "64 tokens" in branch.origin["parent"]
    # Only the masks were scheduled: no more forward passes than steps, and each committed a masked cell.
    assert branch.nfe <= settings.steps
    assert sum(len(r.committed) for r in branch.steps) == plan.masks
    # Its grid marks the changed cells and the kept ones, with a legend entry; the diff has the new word.
    cells = {c["pos"]: c for c in parse_grid(render_grid(branch)).cells}
    assert "edited" in cells[changed]["classes"] and "you changed this cell to" in cells[changed]["title"]
    assert "edited" in cells[50]["classes"] and "you put the mask back" in cells[50]["title"]
    kept_cells = [p for p in np.flatnonzero(kept) if p not in plan.edits]
    assert kept_cells and all("kept" in cells[p]["classes"] and "background" not in cells[p]["style"]
                              for p in kept_cells)
    assert "you changed it" in render_grid(branch) and "you changed it" not in render_grid(parent)
    assert "<ins>" in render_branch_diff(parent, branch) and "dragon" in branch.answer_text()


def test_the_origin_round_trips_json_and_old_traces_still_load(loaded, parent):
    settings = branch_settings(parent.settings, steps=2)
    plan = plan_branch(loaded, parent, 3, "5 = [MASK]", settings)
    branch = last(branch_stream(loaded, parent, plan, settings))
    again = Trace.from_json(branch.to_json())
    assert again.origin == branch.origin and isinstance(next(iter(again.origin["edits"])), int)
    assert json.loads(branch.to_json())["origin"]["edits"] == {"5": parent.mask_id}
    assert "origin" not in parent.to_dict() and Trace.from_dict(parent.to_dict()).origin is None
    assert again.prefix(1).origin == branch.origin


def test_nothing_left_to_fill_gives_the_edited_answer_as_it_stands(loaded, parent):
    settings = branch_settings(parent.settings)
    plan = plan_branch(loaded, parent, len(parent.steps), "3 = dragon", settings)
    assert plan.masks == 0
    branch = last(branch_stream(loaded, parent, plan, settings))
    assert branch.finished and branch.steps == [] and branch.answer_ids[3] == plan.edits[3]


def test_only_diffusion_runs_of_the_same_length_branch(loaded, parent):
    with pytest.raises(SettingsError, match="answer length"):
        plan_branch(loaded, parent, 1, "", parent.settings.replace(gen_length=32))
    ar = Trace.from_dict(dict(parent.to_dict(), kind="autoregressive"))
    with pytest.raises(SettingsError, match="diffusion run"):
        plan_branch(loaded, ar, 1, "", parent.settings)


def test_the_replay_page_carries_the_branch_start_origin_and_candidates(loaded, parent):
    settings = branch_settings(parent.settings)
    plan = plan_branch(loaded, parent, 4, "10 = dragon", settings)
    branch = last(branch_stream(loaded, parent, plan, settings))
    data = replay_data(branch)
    assert data["initial"] == plan.template.tolist() and data["origin"] == {"step": 4, "edits": {"10": plan.edits[10]}}
    first = branch.steps[0]
    assert data["steps"][0]["ti"] == first.top_ids.ravel().tolist()
    assert len(data["steps"][0]["tp"]) == first.top_ids.size and all(0 <= p <= 1000 for p in data["steps"][0]["tp"])
    assert all(str(i) in data["tokens"] for i in data["steps"][0]["ti"])
    assert "you changed it" in animation_html(branch)


def test_word_diff_marks_only_what_changed():
    assert word_diff("the cat sat", "the dog sat") == [("same", "the "), ("del", "cat"), ("ins", "dog"),
                                                       ("same", " sat")]


def test_a_branch_can_be_branched_again(loaded, parent):
    settings = branch_settings(parent.settings)
    first = last(branch_stream(loaded, parent, plan_branch(loaded, parent, 4, "10 = dragon", settings), settings))
    plan = plan_branch(loaded, first, 2, "20 = castle", settings)
    assert plan.template[10] == first.origin["edits"][10]  # the first branch's word is now part of the state
    second = last(branch_stream(loaded, first, plan, settings))
    assert second.finished and second.answer_ids[10] == first.answer_ids[10]
    assert second.origin["parent"].startswith("a branch (from its parent's step 4)")
