"""The token grid: one cell per position at every step, states and classes, escaping, colour toggle."""

import numpy as np
import pytest

from llada_demo.viz import GRID_CSS, render_grid
from viz_fixtures import autoregressive_trace, handmade_trace, parse_grid, tiny_run


def cells_at(trace, step, **options):
    return parse_grid(render_grid(trace, step, **options)).cells


def test_exactly_gen_length_cells_in_order_at_every_step():
    trace = tiny_run()
    for step in range(len(trace.steps) + 1):
        cells = cells_at(trace, step)
        assert [c["pos"] for c in cells] == list(range(trace.gen_length))


def test_step_zero_is_all_masked():
    trace = tiny_run()
    html = render_grid(trace, 0)
    cells = parse_grid(html).cells
    assert all("masked" in c["classes"] and "done" not in c["classes"] for c in cells)
    assert all(c["text"] == "░░" for c in cells)
    assert "step <b>0/16</b>" in html and "masks left <b>32</b>" in html and "NFE <b>0</b>" in html
    assert "no forward pass yet" in cells[0]["title"]


def test_final_step_of_a_full_run_has_no_masked_cell():
    trace = tiny_run()
    assert render_grid(trace) == render_grid(trace, len(trace.steps)) == render_grid(trace, -1)
    cells = cells_at(trace, None)
    assert not any("masked" in c["classes"] for c in cells)
    assert "masks left <b>0</b>" in render_grid(trace)


def test_masked_cells_follow_the_recorded_tokens():
    trace = tiny_run()
    for step in (1, 5, 11):
        masked = {c["pos"] for c in cells_at(trace, step) if "masked" in c["classes"]}
        assert masked == set(np.flatnonzero(trace.steps[step - 1].tokens == trace.mask_id).tolist())


def test_cells_committed_at_the_shown_step_are_new():
    trace = tiny_run()
    for step in range(1, len(trace.steps) + 1):
        new = {c["pos"] for c in cells_at(trace, step) if "new" in c["classes"]}
        assert new == set(trace.steps[step - 1].committed.tolist())
    assert not any("new" in c["classes"] for c in cells_at(trace, 0))


def test_steps_out_of_range_are_clamped():
    trace = tiny_run()
    assert render_grid(trace, 999) == render_grid(trace)
    assert render_grid(trace, -999) == render_grid(trace, 0)


def test_hover_tells_position_step_and_confidence_or_best_guess():
    trace = handmade_trace()
    cells = cells_at(trace, 1)
    assert cells[0]["title"] == "“Hello”\nposition 0 · committed at step 1\np = 0.200"
    guess = trace.steps[0].predicted_confidence[1]
    assert cells[1]["title"] == f"position 1 · masked\nbest guess “␣world” (p = {guess:.3f})"


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4])
def test_hostile_token_texts_are_escaped(step):
    html = render_grid(handmade_trace(), step)
    parsed = parse_grid(html)
    # Only the grid's own tags and attributes: nothing a token text could have injected.
    assert set(parsed.tags) <= {"div", "span", "b"}
    assert parsed.attribute_names <= {"class", "style", "data-pos", "title", "data-step", "data-color-by"}
    lowered = html.lower()
    for raw in ("<script", "</script", "<img", 'onmouseover="', "onerror=alert(1)>"):
        assert raw not in lowered


def test_hostile_texts_survive_as_text():
    cells = cells_at(handmade_trace(), 4)
    assert cells[3]["text"] == "<script>alert(1)</script>"
    assert cells[4]["text"] == '" onmouseover="x'
    assert cells[5]["title"].startswith("“<img␣src=x␣onerror=alert(1)>”")


def test_end_tokens_are_dimmed_and_labelled():
    cells = cells_at(handmade_trace(), None)
    assert "stop" in cells[8]["classes"] and cells[8]["text"] == "⏎EOT"
    assert "stop" in cells[9]["classes"] and cells[9]["text"] == "⏎EOS"
    assert "stop" not in cells[0]["classes"]
    assert ".cell.stop" in GRID_CSS and "opacity" in GRID_CSS.split(".cell.stop", 1)[1].split("}")[0]


def test_whitespace_is_visible():
    cells = cells_at(handmade_trace(), None)
    assert cells[1]["text"] == "·world"  # leading space as a faint dot
    assert cells[2]["text"] == "↵"
    assert cells[6]["text"] == "··indented"


def test_colour_toggle_changes_committed_backgrounds():
    trace = handmade_trace()
    by_confidence = cells_at(trace, 2, color_by="confidence")
    by_step = cells_at(trace, 2, color_by="step")
    assert render_grid(trace, 2, color_by="step") != render_grid(trace, 2, color_by="confidence")
    # Positions 0 and 1: committed at different steps with the same confidence (0.2).
    assert by_confidence[0]["style"] == by_confidence[1]["style"] != ""
    assert by_step[0]["style"] != by_step[1]["style"]
    assert by_confidence[7]["style"] == by_step[7]["style"] == ""  # masked cells are not coloured
    with pytest.raises(ValueError):
        render_grid(trace, color_by="rainbow")


def test_current_block_is_outlined():
    trace = handmade_trace()
    for step, block in ((0, range(5)), (2, range(5)), (3, range(5, 10))):
        in_block = {c["pos"] for c in cells_at(trace, step) if "in-block" in c["classes"]}
        assert in_block == set(block)
    single_block = autoregressive_trace()
    assert not any("in-block" in c["classes"] for c in cells_at(single_block, 2))


def test_columns_and_header_of_a_partial_run():
    partial = tiny_run().prefix(3)
    html = render_grid(partial, columns=8)
    assert "--cols:8" in html and "step <b>3/16</b>" in html
    assert len(parse_grid(html).cells) == 32


def test_autoregressive_trace_fills_left_to_right():
    trace = autoregressive_trace(6)
    for step in range(7):
        masked = [c["pos"] for c in cells_at(trace, step) if "masked" in c["classes"]]
        assert masked == list(range(step, 6))
    assert "autoregressive" in render_grid(trace)
    assert cells_at(trace, 2)[4]["title"] == "position 4 · masked\nno guess yet"
