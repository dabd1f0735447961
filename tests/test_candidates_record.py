"""Every diffusion step records the model's top-5 for the positions it was choosing between; traces answer
"what else was it considering here?" for any cell at any step, and keep it through JSON."""

import numpy as np
import torch

from llada_demo.sampling import SamplingSettings, generate
from llada_demo.sampling.sampler import TOP_K, top_guesses
from llada_demo.trace import Trace


def _trace(tiny, **overrides):
    from llada_demo.models.tokenizer import chat_prompt_ids

    prompt = chat_prompt_ids(tiny[1], [{"role": "user", "content": "Write a story about a dog."}])
    settings = SamplingSettings(**{"gen_length": 16, "steps": 8, "block_length": 8, **overrides})
    return generate(tiny[0], prompt, settings)


def test_top_guesses_are_the_k_best_non_mask_tokens_with_full_softmax_probabilities():
    torch.manual_seed(1)
    logits = torch.randn(5, 13)
    logits[:, 2] = 40.0
    ids, probs = top_guesses(logits, mask_id=2, k=3, rows=2)
    full = torch.softmax(logits, dim=-1)
    without = logits.clone()
    without[:, 2] = -torch.inf
    assert torch.equal(ids, without.topk(3, dim=-1).indices)
    torch.testing.assert_close(probs, full.gather(-1, ids))
    assert (probs[:, :-1] >= probs[:, 1:]).all()


def test_records_keep_one_row_per_position_masked_before_the_step(tiny):
    trace = _trace(tiny)
    mask = trace.mask_id
    for index, record in enumerate(trace.steps):
        masked = int((trace.tokens_before(index) == mask).sum())
        assert record.top_ids.shape == (masked, TOP_K) and record.top_probs.dtype == np.float16
        assert (record.top_ids != mask).all()
        # The best candidate is the guess the grid shows on hover.
        rows = np.flatnonzero(trace.tokens_before(index) == mask)
        assert (record.top_ids[:, 0] == record.predicted[rows]).all()


def test_candidates_of_a_committed_cell_are_those_of_the_step_that_chose_it(tiny):
    trace = _trace(tiny)
    commit_steps = trace.commit_steps()
    position = int(np.argmax(commit_steps))  # committed late: masked for several steps first
    chosen_at = int(commit_steps[position])
    early = trace.candidates(0, position)
    assert early is not None and early[0] == 0 and len(early[1]) == TOP_K
    source, pairs = trace.candidates(len(trace.steps) - 1, position)
    assert source == chosen_at
    # At temperature 0 the committed token is the best candidate of that step.
    assert pairs[0][0] == int(trace.answer_ids[position])
    assert sum(p for _, p in pairs) <= 1.0 + 1e-3 and pairs[0][1] >= pairs[-1][1]


def test_candidates_survive_json_and_old_traces_without_them_answer_none(tiny):
    trace = _trace(tiny)
    again = Trace.from_json(trace.to_json())
    assert again.candidates(3, 10)[0] == trace.candidates(3, 10)[0]
    assert [i for i, _ in again.candidates(3, 10)[1]] == [i for i, _ in trace.candidates(3, 10)[1]]
    d = trace.to_dict()
    for step in d["steps"]:
        del step["top_ids"], step["top_probs"]
    assert Trace.from_dict(d).candidates(3, 10) is None
