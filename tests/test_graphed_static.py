"""The static sampler (devtools.static_sampler) commits exactly what the denoising loop commits, on the CPU."""

import numpy as np
import pytest

from devtools.reference_loop import generate as reference_generate
from devtools.static_sampler import MAX_KEPT, StaticSampler, iterate_static, release, static_sampler, supports
from llada_demo.errors import SettingsError
from llada_demo.sampling import SamplingSettings, generate

# (gen_length, steps, block_length, cfg_scale, guesses): one block, several blocks, a step per token, several
# tokens per step, CFG, and both places the output head runs.
CASES = [
    (16, 16, 16, 0.0, "all"), (24, 12, 8, 0.0, "all"), (32, 8, 8, 0.0, "block"), (32, 32, 4, 0.0, "block"),
    (24, 6, 24, 0.0, "all"), (16, 8, 4, 1.0, "block"), (24, 12, 8, 0.5, "all"),
]


@pytest.fixture(scope="module")
def model(tiny):
    return tiny[0]


@pytest.fixture(scope="module")
def prompt(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    return chat_prompt_ids(tiny[1], [{"role": "user", "content": "Write a story about a cat."}])


@pytest.mark.parametrize("gen_length,steps,block_length,cfg_scale,guesses", CASES)
def test_same_steps_as_the_loop(model, prompt, gen_length, steps, block_length, cfg_scale, guesses):
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length, cfg_scale=cfg_scale,
                                guesses=guesses)
    expected = generate(model, prompt, settings).steps
    got = list(iterate_static(model, prompt, settings))
    assert len(got) == len(expected) == steps
    for mine, theirs in zip(got, expected):
        assert (mine.step, mine.block, mine.nfe) == (theirs.step, theirs.block, theirs.nfe)
        assert np.array_equal(mine.tokens, theirs.tokens), f"step {mine.step}: different answer"
        assert np.array_equal(mine.committed, theirs.committed), f"step {mine.step}: different commits or order"
        np.testing.assert_allclose(mine.committed_confidence, theirs.committed_confidence, rtol=1e-6)
        assert np.array_equal(mine.predicted, theirs.predicted), f"step {mine.step}: different hover guesses"
        np.testing.assert_allclose(mine.predicted_confidence, theirs.predicted_confidence, rtol=1e-5)


@pytest.mark.parametrize("gen_length,steps,block_length,cfg_scale", [(32, 16, 8, 0.0), (16, 16, 16, 1.0)])
def test_same_answer_as_the_official_semantics(model, prompt, gen_length, steps, block_length, cfg_scale):
    expected = reference_generate(model, prompt, steps, gen_length, block_length, cfg_scale=cfg_scale)[0]
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length, cfg_scale=cfg_scale,
                                guesses="block")
    last = list(iterate_static(model, prompt, settings))[-1]
    assert np.array_equal(last.tokens, expected[prompt.shape[1]:].numpy())


def test_a_captured_sampler_is_reused_and_runs_again_from_scratch(model, prompt):
    release(model)
    settings = SamplingSettings(gen_length=16, steps=8, block_length=8)
    sampler = static_sampler(model, prompt.shape[1], settings)
    first = [r.tokens for r in sampler.run(prompt)]
    assert static_sampler(model, prompt.shape[1], settings) is sampler
    again = [r.tokens for r in sampler.run(prompt)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    other = prompt.clone()
    other[0, -2] = (int(other[0, -2]) + 7) % model.config.mask_token_id
    assert not np.array_equal(list(sampler.run(other))[-1].tokens, first[-1])  # the new prompt was loaded
    for length in range(MAX_KEPT + 2):  # other prompt lengths: the oldest samplers are dropped
        static_sampler(model, 4 + length, settings)
    assert len(model._static_samplers) == MAX_KEPT
    release(model)
    assert not model._static_samplers


def test_settings_it_cannot_reproduce_are_refused(model, prompt):
    base = SamplingSettings(gen_length=16, steps=8, block_length=8)
    assert supports(base) and supports(base.replace(cfg_scale=2.0, guesses="block"))
    for changes in ({"temperature": 0.5}, {"cache": "prefix"}, {"strategy": "threshold"}, {"strategy": "margin"}):
        assert not supports(base.replace(**changes))
        with pytest.raises(SettingsError):
            StaticSampler(model, prompt.shape[1], base.replace(**changes))
    sampler = StaticSampler(model, prompt.shape[1], base)
    with pytest.raises(SettingsError):
        next(sampler.run(prompt[:, :-1]))  # built for another prompt length
