"""Prefix and dual KV caches: exact where they should be, fewer positions fed where they should not."""

import numpy as np
import pytest
import torch

from llada_demo.errors import SettingsError
from llada_demo.sampling import SamplingSettings, generate
from llada_demo.sampling.cache import DualCache, FullForward, PrefixCache


@pytest.fixture(scope="module")
def prompt(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    return chat_prompt_ids(tiny[1], [{"role": "user", "content": "Write a story about a cat."}])


class FedLengths:
    """Records how many positions each forward pass of the wrapped model is fed."""

    def __init__(self, model):
        self.model, self.lengths = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def __call__(self, input_ids, **kwargs):
        self.lengths.append(input_ids.shape[1])
        return self.model(input_ids, **kwargs)


@pytest.mark.parametrize("cache_class", [PrefixCache, DualCache])
@pytest.mark.parametrize("cfg_scale", [0.0, 1.5])
def test_cached_pass_on_unchanged_sequence_equals_the_full_pass(tiny, cache_class, cfg_scale):
    model = tiny[0]
    torch.manual_seed(0)
    x = torch.randint(3, model.config.vocab_size, (1, 40))
    prompt_index = torch.zeros_like(x, dtype=torch.bool)
    prompt_index[:, :12] = True
    full, offset = FullForward(model, prompt_index, 12, cfg_scale)(x)
    cached = cache_class(model, prompt_index, 12, cfg_scale)
    cached.start_block(8, 16)
    refresh, refresh_offset = cached(x)
    block, block_offset = cached(x)
    assert offset == refresh_offset == 0 and block_offset == 8
    torch.testing.assert_close(refresh, full, rtol=0, atol=0)
    torch.testing.assert_close(block, full[8:16], rtol=1e-4, atol=1e-4)  # keys in another order: float sums differ


@pytest.mark.parametrize("cache", ["prefix", "dual"])
@pytest.mark.parametrize("cfg_scale", [0.0, 1.0])
def test_one_step_per_block_is_exact(tiny, prompt, cache, cfg_scale):
    # Every step is then a block's refreshing full pass, so the caches change nothing.
    settings = SamplingSettings(gen_length=32, steps=8, block_length=4, cfg_scale=cfg_scale)
    exact = generate(tiny[0], prompt, settings)
    cached = generate(tiny[0], prompt, settings.replace(cache=cache))
    for a, b in zip(exact.steps, cached.steps, strict=True):
        assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.committed, b.committed)


@pytest.mark.parametrize("cache", ["prefix", "dual"])
def test_later_steps_feed_only_the_block_and_what_follows(tiny, prompt, cache):
    spy = FedLengths(tiny[0])
    settings = SamplingSettings(gen_length=32, steps=16, block_length=8, cache=cache)
    trace = generate(spy, prompt, settings)
    total = prompt.shape[1] + 32
    expected = []
    for block in range(4):
        expected.append(total)  # the refresh
        rest = 32 - block * 8 if cache == "prefix" else 8
        expected += [rest] * 3
    assert spy.lengths == expected
    assert trace.steps[-1].nfe == 16 and (trace.steps[-1].tokens != tiny[0].config.mask_token_id).all()


def test_threshold_with_cache_finishes_every_block(tiny, prompt):
    settings = SamplingSettings(gen_length=32, steps=32, block_length=8, strategy="threshold", threshold=0.0,
                                cache="dual")
    trace = generate(tiny[0], prompt, settings)
    # tau 0 commits the whole block at its first (full) pass: one pass per block.
    assert [r.nfe for r in trace.steps] == [1, 2, 3, 4]
    assert (trace.steps[-1].tokens != tiny[0].config.mask_token_id).all()


def test_hover_guesses_outside_the_block_are_kept_from_the_last_full_pass(tiny, prompt):
    settings = SamplingSettings(gen_length=16, steps=16, block_length=8, cache="dual")
    steps = generate(tiny[0], prompt, settings).steps
    # Within block 0, positions 8.. are not recomputed after the refresh at step 0.
    assert np.array_equal(steps[0].predicted[8:], steps[5].predicted[8:])
    assert (steps[3].predicted_confidence > 0).all()


def test_unknown_cache_is_a_settings_error():
    with pytest.raises(SettingsError, match="choose one of none, prefix, dual"):
        SamplingSettings(gen_length=8, steps=8, block_length=8, cache="all")
    assert SamplingSettings.from_dict(dict(gen_length=8, steps=8, block_length=8, cache="dual")).cache == "dual"


@pytest.mark.parametrize("cache", ["none", "dual"])
def test_each_step_keeps_its_own_guesses(tiny, prompt, cache):
    steps = generate(tiny[0], prompt, SamplingSettings(gen_length=16, steps=16, block_length=8, cache=cache)).steps
    for field in ("predicted", "predicted_confidence", "tokens"):
        assert not np.shares_memory(getattr(steps[0], field), getattr(steps[-1], field))
    assert not np.array_equal(steps[0].predicted_confidence, steps[-1].predicted_confidence)


@pytest.mark.parametrize("cfg_scale", [0.0, 1.0])
def test_block_only_guesses_give_the_exact_answer_with_less_head_work(tiny, prompt, cfg_scale):
    rows = []

    class HeadRows(FedLengths):
        def __call__(self, input_ids, logits_positions=None, **kwargs):
            out = self.model(input_ids, logits_positions=logits_positions, **kwargs)
            rows.append(out.logits.shape[1])
            return out

    settings = SamplingSettings(gen_length=32, steps=16, block_length=8, cfg_scale=cfg_scale)
    exact = generate(tiny[0], prompt, settings)
    lean = generate(HeadRows(tiny[0]), prompt, settings.replace(guesses="block"))
    for a, b in zip(exact.steps, lean.steps, strict=True):
        assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.committed, b.committed)
    assert rows == [32, 8, 8, 8] * 4  # every answer row at a block's first step, then the block's rows
    # The block's own guesses are current at every step; later positions keep the block's first guess.
    assert np.array_equal(lean.steps[2].predicted[:8], exact.steps[2].predicted[:8])
    assert np.array_equal(lean.steps[2].predicted[8:], exact.steps[0].predicted[8:])
