"""The scoring package's definitions, pinned: the cut at the first stop, speed, agreement, judge NLL and bound."""

import math

import numpy as np
import pytest
import torch

from llada_demo.sampling import SamplingSettings
from llada_demo.scoring.agreement import fixed_kept, identical_share
from llada_demo.scoring.answer import answer_end, cut_at_stop
from llada_demo.scoring.judge import answer_bound, answer_nll, pooled, reencoded
from llada_demo.scoring.likelihood import diffusion_nll_bound
from llada_demo.scoring.quality import answer_through_stop
from llada_demo.scoring.run_figures import run_figures
from llada_demo.scoring.throughput import decoded_positions, tokens_per_pass, tokens_per_second
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.stats import render_stats

MASK, EOS, EOT = 2, 1, 3


def _trace(steps, initial=None, kind="diffusion", seconds_per_step=0.25) -> Trace:
    """A 6-token answer recorded step by step: `steps` holds (tokens after the step, positions committed)."""
    settings = SamplingSettings(gen_length=6, steps=max(len(steps), 1), block_length=6)
    trace = Trace(prompt_ids=np.array([0, 5], np.int32), settings=settings, mask_id=MASK, stop_ids=(EOS, EOT),
                  kind=kind, initial=initial, texts={i: f"<{i}>" for i in range(20)})
    for index, (tokens, committed) in enumerate(steps):
        tokens = np.array(tokens, np.int32)
        trace.steps.append(StepRecord(index, 0, tokens, np.array(committed, np.int32),
                                      np.full(len(committed), 0.5, np.float32), tokens, np.full(6, 0.5, np.float32),
                                      index + 1, seconds_per_step * (index + 1)))
    trace.finished = True
    return trace


def test_the_cut_keeps_the_stop_token_only_when_asked_and_says_whether_one_came():
    ids = np.array([10, MASK, 11, EOT, 12, EOS], np.int32)
    assert answer_end(ids, (EOS, EOT)) == 3  # the first stop of either kind
    assert cut_at_stop(ids, (EOS, EOT), keep_stop=True) == ([10, MASK, 11, EOT], True)
    assert cut_at_stop(ids, {EOS, EOT}, keep_stop=False, mask_id=MASK) == ([10, 11], True)
    assert cut_at_stop(ids[:3], (EOS, EOT), keep_stop=True) == ([10, MASK, 11], False)  # no stop: all of it
    assert answer_end(ids[:3], (EOS, EOT)) == 3
    assert cut_at_stop(ids, (), keep_stop=True).ids == ids.tolist()
    assert all(type(i) is int for i in cut_at_stop(ids, (EOS,), keep_stop=True).ids)  # JSON-ready


def test_the_trace_and_the_judge_cut_where_the_scoring_cut_does():
    trace = _trace([([10, MASK, 11, EOT, EOS, EOS], [0, 2, 3, 4, 5])])
    assert trace.answer_end() == 3
    assert trace.answer_token_ids() == [10, 11]  # text: before the stop, masks left out
    assert trace.answer_text() == "<10><11>"
    assert answer_through_stop(trace) == [10, 11, EOT]  # scoring: the stop token is part of the answer


def test_tokens_per_second_counts_decoded_positions_per_second_of_compute():
    # Fill-in: positions 0 and 5 were given, so four positions were decoded over two steps (0.5 s).
    given = np.array([10, MASK, MASK, MASK, MASK, 15], np.int32)
    fill = _trace([([10, 11, MASK, 13, MASK, 15], [1, 3]), ([10, 11, 12, 13, 14, 15], [2, 4])], initial=given)
    assert decoded_positions(fill) == 4
    assert tokens_per_second(decoded_positions(fill), fill.elapsed) == pytest.approx(8.0)
    # Autoregression: two steps, then EOS padding for free; the padding is not decoded.
    ar = _trace([([10, MASK, MASK, MASK, MASK, MASK], [0]), ([10, EOS, EOS, EOS, EOS, EOS], [1, 2, 3, 4, 5])],
                kind="autoregressive")
    assert decoded_positions(ar) == 2 and tokens_per_pass(2, ar.nfe) == 1.0
    assert tokens_per_second(5, 0.0) == 0.0 and tokens_per_pass(5, 0) == 0.0  # nothing measured yet
    # The live stats and the run cards show the same figure.
    for trace in (fill, ar):
        figures = run_figures(trace)
        assert figures.tokens_per_second == tokens_per_second(decoded_positions(trace), trace.elapsed)
        assert f">{figures.tokens_per_second:.1f}<" in render_stats(trace)
        assert f">{figures.tokens_per_pass:.2f}<" in render_stats(trace)


def test_identical_share_and_fixed_tokens_kept():
    assert identical_share([1, 2, 3, 4], np.array([1, 9, 3, 9])) == 0.5
    assert identical_share([1, 2], [1, 2]) == 1.0
    given = np.array([10, MASK, MASK, 12, 13], np.int32)
    # 10 kept, 12 written over, 13 not reached yet (still masked): neither kept nor overwritten.
    assert fixed_kept(np.array([10, 11, 11, 14, MASK]), given, MASK) == (1, 1, 3)
    assert fixed_kept(given, given, MASK).kept == 3


@pytest.fixture(scope="module")
def judge():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(config).eval()


def test_answer_nll_is_the_judges_log_loss_over_the_answer_only(judge):
    prompt, answer = [4, 5, 6], [7, 8, EOT]
    with torch.no_grad():
        logits = judge(torch.tensor([prompt + answer])).logits[0].double()
    log_p = torch.log_softmax(logits, dim=-1)
    expected = -sum(float(log_p[len(prompt) - 1 + i, token]) for i, token in enumerate(answer))
    total, count = answer_nll(judge, np.array(prompt, np.int32), answer)
    assert count == 3 and total == pytest.approx(expected, rel=1e-4)
    assert answer_nll(judge, torch.tensor([prompt]), answer) == (total, count)  # [1, L] prompts too
    assert answer_nll(judge, prompt, []) == (0.0, 0)
    assert pooled([(total, count), (1.0, 2)]) == (total + 1.0, 5)


def test_answer_bound_scores_the_whole_region_after_the_prompt(tiny):
    model, _ = tiny
    prompt, region = torch.tensor([[5, 6, 7]]), np.array([8, 9, EOS, EOS], np.int64)
    ids = torch.tensor([[5, 6, 7, 8, 9, EOS, EOS]])
    scored = torch.tensor([[False] * 3 + [True] * 4])
    expected = diffusion_nll_bound(model, ids, scored, 3, torch.Generator().manual_seed(1))[0]
    bound = answer_bound(model, prompt, region, 3, torch.Generator().manual_seed(1))
    assert math.isfinite(bound) and bound == pytest.approx(float(expected))


def test_reencoded_adds_the_end_marker_only_for_a_finished_answer(tiny):
    _, tokenizer = tiny
    body = tokenizer("Once upon a time", add_special_tokens=False)["input_ids"]
    assert reencoded(tokenizer, "Once upon a time", None) == body
    assert reencoded(tokenizer, "Once upon a time", EOT) == body + [EOT]
