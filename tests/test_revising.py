"""The revising strategy takes tokens back within its budget and cap and still ends on the schedule's passes;
every other strategy never remasks (LLaDA's sampler); revision counts follow the trace."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from llada_demo.sampling import STRATEGIES, SamplingSettings, generate
from llada_demo.sampling.strategies import Drafts
from llada_demo.scoring.throughput import decoded_positions
from llada_demo.trace import StepRecord, Trace
from llada_demo.viz.state import revision_counts

VOCAB, MASK = 50, 49
REVISING = STRATEGIES["revising"]


class NoisyModel(torch.nn.Module):
    """Whatever it says is noise: fresh random logits every pass, so confidences jump around and many
    drafts look doubtful (the sampler's guarantees must hold for any model)."""

    def __init__(self, seed: int, sharp: float = 3.0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.config = SimpleNamespace(mask_token_id=MASK, max_sequence_length=4096)
        self.generator = torch.Generator().manual_seed(seed)
        self.sharp = sharp
        self.calls = 0

    def forward(self, x, logits_positions=slice(None), **_):
        self.calls += 1
        rows = x[:, logits_positions]
        logits = self.sharp * torch.randn(*rows.shape, VOCAB, generator=self.generator)
        return SimpleNamespace(logits=logits)


PROMPT = torch.tensor([[1, 2, 3, 4]])
SHAPES = [(16, 8, 16), (16, 16, 4), (32, 8, 8), (24, 12, 24), (32, 16, 8), (12, 12, 12), (8, 2, 8), (8, 8, 1)]


def _run(model, gen_length, steps, block, **extra):
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block, strategy="revising", **extra)
    return generate(model, PROMPT, settings)


@pytest.mark.parametrize("gen_length,steps,block", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_revising_run_ends_on_the_schedules_passes_within_budget_and_cap(gen_length, steps, block, seed):
    model = NoisyModel(seed)
    trace = _run(model, gen_length, steps, block, temperature=1.0, seed=seed)
    assert len(trace.steps) == trace.nfe == model.calls == steps  # the same passes as low_confidence
    assert (trace.answer_ids != MASK).all() and trace.finished
    per_block = steps // (gen_length // block)
    remasks, _ = revision_counts(trace)
    assert remasks.max(initial=0) <= REVISING.remask_cap
    for index, record in enumerate(trace.steps):
        assert len(record.remasked) <= REVISING.remask_budget
        lo, hi = record.block * block, (record.block + 1) * block
        before = trace.tokens_before(index)
        for position in record.remasked:
            assert lo <= position < hi  # only the block being filled: earlier blocks are final
            assert before[position] != MASK and position not in record.committed  # a draft of an earlier step
            assert record.tokens[position] == MASK
            assert record.predicted[position] == before[position]  # its hover: the token taken back
        if index % per_block == per_block - 1:
            assert len(record.remasked) == 0  # a block's last step takes nothing back: it ends filled
        # Every returned token is committed again before its block ends.
        for position in record.remasked:
            later = trace.steps[index + 1: (record.block + 1) * per_block]
            assert any(position in r.committed for r in later)


def test_noise_makes_it_revise_and_the_counts_follow_the_trace():
    trace = _run(NoisyModel(5), 32, 16, 8, temperature=1.0, seed=5)
    remasks, changed = revision_counts(trace)
    assert remasks.sum() == sum(len(r.remasked) for r in trace.steps) > 0
    assert decoded_positions(trace) == 32  # a token committed again fills one position: tokens/pass stay honest
    assert (changed <= remasks).all()
    # Recount changes by hand: the token a position held before it went back vs the one it got next.
    expected = np.zeros_like(changed)
    for index, record in enumerate(trace.steps):
        for position in record.remasked:
            held = trace.tokens_before(index)[position]
            again = next(r for r in trace.steps[index + 1:] if position in r.committed)
            expected[position] += int(again.tokens[position] != held)
    assert (changed == expected).all()


def test_given_text_is_never_taken_back():
    answer = torch.full((16,), MASK)
    answer[[0, 5, 9, 15]] = torch.tensor([7, 8, 9, 10])
    settings = SamplingSettings(gen_length=16, steps=8, block_length=8, strategy="revising", temperature=1.0, seed=0)
    trace = generate(NoisyModel(3), PROMPT, settings, answer=answer)
    taken = {int(p) for r in trace.steps for p in r.remasked}
    assert taken and not taken & {0, 5, 9, 15}
    assert trace.answer_ids[[0, 5, 9, 15]].tolist() == [7, 8, 9, 10]
    assert (trace.answer_ids != MASK).all() and trace.nfe <= 8


@pytest.mark.parametrize("name", [n for n in STRATEGIES if n != "revising"])
def test_every_other_strategy_never_remasks(name):
    settings = SamplingSettings(gen_length=16, steps=8, block_length=8, strategy=name, temperature=1.0, seed=0)
    trace = generate(NoisyModel(0), PROMPT, settings)
    assert STRATEGIES[name].remask_budget == 0
    assert all(len(r.remasked) == 0 for r in trace.steps)
    assert all("remasked" not in r.to_dict() for r in trace.steps)


def test_its_first_step_commits_what_low_confidence_commits(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    prompt = chat_prompt_ids(tiny[1], [{"role": "user", "content": "Write a story about a cat."}])
    first, second = (generate(tiny[0], prompt, SamplingSettings(gen_length=16, steps=8, block_length=16, strategy=s))
                     for s in ("low_confidence", "revising"))
    assert first.steps[0].committed.tolist() == second.steps[0].committed.tolist()
    assert len(second.steps) == len(first.steps) == 8


@pytest.mark.parametrize("cache", ["prefix", "dual"])
def test_cached_passes_revise_inside_the_block_they_refeed(tiny, cache):
    model = tiny[0]
    settings = SamplingSettings(gen_length=32, steps=16, block_length=8, strategy="revising", cache=cache)
    trace = generate(model, PROMPT, settings)
    assert trace.nfe == 16 and (trace.answer_ids != model.config.mask_token_id).all()


def test_the_strategy_doubts_drafts_below_the_bar_least_sure_first():
    drafts = Drafts(positions=torch.tensor([3, 4, 6, 7]),
                    confidence=torch.tensor([0.3, 0.1, 0.6, 0.45], dtype=torch.float64),
                    revisions=torch.zeros(4, dtype=torch.int32), fresh=torch.tensor([0.4, 0.9], dtype=torch.float64))
    assert REVISING.remask(drafts).tolist() == [1, 0]  # below min(0.5, 0.4); 0.45 is not
    sure = Drafts(drafts.positions, drafts.confidence, drafts.revisions, torch.tensor([0.95], dtype=torch.float64))
    assert REVISING.remask(sure).tolist() == [1, 0, 3]  # the absolute bar 0.5 caps it
    assert "LLaDA" in REVISING.description and "never" in REVISING.description
    assert REVISING.remask_budget >= 1 and REVISING.remask_cap >= 1


def _record(step, tokens, committed, remasked=()):
    return StepRecord(step=step, block=0, tokens=np.array(tokens, dtype=np.int32),
                      committed=np.array(committed, dtype=np.int32),
                      committed_confidence=np.full(len(committed), 0.5, dtype=np.float32),
                      predicted=np.zeros(3, dtype=np.int32), predicted_confidence=np.zeros(3, dtype=np.float32),
                      nfe=step + 1, elapsed=0.0, remasked=np.array(remasked, dtype=np.int32))


def test_revision_counts_tell_changes_from_confirmations_and_survive_json():
    settings = SamplingSettings(gen_length=3, steps=3, block_length=3, strategy="revising")
    trace = Trace(prompt_ids=np.array([1], dtype=np.int32), settings=settings, mask_id=MASK, stop_ids=(), steps=[
        _record(0, [5, 6, MASK], [0, 1]),
        _record(1, [MASK, MASK, 7], [2], remasked=[0, 1]),  # both drafts go back after step 2's commit
        _record(2, [8, 6, 7], [0, 1]),  # position 0 changes (5 -> 8), position 1 comes back the same
    ])
    assert [c.tolist() for c in revision_counts(trace)] == [[1, 1, 0], [1, 0, 0]]
    assert [c.tolist() for c in revision_counts(trace, 2)] == [[1, 1, 0], [0, 0, 0]]  # not yet committed again
    again = Trace.from_json(trace.to_json())
    assert again.steps[1].remasked.tolist() == [0, 1] and again.steps[0].remasked.size == 0
    assert [c.tolist() for c in revision_counts(again)] == [[1, 1, 0], [1, 0, 0]]


def test_the_benchmark_measures_both_strategies_on_held_out_word_prompts(tmp_path):
    import json

    from benchmark_command import run_benchmark
    from llada_demo.scoring.text_metrics import uses_word
    from training.data import DEFAULT_VALID_FILE

    # The benchmark counts a word with the app's whole-word rule.
    assert [uses_word("The Cat jumped.", w) for w in ("cat", "jump", "dog")] == [True, False, False]
    if not DEFAULT_VALID_FILE.exists():
        pytest.skip("the held-out stories are not on this machine")
    out = tmp_path / "revising.json"
    run_benchmark("revising", "--prompts", "2", "--gen-length", "16", "--steps", "8", "--block-length", "8",
                  "--out", out)
    results = json.loads(out.read_text())
    assert set(results["summary"]) == {"low_confidence", "revising"} and len(results["rows"]) == 2
    assert all(s["passes"] == 8 for s in results["summary"].values())
    assert results["summary"]["low_confidence"]["remasked_per_answer"] == 0
    assert all(r["prompt"].startswith("Write a story that uses the words: ") for r in results["rows"])
