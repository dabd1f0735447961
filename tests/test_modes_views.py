"""The teaching modes' views: fixed cells drawn apart, hostile token and user text escaped, figures fit the data."""

import numpy as np

from llada_demo.modes.explain import Explainer, forward_masking, snapshot_steps
from llada_demo.modes.sweep import SweepPoint
from llada_demo.sampling import SamplingSettings
from llada_demo.scoring.agreement import fixed_kept
from llada_demo.scoring.run_figures import run_figures
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.diagram import render_explainer
from llada_demo.viz.given_grid import render_given_grid
from llada_demo.viz.infill_text import render_infill_text
from llada_demo.viz.run_card import render_comparison, render_run_card
from llada_demo.viz.sweep import sweep_figure, sweep_rows

MASK, EOS = 2, 1
HOSTILE = '<img src=x onerror="alert(1)">'
TEXTS = {MASK: "<|mdm_mask|>", EOS: "<|endoftext|>", 10: " Once", 11: HOSTILE, 12: " end", 13: " dog", 14: "<u>x</u>"}


def _trace(steps, initial=None, kind="diffusion") -> Trace:
    settings = SamplingSettings(gen_length=4, steps=max(len(steps), 1), block_length=4)
    trace = Trace(prompt_ids=np.array([0], np.int32), settings=settings, mask_id=MASK, stop_ids=(EOS,),
                  texts=dict(TEXTS), kind=kind, initial=initial, model_name="<i>model</i>")
    for index, (tokens, committed) in enumerate(steps):
        tokens = np.array(tokens, np.int32)
        trace.steps.append(StepRecord(index, 0, tokens, np.array(committed, np.int32),
                                      np.full(len(committed), 0.5, np.float32), tokens, np.full(4, 0.5, np.float32),
                                      index + 1, 0.1 * (index + 1)))
    trace.finished = True
    return trace


GIVEN = np.array([10, MASK, MASK, 12], np.int32)  # "Once [MASK*2] end"


def test_given_grid_draws_fixed_filled_ahead_and_overwritten_cells():
    diffusion = _trace([([10, 11, MASK, 12], [1]), ([10, 11, 14, 12], [2])], initial=GIVEN)
    html = render_given_grid(diffusion, GIVEN)
    assert html.count('<div class="cell given"') == 2 and "overwrote\"" not in html
    assert HOSTILE not in html and "&lt;img src=x" in html and "<u>" not in html
    assert fixed_kept(diffusion.answer_ids, GIVEN, MASK) == (2, 0, 2)
    # An AR run that has not reached the last fixed token, then one that wrote over it.
    ahead = _trace([([10, 13, MASK, MASK], [1])], initial=np.array([10, MASK, MASK, MASK], np.int32),
                   kind="autoregressive")
    assert '<div class="cell ahead"' in render_given_grid(ahead, GIVEN)
    over = _trace([([10, 13, 13, 13], [1, 2, 3])], kind="autoregressive")
    assert '<div class="cell done overwrote"' in render_given_grid(over, GIVEN)
    assert fixed_kept(over.answer_ids, GIVEN, MASK) == (1, 1, 2)


def test_filled_text_highlights_the_models_words_and_escapes_them():
    trace = _trace([([10, 11, 14, 12], [1, 2])], initial=GIVEN)
    html = render_infill_text(trace, GIVEN, title="<script>")
    assert '<span class="filled">' in html and HOSTILE not in html and "&lt;script&gt;" in html
    ended = _trace([([10, 13, EOS, EOS], [1, 2, 3])], kind="autoregressive")
    html = render_infill_text(ended, GIVEN)
    assert '<span class="lost"> end</span>' in html  # the user's text an AR answer never reached


def test_run_card_and_comparison_escape_names_and_show_measured_figures():
    trace = _trace([([10, 11, MASK, 12], [0, 1, 3]), ([10, 11, 14, 12], [2])])
    figures = run_figures(trace)
    assert figures.decoded == 4 and figures.tokens_per_pass == 2.0 and figures.forward_passes == 2
    card = render_run_card("Diffusion", figures, trace.model_name)
    assert "<i>model</i>" not in card and "&lt;i&gt;" in card and "2.00" in card
    table = render_comparison(("<a>", "b"), (figures, figures), extra=[("seed", "<x>", "1")])
    assert "<a>" not in table and "&lt;x&gt;" in table and "1.00×" in table


def test_explainer_escapes_tokens_and_draws_every_section():
    trace = _trace([([10, 11, MASK, MASK], [0, 1]), ([10, 11, 14, 12], [2, 3])])
    explainer = Explainer(trace, snapshot_steps(2), 0, forward_masking(trace.answer_ids, MASK))
    html = render_explainer(explainer)
    assert HOSTILE not in html and "<u>" not in html and "&lt;u&gt;" in html
    for section in ("Forward process", "Reverse process", "One step up close", "Semi-autoregressive"):
        assert section in html


def test_sweep_figure_has_one_series_per_setting_group_in_every_panel():
    def point(steps, strategy):
        settings = SamplingSettings(gen_length=8, steps=steps, block_length=8, strategy=strategy)
        return SweepPoint(settings, steps, 0.1 * steps, 8 / steps, HOSTILE, 8, True, 5.0, 1.6, 2.0, -0.5)

    points = [point(s, strategy) for strategy in ("low_confidence", "random") for s in (2, 4, 8)]
    figure = sweep_figure(points, planned=6)
    assert len(figure.data) == 2 * 4 and "6 of 6" in figure.layout.title.text
    assert all(HOSTILE not in str(text) for series in figure.data for text in series.text)
    rows = sweep_rows(points)
    assert [row[1] for row in rows] == [2, 4, 8, 2, 4, 8] and rows[0][-1] == HOSTILE  # the table shows text as text
