"""`forbid` keeps chosen token ids out of the proposals at chosen answer positions; probabilities stay those of the
full softmax, and everything else about the run is unchanged."""

import numpy as np
import pytest
import torch

from llada_demo.errors import SettingsError
from llada_demo.sampling import SamplingSettings, generate, iterate
from llada_demo.sampling.proposals import propose

SETTINGS = SamplingSettings(gen_length=16, steps=8, block_length=8)


@pytest.fixture(scope="module")
def prompt(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    return chat_prompt_ids(tiny[1], [{"role": "user", "content": "Write a story about a cat."}])


def test_proposals_skip_forbidden_ids_but_report_full_softmax_probabilities():
    torch.manual_seed(0)
    logits = torch.randn(3, 9)
    logits[0, 4] = logits[1, 6] = 20.0  # the favourites of rows 0 and 1
    forbidden = (torch.tensor([0, 1]), torch.tensor([4, 6]))
    candidates = propose(logits, mask_id=2, temperature=0.0, generator=None, forbidden=forbidden)
    allowed = logits.clone()
    allowed[:, 2] = -torch.inf
    allowed[0, 4] = allowed[1, 6] = -torch.inf
    assert torch.equal(candidates.tokens, allowed.argmax(-1))
    full = torch.softmax(logits.double(), dim=-1)
    torch.testing.assert_close(candidates.token_probs, full.gather(-1, candidates.tokens[:, None]).squeeze(-1))
    assert float(candidates.token_probs[0]) < 1e-6  # the forbidden favourite keeps its probability mass
    assert torch.equal(logits[0, 4], torch.tensor(20.0))  # the caller's logits are left alone


def test_a_forbidden_token_is_never_committed_there_and_its_rival_keeps_its_true_probability(tiny, prompt):
    model = tiny[0]
    free = generate(model, prompt, SETTINGS)
    position = int(free.steps[0].committed[0])  # the first token committed when nothing is forbidden
    token = int(free.answer_ids[position])
    ruled = generate(model, prompt, SETTINGS, forbid={position: torch.tensor([token])})
    assert int(ruled.answer_ids[position]) != token
    assert (ruled.answer_ids != model.config.mask_token_id).all()
    step = int(ruled.commit_steps()[position])
    record = ruled.steps[step]
    # The record's candidates are the model's view, unfiltered; what was committed is the best allowed one, with
    # the probability the full softmax gives it (float16 in the record).
    _, pairs = ruled.candidates(step, position)
    allowed = [(i, p) for i, p in pairs if i != token]
    assert allowed[0][0] == int(ruled.answer_ids[position])
    confidence = float(record.committed_confidence[list(record.committed).index(position)])
    assert confidence == pytest.approx(allowed[0][1], rel=2e-3)
    # Before the forbidden position is reached, the run is the same as the free one.
    assert np.array_equal(ruled.steps[0].predicted, free.steps[0].predicted)


def test_many_ids_at_many_positions_with_sampling(tiny, prompt):
    model = tiny[0]
    low = torch.arange(0, 200)  # most of the tiny vocabulary (320 ids), [MASK] (2) included
    forbid = {p: low for p in (0, 3, 9, 15)}
    settings = SETTINGS.replace(temperature=1.0, seed=7)
    records = list(iterate(model, prompt, settings, forbid=forbid))
    answer = records[-1].tokens
    assert all(int(answer[p]) >= 200 for p in forbid)
    assert len(records) == settings.steps and (answer != model.config.mask_token_id).all()


@pytest.mark.parametrize("forbid,message", [({16: [5]}, "position 16"), ({-1: [5]}, "position -1"),
                                            ({0: [10**6]}, "outside the vocabulary")])
def test_impossible_positions_or_ids_are_settings_errors(tiny, prompt, forbid, message):
    with pytest.raises(SettingsError, match=message):
        generate(tiny[0], prompt, SETTINGS, forbid=forbid)
