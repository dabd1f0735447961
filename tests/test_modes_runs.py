"""Compare, strategy comparison, sweep and explainer logic on the embedded models (short answers, few steps)."""

import itertools
import math
import time

import numpy as np
import pytest

from llada_demo.errors import SettingsError
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.modes.compare import compare
from llada_demo.modes.explain import explain, forward_masking
from llada_demo.modes.race import Lane, race
from llada_demo.modes.strategies import compare_strategies
from llada_demo.modes.sweep import parse_numbers, plan_sweep, run_sweep, sweep_stream
from llada_demo.sampling import SamplingSettings
from llada_demo.scoring.run_figures import run_figures
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.diagram import render_explainer
from llada_demo.viz.sweep import sweep_figure, sweep_rows

PROMPT = "Write a story about a cat and a ball."


@pytest.fixture(scope="module")
def diffusion():
    return load_model(default_model_name("diffusion"))


@pytest.fixture(scope="module")
def autoregressive():
    return load_model(default_model_name("autoregressive"))


def test_compare_both_traces_complete_with_their_own_costs(diffusion, autoregressive):
    settings = SamplingSettings(gen_length=32, steps=8, block_length=32, seed=0)
    d, a = compare(diffusion, autoregressive, PROMPT, settings)
    assert d.finished and a.finished and d.kind == "diffusion" and a.kind == "autoregressive"
    assert not (d.answer_ids == d.mask_id).any() and not (a.answer_ids == a.mask_id).any()
    fd, fa = run_figures(d), run_figures(a)
    assert fd.forward_passes == 8 and fd.tokens_per_pass == 4.0
    assert fa.forward_passes == len(a.steps) and fa.tokens_per_pass == 1.0
    # AR positions are filled strictly left to right, one per step; diffusion commits 4 per step.
    order = a.commit_steps()[: len(a.steps)]
    assert order.tolist() == list(range(len(a.steps)))
    assert sorted(np.bincount(d.commit_steps())) == [4] * 8
    assert 0 < fd.seconds and 0 < fa.seconds


def _fake_lane(name, seconds_per_step, steps, log):
    def records():
        for step in range(steps):
            time.sleep(seconds_per_step)
            log.append(name)
            tokens = np.array([7] * (step + 1) + [0] * (steps - step - 1), dtype=np.int32)
            yield StepRecord(step, 0, tokens, np.array([step], np.int32), np.ones(1, np.float32), tokens,
                             np.ones(steps, np.float32), step + 1, 0.0)

    settings = SamplingSettings(gen_length=steps, steps=steps, block_length=steps)
    return Lane(Trace(np.zeros(1, np.int32), settings, 0, (1,)), records(), tokenizer=None)


def test_race_shares_compute_so_the_slow_lane_gets_fewer_steps(monkeypatch):
    monkeypatch.setattr("llada_demo.engine.traces.add_texts", lambda *args: None)
    log = []
    # 30 times slower per step, so a sleep that overshoots by a few ms on a busy machine (2 ms asked, 6 ms slept)
    # still leaves 10 fast steps per slow one; at 10 times (20 ms against 2) a whole-suite run once saw only 3.
    fast, slow = _fake_lane("fast", 0.002, 60, log), _fake_lane("slow", 0.06, 4, log)
    frames = list(race([fast, slow]))
    assert fast.trace.finished and slow.trace.finished and len(frames) == 1 + 64
    # While both run, the slow lane only moves once the fast one has used as much time.
    first, second = [i for i, name in enumerate(log) if name == "slow"][:2]
    assert log[first + 1:second].count("fast") >= 5
    assert slow.trace.steps[-1].elapsed == pytest.approx(slow.own_time) and slow.own_time >= 0.24


def test_strategy_comparison_runs_both_with_the_same_seed(diffusion):
    first = SamplingSettings(gen_length=32, steps=8, block_length=32, strategy="random", seed=7)
    second = first.replace(seed=99)  # the pairing overrides this: both use the first seed
    a, b = compare_strategies(diffusion, PROMPT, first, second)
    assert a.settings.seed == b.settings.seed == 7
    assert a.answer_ids.tolist() == b.answer_ids.tolist()  # same random order from the same seed
    assert a.commit_steps().tolist() == b.commit_steps().tolist()
    c, d = compare_strategies(diffusion, PROMPT, first, first.replace(strategy="low_confidence"))
    assert c.finished and d.finished and c.commit_steps().tolist() != d.commit_steps().tolist()


def test_plan_skips_invalid_combinations_and_refuses_impossible_sweeps():
    plan = plan_sweep(32, "4, 8, 64", "32 8", ["low_confidence"])
    assert [(s.steps, s.block_length) for s in plan.runs] == [(4, 32), (8, 32), (4, 8), (8, 8)]
    assert len(plan.skipped) == 2 and all("64" in text for text in plan.skipped)
    assert parse_numbers("8, 16 16;32", "Steps") == [8, 16, 32]
    for bad in ("4, ²", "٤", "0", "9" * 5000, "1e3", "-4", "8" * 1200):
        with pytest.raises(SettingsError, match="Steps"):
            parse_numbers(bad, "Steps")
    for args, words in [((32, "a, 8", "32", ["low_confidence"]), "not a whole number"),
                        ((32, "64", "32", ["low_confidence"]), "No valid combination"),
                        ((32, "4", "32", []), "at least one strategy"),
                        ((32, ",".join(map(str, range(1, 14))), "32", ["low_confidence", "random"]), "at most"),
                        ((0, "4", "32", ["low_confidence"]), "Answer length")]:
        with pytest.raises(SettingsError, match=words):
            plan_sweep(*args)
    cached = plan_sweep(32, "4, 64", "32", ["low_confidence"], caches=["none", "dual"])
    assert [(s.cache, s.steps) for s in cached.runs] == [("none", 4), ("dual", 4)]
    assert len(cached.skipped) == 1  # steps 64: named once, not once per cache
    with pytest.raises(SettingsError, match="Unknown cache 'full'"):
        plan_sweep(32, "4", "32", ["low_confidence"], caches=["full"])


def test_sweep_gives_one_measured_point_per_setting(diffusion, autoregressive):
    plan = plan_sweep(32, "4, 8, 16", "32", ["low_confidence"])
    points = run_sweep(diffusion, autoregressive, PROMPT, plan, bound_samples=2)
    assert [p.settings.steps for p in points] == [4, 8, 16]
    assert [p.forward_passes for p in points] == [4, 8, 16]  # one forward pass per step, fixed schedule
    assert [p.tokens_per_pass for p in points] == [8.0, 4.0, 2.0]
    for point in points:
        assert point.twin_perplexity > 1 and math.isclose(math.log(point.twin_perplexity), point.twin_nll)
        assert math.isfinite(point.nll_bound) and point.nll_bound > 0
        assert point.mean_log_prob <= 0 and point.answer
    assert len(sweep_rows(points)) == 3 and len(sweep_figure(points, 3).data) == 4


def test_a_closed_sweep_runs_nothing_more(diffusion):
    plan = plan_sweep(32, "4, 8, 16", "32", ["low_confidence"])
    stream = sweep_stream(diffusion, None, PROMPT, plan, bound_samples=0)
    for progress in stream:
        if progress.points:
            break
    stream.close()  # what a cancelled background run does
    assert len(progress.points) == 1 and not progress.finished


def test_forward_masking_is_nested_and_reaches_all_masked():
    answer = np.arange(10, 50, dtype=np.int32)
    levels = forward_masking(answer, mask_id=2, seed=3)
    masked = [set(np.flatnonzero(ids == 2)) for _, ids in levels]
    assert masked[0] == set() and masked[-1] == set(range(40))
    assert all(a <= b for a, b in itertools.pairwise(masked))
    for (_, ids) in levels:
        kept = ids != 2
        assert np.array_equal(ids[kept], answer[kept])


def test_explainer_draws_a_real_short_run(diffusion):
    result = explain(diffusion)
    assert result.trace.finished and result.trace.nfe == 16
    assert [count for count, _ in result.snapshots] == [0, 4, 8, 12, 16]
    html = render_explainer(result)
    assert html.count('row-label">t = ') == 5 and "Forward process" in html and "Semi-autoregressive" in html
    assert explain(diffusion) is result  # cached: opening the tab again costs nothing


def test_left_to_right_order_is_one_for_autoregression_and_low_for_random_order(diffusion, autoregressive):
    from llada_demo.scoring.run_figures import left_to_right

    settings = SamplingSettings(gen_length=32, steps=32, block_length=32, strategy="random", seed=1)
    d, a = compare(diffusion, autoregressive, PROMPT, settings)
    assert left_to_right(a) == pytest.approx(1.0)
    assert abs(left_to_right(d)) < 0.6  # random order: unrelated to position
