"""Plotly figures: shapes and values match the trace, empty/partial traces work, JSON stays small."""

import numpy as np
import plotly.graph_objects as go
import pytest

from llada_demo.viz import confidence_heatmap, decoding_order_map, step_curves
from viz_fixtures import handmade_trace, synthetic_trace, tiny_run

FIGURES = (confidence_heatmap, decoding_order_map, step_curves)


def test_heatmap_is_positions_by_steps_with_committed_cells_blanked():
    trace = tiny_run()
    figure = confidence_heatmap(trace)
    heatmap = figure.data[0]
    assert heatmap.z.shape == (trace.gen_length, len(trace.steps)) and heatmap.z.dtype == np.float32
    assert list(heatmap.x) == list(range(1, len(trace.steps) + 1))
    full = np.stack([r.predicted_confidence for r in trace.steps], axis=1)
    commit = trace.commit_steps()
    for position in range(trace.gen_length):
        undecided = np.arange(len(trace.steps)) <= commit[position]
        np.testing.assert_allclose(heatmap.z[position, undecided], full[position, undecided], rtol=1e-6)
        assert np.isnan(heatmap.z[position, ~undecided]).all()
    np.testing.assert_allclose(confidence_heatmap(trace, show_committed=True).data[0].z, full, rtol=1e-6)


def test_heatmap_of_a_cached_run_says_which_guesses_are_stale():
    note = "the guess from the block's first step"
    assert note in confidence_heatmap(tiny_run(cache="dual")).layout.title.text
    assert note not in confidence_heatmap(tiny_run()).layout.title.text


def test_heatmap_marks_each_commit():
    trace = tiny_run()
    markers = confidence_heatmap(trace).data[1]
    commit = trace.commit_steps()
    assert list(markers.y) == list(range(trace.gen_length))
    assert list(markers.x) == (commit + 1).tolist()


def test_heatmap_max_steps_keeps_first_and_last():
    trace = tiny_run()
    heatmap = confidence_heatmap(trace, max_steps=5).data[0]
    assert heatmap.z.shape == (trace.gen_length, 5)
    assert heatmap.x[0] == 1 and heatmap.x[-1] == len(trace.steps)


def test_decoding_order_is_the_grid_of_commit_steps():
    trace = tiny_run()
    heatmap = decoding_order_map(trace, columns=16).data[0]
    assert heatmap.z.shape == (2, 16)
    np.testing.assert_array_equal(heatmap.z.reshape(-1), trace.commit_steps() + 1)


def test_decoding_order_of_a_partial_run_pads_and_leaves_masks_blank():
    trace = handmade_trace()
    partial = trace.prefix(2)
    heatmap = decoding_order_map(partial, columns=4).data[0]
    values = heatmap.z.reshape(-1)
    assert heatmap.z.shape == (3, 4)
    expected = partial.commit_steps()
    np.testing.assert_array_equal(values[:10][expected >= 0], expected[expected >= 0] + 1)
    assert np.isnan(values[:10][expected < 0]).all() and np.isnan(values[10:]).all()


def test_figure_hovers_escape_token_text():
    hover = decoding_order_map(handmade_trace()).data[0].text
    flat = [text for row in hover for text in row]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in text for text in flat)
    assert not any("<script" in text or "<img" in text for text in flat)
    markers = confidence_heatmap(handmade_trace()).data[1].text
    assert not any("<script" in text for text in markers)


def test_step_curves_series():
    trace = tiny_run()
    figure = step_curves(trace)
    masks_left, committed, mean_confidence = figure.data
    assert list(masks_left.y) == [int((r.tokens == trace.mask_id).sum()) for r in trace.steps]
    assert list(committed.y) == [len(r.committed) for r in trace.steps]
    assert sum(committed.y) == trace.gen_length and masks_left.y[-1] == 0
    np.testing.assert_allclose(mean_confidence.y, [r.committed_confidence.mean() for r in trace.steps], rtol=1e-6)


@pytest.mark.parametrize("figure_function", FIGURES)
def test_empty_trace_gives_a_placeholder_figure(figure_function):
    figure = figure_function(tiny_run().prefix(0))
    assert isinstance(figure, go.Figure) and len(figure.data) == 0
    assert figure.layout.annotations[0].text == "No steps yet"
    assert len(figure.to_json()) < 5_000


@pytest.mark.parametrize("figure_function", FIGURES)
def test_partial_trace_draws(figure_function):
    figure = figure_function(tiny_run().prefix(5))
    assert len(figure.data) >= 1 and figure.to_json()
    assert len(str(figure.layout.template.to_plotly_json())) < 100  # "none", not plotly's ~10 kB default


def test_figure_json_stays_small_for_256_positions_and_256_steps():
    trace = synthetic_trace(256, 256, 32)
    sizes = {f.__name__: len(f(trace).to_json()) for f in FIGURES}
    print("figure JSON bytes (256 positions x 256 steps):", sizes)
    # Measured: heatmap ~475 kB (65,536 float32 cells as base64), decoding order ~14 kB, curves ~10 kB.
    assert sizes["confidence_heatmap"] < 600_000
    assert sizes["decoding_order_map"] < 40_000
    assert sizes["step_curves"] < 30_000
    assert len(confidence_heatmap(trace, max_steps=64).to_json()) < 160_000
