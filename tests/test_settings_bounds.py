"""Settings the app suggests always run: nearest valid within the app's limits and the room the prompt leaves,
clamped values reported, one message per out-of-range value, the notice's wording."""

import random

import pytest

from llada_demo.engine import load_model
from llada_demo.errors import SettingsError
from llada_demo.models.context import context_limit
from llada_demo.modes.chat import fit_context
from llada_demo.sampling import Bounds, SamplingSettings, clamped, nearest_valid, out_of_range
from llada_demo.ui.chat_settings import answer_bounds, check_settings, nearest_settings, settings_summary
from llada_demo.ui.controls import app_bounds, settings_with_notes

MODEL = "embedded-llada"
MESSAGE = "Write a story about a cat and a ball."
CONTROLS = dict(strategy="low_confidence", threshold=0.9, temperature=0.0, cfg_scale=0.0, seed=0, cache="none")


@pytest.fixture(scope="module")
def embedded():
    return load_model(MODEL)


def within(settings: SamplingSettings, bounds: Bounds) -> bool:
    return (settings.gen_length <= bounds.longest and settings.steps <= bounds.max_steps
            and settings.temperature <= bounds.max_temperature and settings.cfg_scale <= bounds.max_cfg_scale)


def test_nearest_valid_counts_the_prompt_and_the_context(embedded):
    limit = context_limit(embedded.model)
    bounds = answer_bounds(MODEL, MESSAGE)
    suggestion = nearest_valid(dict(gen_length=1000, steps=64, block_length=32), bounds)
    assert suggestion.gen_length % 8 == 0 and suggestion.block_length == 32
    # The suggestion runs: the message and the answer fit the context, and the app's own check passes it.
    prompt = fit_context(embedded.tokenizer, [{"role": "user", "content": MESSAGE}], suggestion, limit)
    assert prompt.ids.shape[1] + suggestion.gen_length <= limit
    assert prompt.ids.shape[1] + suggestion.gen_length + 32 > limit, "the longest that fits, to a multiple of 32"
    settings_with_notes(bounds, gen_length=suggestion.gen_length, steps=suggestion.steps,
                        block_length=suggestion.block_length, **CONTROLS)


def test_the_button_and_send_agree(embedded):
    """What 'Use nearest valid settings' sets is what Send accepts (the issue's 480 vs 512 loop)."""
    length, steps, block, notice = nearest_settings(1000, 64, 32, message=MESSAGE, model_name=MODEL, **CONTROLS)
    assert notice.startswith("✓"), notice
    settings = settings_with_notes(answer_bounds(MODEL, MESSAGE), gen_length=length, steps=steps, block_length=block,
                                   **CONTROLS)[0]
    assert fit_context(embedded.tokenizer, [{"role": "user", "content": MESSAGE}], settings,
                       context_limit(embedded.model)).ids.shape[1] + length <= context_limit(embedded.model)


def test_the_sliders_end_where_the_context_does(embedded):
    bounds = answer_bounds(MODEL)  # no message: the chat template alone
    assert bounds.longest < 512 and bounds.longest % 32 == 0 and "chat template" in bounds.length_reason
    prompt = fit_context(embedded.tokenizer, [{"role": "user", "content": "a"}],
                         SamplingSettings(gen_length=bounds.longest, steps=bounds.longest, block_length=8),
                         context_limit(embedded.model))
    assert prompt.ids.shape[1] + bounds.longest <= context_limit(embedded.model)


@pytest.mark.parametrize("seed", range(5))
def test_every_suggestion_is_valid_and_within_bounds(seed):
    rng = random.Random(seed)
    for _ in range(200):
        bounds = Bounds(max_gen_length=rng.randint(1, 600), max_steps=rng.randint(1, 600), length_step=8,
                        max_temperature=2.0, max_cfg_scale=5.0)
        asked = dict(gen_length=rng.choice([rng.randint(-50, 5000), rng.random() * 700, "x", None]),
                     steps=rng.randint(-5, 2000), block_length=rng.randint(-3, 700),
                     temperature=rng.uniform(-3, 9), cfg_scale=rng.uniform(-3, 9), threshold=rng.uniform(-1, 2))
        suggestion = nearest_valid(asked, bounds)
        assert within(suggestion, bounds), (asked, bounds, suggestion)
        assert out_of_range(suggestion.to_dict(), bounds) is None, (asked, bounds, suggestion)


@pytest.mark.parametrize("values,message", [
    (dict(gen_length=128, steps=0, block_length=32), "Steps 0 is below the least allowed, 1."),
    (dict(gen_length=128, steps=900, block_length=32), "Steps 900 is above the most allowed here, 512."),
    (dict(gen_length=600, steps=64, block_length=32), "Answer length 600 is above the most allowed here, 512"),
    (dict(gen_length=128, steps=64, block_length=0), "Block length 0 is below the least allowed, 1."),
])
def test_one_message_per_out_of_range_value(values, message):
    with pytest.raises(SettingsError) as caught:
        settings_with_notes(app_bounds(), **values, seed=0)
    assert str(caught.value).startswith(message)
    suggestion = caught.value.suggestion
    assert suggestion is not None and out_of_range(suggestion.to_dict(), app_bounds()) is None
    # The check under the controls says the same as Send.
    assert message in check_settings(**values, **{k: v for k, v in CONTROLS.items()})


def test_clamped_values_are_reported():
    values, notes = clamped(dict(temperature=5, cfg_scale=-2, threshold=1.5), app_bounds())
    assert values == dict(temperature=2.0, cfg_scale=0.0, threshold=1.0)
    assert notes == ["temperature 5 → 2, the most allowed", "CFG scale -2 → 0, the least allowed",
                     "threshold τ 1.5 → 1, the most allowed"]
    notice = check_settings(64, 32, 32, "low_confidence", 1.5, 5, -2, 0)
    assert notice.startswith("✓") and "temperature 5 → 2, the most allowed" in notice
    assert clamped(dict(temperature=0.7), app_bounds()) == (dict(temperature=0.7), [])


def test_the_summary_counts_in_the_singular_for_one_and_the_threshold_decides_its_passes():
    one = settings_summary(SamplingSettings(gen_length=32, steps=32, block_length=32))
    assert one.startswith("✓ 1 block of 32 tokens, 32 steps each (about 1 token per step)"), one
    two = settings_summary(SamplingSettings(gen_length=64, steps=32, block_length=32))
    assert "2 blocks of 32 tokens, 16 steps each (about 2 tokens per step)" in two
    single = settings_summary(SamplingSettings(gen_length=8, steps=8, block_length=1))
    assert "8 blocks of 1 token, 1 step each" in single
    threshold = settings_summary(SamplingSettings(gen_length=64, steps=32, block_length=32, strategy="threshold"))
    assert "decides its own number of passes" in threshold and "16 steps each" not in threshold


def test_at_the_longest_answer_the_block_length_is_kept():
    bounds = Bounds(max_gen_length=496, max_steps=512, length_step=8)
    suggestion = nearest_valid(dict(gen_length=496, steps=64, block_length=32), bounds)
    assert (suggestion.gen_length, suggestion.block_length) == (480, 32)
    assert nearest_valid(dict(gen_length=1000, steps=64, block_length=32), bounds).gen_length == 480
    assert nearest_valid(dict(gen_length=60, steps=64, block_length=32), bounds).gen_length == 60  # in range: kept
