"""Views of a revising run: the grid marks the cells taken back (and how often), the step curves and stats count
them; runs of LLaDA's own strategies look exactly as before."""

import re

import numpy as np

from llada_demo.sampling import SamplingSettings
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.figures import confidence_matrix, step_curves, step_series
from llada_demo.viz.state import answer_state
from llada_demo.viz.stats import render_stats
from llada_demo.viz.token_grid import render_grid

MASK = 99


def _record(step, tokens, committed, remasked=()):
    return StepRecord(step=step, block=0, tokens=np.array(tokens, dtype=np.int32),
                      committed=np.array(committed, dtype=np.int32),
                      committed_confidence=np.full(len(committed), 0.4, dtype=np.float32),
                      predicted=np.array(tokens, dtype=np.int32) % MASK,
                      predicted_confidence=np.full(4, 0.5, dtype=np.float32),
                      nfe=step + 1, elapsed=0.1 * (step + 1), remasked=np.array(remasked, dtype=np.int32))


def _trace(strategy="revising"):
    settings = SamplingSettings(gen_length=4, steps=4, block_length=4, strategy=strategy)
    steps = [
        _record(0, [5, 6, MASK, MASK], [0, 1]),
        _record(1, [MASK, 6, 7, MASK], [2], remasked=[0]),
        _record(2, [8, MASK, 7, MASK], [0], remasked=[1]),
        _record(3, [8, 6, 7, 9], [1, 3]),
    ]
    return Trace(prompt_ids=np.array([1], dtype=np.int32), settings=settings, mask_id=MASK, stop_ids=(), steps=steps,
                 texts={5: "a", 6: "b", 7: "c", 8: "d", 9: "e"}, finished=True)


def _cells(html):
    return re.findall(r'<div class="(cell[^"]*)"[^>]*data-pos="(\d+)"([^>]*)title="([^"]*)"', html)


def test_the_grid_marks_changed_and_confirmed_cells_with_their_count():
    cells = {int(pos): (classes.split(), rest, title) for classes, pos, rest, title in _cells(render_grid(_trace()))}
    assert "revised" in cells[0][0] and 'data-remasks="1"' in cells[0][1]  # 5 went back and came back as 8
    assert "rechecked" in cells[1][0] and "revised" not in cells[1][0]  # 6 went back and came back as 6
    assert "differed 1×" in cells[0][2] and "differed 0×" in cells[1][2]
    assert not {"revised", "rechecked"} & set(cells[2][0] + cells[3][0]) and "data-remasks" not in cells[2][1]
    # Mid-run: after step 2 position 0 waits masked (taken back, nothing changed yet); after step 3 it holds its
    # new token and position 1 waits in turn.
    middle = {int(pos): classes.split() for classes, pos, _, _ in _cells(render_grid(_trace(), step=2))}
    assert {"masked", "rechecked"} <= set(middle[0]) and not {"revised", "rechecked"} & set(middle[1])
    later = {int(pos): classes.split() for classes, pos, _, _ in _cells(render_grid(_trace(), step=3))}
    assert "revised" in later[0] and {"masked", "rechecked"} <= set(later[1])
    assert answer_state(_trace(), 3).remasks.tolist() == [1, 1, 0, 0]


def test_step_curves_and_stats_count_the_tokens_taken_back():
    trace = _trace()
    assert step_series(trace)["remasked"].tolist() == [0, 1, 1, 0]
    bars = {t.name: list(t.y) for t in step_curves(trace).data}
    assert bars["returned to [MASK]"] == [0, 1, 1, 0]
    assert re.search(r'taken back</div><div class="value">2 · 1 changed<', render_stats(trace))
    assert "taken back, then changed" in render_grid(trace)


def test_other_strategies_draw_no_revision_marks():
    trace = _trace("low_confidence")
    for record in trace.steps:
        record.remasked = np.zeros(0, dtype=np.int32)
    assert "returned to [MASK]" not in {t.name for t in step_curves(trace).data}
    assert "taken back" not in render_stats(trace) and "taken back" not in render_grid(trace)
    assert not re.search(r"\b(revised|rechecked)\b", render_grid(trace))


def test_the_heatmap_shows_guesses_only_while_a_position_is_masked():
    shown = np.isfinite(confidence_matrix(_trace()))
    # Position 0: committed at step 1, taken back after step 2's pass, committed again at step 3.
    assert shown.tolist() == [[True, False, True, False], [True, False, False, True], [True, True, False, False],
                              [True, True, True, True]]
    assert np.isfinite(confidence_matrix(_trace(), show_committed=True)).all()
