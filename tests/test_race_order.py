"""The fair race: the any-order score on handmade orders, equal-passes racing, and the live order map."""

import math
import time

import numpy as np
import pytest

from llada_demo.errors import SettingsError
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.modes.compare import compare, compare_stream
from llada_demo.modes.race import Lane, check_alignment, race
from llada_demo.sampling import SamplingSettings
from llada_demo.scoring.order import any_order_share, written_past_a_gap
from llada_demo.scoring.run_figures import run_figures
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.order_grid import render_order_map
from llada_demo.viz.run_card import render_comparison, render_run_card

MASK, EOS = 2, 1
TEXTS = {MASK: "<|mdm_mask|>", EOS: "<|endoftext|>", 10: " a", 11: " b", 12: " c", 13: "<b>x</b>"}


def _ordered(order, tokens=(10, 11, 12, 13), initial=None, finished=True, kind="diffusion") -> Trace:
    """A trace whose position p is committed at step order[p] (None: never; -1: given in `initial`)."""
    length = len(order)
    settings = SamplingSettings(gen_length=length, steps=length, block_length=length)
    trace = Trace(prompt_ids=np.array([0], np.int32), settings=settings, mask_id=MASK, stop_ids=(EOS,),
                  texts=dict(TEXTS), kind=kind, initial=initial)
    current = np.array(initial if initial is not None else [MASK] * length, np.int32)
    last = max([s for s in order if s is not None and s >= 0], default=-1)
    for step in range(last + 1):
        committed = [p for p, s in enumerate(order) if s == step]
        current = current.copy()
        current[committed] = [tokens[p] for p in committed]
        trace.steps.append(StepRecord(step, 0, current, np.array(committed, np.int32),
                                      np.full(len(committed), 0.5, np.float32), current,
                                      np.full(length, 0.5, np.float32), step + 1, 0.01 * (step + 1)))
    trace.finished = finished
    return trace


def test_left_to_right_scores_zero_and_right_to_left_all_but_the_first():
    assert any_order_share(_ordered([0, 1, 2, 3])) == 0.0
    assert any_order_share(_ordered([3, 2, 1, 0])) == pytest.approx(3 / 4)
    assert written_past_a_gap(_ordered([3, 2, 1, 0])).tolist() == [False, True, True, True]
    # Ends first, then the middle: the last position was written while 1 and 2 were masked.
    assert written_past_a_gap(_ordered([0, 2, 2, 1])).tolist() == [False, False, False, True]


def test_the_same_pass_is_no_gap_and_a_masked_position_is_one():
    assert any_order_share(_ordered([0, 0, 1, 1])) == 0.0  # two per pass, still left to right
    running = _ordered([None, None, 0, None], finished=False)  # mid-run: 0 and 1 still masked
    assert any_order_share(running) == 1.0
    assert math.isnan(any_order_share(_ordered([None, None, None, None], finished=False)))


def test_after_the_end_marker_and_given_positions_do_not_count():
    # Position 1 is the end marker; 2 and 3 (EOS padding, written first) are past the answer's end.
    trace = _ordered([2, 1, 0, 0], tokens=(10, EOS, EOS, EOS))
    assert written_past_a_gap(trace).tolist() == [False, True, False, False]
    assert any_order_share(trace) == pytest.approx(1 / 2)
    given = np.array([10, MASK, MASK, 13], np.int32)  # the user gave 0 and 3: never gaps, never counted
    trace = _ordered([-1, 0, 1, -1], initial=given)
    assert any_order_share(trace) == 0.0 and written_past_a_gap(trace).sum() == 0


def test_cards_table_and_order_map_show_the_score():
    trace = _ordered([3, 2, 1, 0])
    figures = run_figures(trace)
    assert figures.any_order == pytest.approx(0.75)
    assert "any-order share" in render_run_card("Diffusion", figures) and ">0.75<" in render_run_card("D", figures)
    assert "never past a gap" in render_comparison(("d", "a"), (figures, run_figures(_ordered([0, 1, 2, 3]))))
    html = render_order_map(_ordered([3, None, 1, 0], finished=False), columns=2, title="<i>Diffusion</i>")
    assert html.count('class="o ') + html.count('class="o"') == 4 and html.count("o masked") == 1
    assert html.count('class="o gap"') == 2 and "<i>" not in html and "<b>" not in html  # all text escaped
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "--cols:2" in html


def _lane(seconds_per_pass, length, tokens_per_pass):
    """A fake run: `length` positions, `tokens_per_pass` written left to right each pass, each pass sleeping."""
    def records():
        tokens = np.zeros(length, np.int32)
        for step in range(-(-length // tokens_per_pass)):
            time.sleep(seconds_per_pass)
            committed = np.arange(step * tokens_per_pass, min((step + 1) * tokens_per_pass, length), dtype=np.int32)
            tokens = tokens.copy()
            tokens[committed] = 7
            yield StepRecord(step, 0, tokens, committed, np.ones(len(committed), np.float32), tokens,
                             np.ones(length, np.float32), step + 1, 0.0)

    steps = -(-length // tokens_per_pass)
    settings = SamplingSettings(gen_length=length, steps=steps, block_length=length)
    return Lane(Trace(np.zeros(1, np.int32), settings, 0, (1,)), records(), tokenizer=None)


def test_equal_passes_keeps_the_unfinished_lanes_level_at_every_frame(monkeypatch):
    monkeypatch.setattr("llada_demo.engine.traces.add_texts", lambda *args: None)
    # A slow lane writing 4 tokens a pass against a fast one writing 1: equal time would let the fast one run ahead.
    slow, fast = _lane(0.01, 16, 4), _lane(0.001, 16, 1)
    frames = []
    for traces in race([slow, fast], align="passes"):
        frames.append(tuple((t.nfe, t.finished) for t in traces))
    assert slow.trace.finished and fast.trace.finished
    assert frames[0] == ((0, False), (0, False))
    for (slow_passes, slow_done), (fast_passes, fast_done) in frames:
        if not slow_done and not fast_done:
            assert slow_passes == fast_passes
    # The slow lane ended after 4 passes, when the fast one had also run 4 (4 of its 16 tokens).
    assert next(f for f in frames if f[0][1]) == ((4, True), (4, False))
    assert frames[-1] == ((4, True), (16, True)) and len(frames) == 1 + 16
    assert slow.own_time > fast.own_time  # each lane's own compute is still measured


def test_equal_time_is_still_the_default_and_bad_alignments_say_what_to_choose(monkeypatch):
    monkeypatch.setattr("llada_demo.engine.traces.add_texts", lambda *args: None)
    slow, fast = _lane(0.01, 8, 4), _lane(0.001, 8, 1)
    frames = [tuple(t.nfe for t in traces) for traces in race([slow, fast])]
    assert any(fast_n > slow_n + 1 for slow_n, fast_n in frames)  # equal time: the cheap lane runs ahead
    for bad in ("wall", None, 3, ["passes"]):
        with pytest.raises(SettingsError, match="equal forward passes"):
            check_alignment(bad)


@pytest.fixture(scope="module")
def models():
    return load_model(default_model_name("diffusion")), load_model(default_model_name("autoregressive"))


def test_compare_with_equal_passes_on_the_embedded_pair(models):
    diffusion, autoregressive = models
    settings = SamplingSettings(gen_length=32, steps=8, block_length=32, seed=0)
    seen = []
    for d, a in compare_stream(diffusion, autoregressive, "Write a story about a cat.", settings, align="passes"):
        seen.append((d.nfe, d.finished, a.nfe, a.finished))
    assert all(dn == an for dn, dd, an, ad in seen if not dd and not ad)
    assert any(dd and not ad for dn, dd, an, ad in seen), "the diffusion side (4 tokens a pass) should end first"
    d, a = compare(diffusion, autoregressive, "Write a story about a cat.", settings, align="passes")
    assert run_figures(d).forward_passes == 8 and run_figures(a).any_order == 0.0
    assert 0.0 <= run_figures(d).any_order <= 1.0
    with pytest.raises(SettingsError):
        compare_stream(diffusion, autoregressive, "Write a story.", settings, align="sideways")


def test_the_chat_stats_show_the_out_of_order_share_with_its_meaning():
    from llada_demo.viz.stats import render_stats

    def out_of_order(trace):
        html = render_stats(trace)
        cell = html.split('<div class="label">out of order</div>')[1]
        return cell.split('<div class="value">')[1].split("</div>")[0], html

    assert out_of_order(_ordered([0, 1, 2, 3]))[0] == "0 %"
    value, html = out_of_order(_ordered([3, 2, 1, 0]))
    assert value == "75 %" and "strictly left to right" in html  # the hover says what the number means
    assert out_of_order(_ordered([None, None, None, None], finished=False))[0] == "–"
