"""Each remasking strategy keeps its contract (what it commits and in which order)."""

import torch

from llada_demo.sampling import STRATEGIES, SamplingSettings, generate
from llada_demo.sampling.strategies import Candidates


def make_candidates(logits):
    logits = torch.tensor(logits, dtype=torch.float32)
    probs = torch.softmax(logits.double(), dim=-1)
    tokens = logits.argmax(-1)
    return Candidates(logits, tokens, probs, probs.gather(-1, tokens[:, None]).squeeze(-1), torch.Generator().manual_seed(0))


# Position 0: confident; 1: two strong rivals; 2: flat; 3: peaked but with a close second.
LOGITS = [[5.0, 0.0, 0.0, 0.0], [2.0, 1.9, -3.0, -3.0], [0.1, 0.0, 0.0, 0.1], [3.0, 2.5, -9.0, -9.0]]


def test_every_strategy_has_a_name_and_explanation():
    assert set(STRATEGIES) == {"low_confidence", "random", "margin", "entropy", "threshold", "revising"}
    for name, strategy in STRATEGIES.items():
        assert strategy.name == name and len(strategy.description) > 20


def test_low_confidence_ranks_by_token_probability():
    c = make_candidates(LOGITS)
    chosen = STRATEGIES["low_confidence"].select(c, 2, 0.9)
    assert set(chosen.tolist()) == set(torch.topk(c.token_probs, 2).indices.tolist())


def test_margin_is_top1_minus_top2():
    c = make_candidates(LOGITS)
    scores = STRATEGIES["margin"].scores(c)
    sorted_probs = torch.sort(c.probs, dim=-1, descending=True).values
    assert torch.allclose(scores, sorted_probs[:, 0] - sorted_probs[:, 1])
    assert torch.argmin(scores).item() == 2 and torch.argmax(scores).item() == 0  # a tie has margin 0
    # Where the two orders disagree: A = (.5, .5, 0, 0) is more probable but B = (.4, .2, .2, .2) has the margin.
    import math
    disagree = make_candidates([[math.log(0.5), math.log(0.5), -30, -30], [math.log(0.4)] + [math.log(0.2)] * 3])
    assert STRATEGIES["low_confidence"].select(disagree, 1, 0.9).tolist() == [0]
    assert STRATEGIES["margin"].select(disagree, 1, 0.9).tolist() == [1]


def test_entropy_prefers_sharp_distributions():
    c = make_candidates(LOGITS)
    scores = STRATEGIES["entropy"].scores(c)
    entropy = -(c.probs * c.probs.log()).sum(-1)
    assert torch.allclose(scores, -entropy)
    assert torch.argmin(scores).item() == 2  # the flat distribution is the least certain
    assert STRATEGIES["entropy"].select(c, 1, 0.9).tolist() == [0]


def test_threshold_commits_everything_above_tau_and_at_least_one():
    c = make_candidates(LOGITS)
    for tau in (0.0, 0.3, 0.6, 0.95, 1.0):
        chosen = set(STRATEGIES["threshold"].select(c, 0, tau).tolist())
        above = {i for i, p in enumerate(c.token_probs.tolist()) if p >= tau}
        assert above <= chosen
        assert len(chosen) == max(len(above), 1)
        assert torch.argmax(c.token_probs).item() in chosen


def test_random_is_reproducible_with_its_generator():
    a = STRATEGIES["random"].scores(make_candidates(LOGITS))
    b = STRATEGIES["random"].scores(make_candidates(LOGITS))
    assert torch.equal(a, b) and a.min() >= 0 and a.max() < 1


def test_threshold_run_takes_a_variable_number_of_steps(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    prompt = chat_prompt_ids(tiny[1], [{"role": "user", "content": "Hello"}])
    settings = SamplingSettings(gen_length=32, steps=32, block_length=8, strategy="threshold", threshold=0.5)
    trace = generate(tiny[0], prompt, settings)
    assert (trace.answer_ids != tiny[0].config.mask_token_id).all()
    assert all(len(r.committed) >= 1 for r in trace.steps)
    for record in trace.steps:  # every committed token but the forced top-1 reached tau
        assert (record.committed_confidence >= 0.5).sum() >= len(record.committed) - 1
    # Blocks never mix: a step commits only inside its own block.
    for record in trace.steps:
        assert ((record.committed // 8) == record.block).all()
    eager = generate(tiny[0], prompt, settings.replace(threshold=0.0))
    assert len(eager.steps) == 4  # tau 0 fills each block in one step
    assert len(trace.steps) <= 32


def test_every_fixed_strategy_fills_the_answer_in_the_given_steps(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    prompt = chat_prompt_ids(tiny[1], [{"role": "user", "content": "Hello"}])
    for name in ("low_confidence", "random", "margin", "entropy"):
        trace = generate(tiny[0], prompt, SamplingSettings(24, 12, 8, strategy=name, seed=0))
        assert len(trace.steps) == 12
        assert [len(r.committed) for r in trace.steps] == [2] * 12
        assert (trace.commit_steps() >= 0).all()
