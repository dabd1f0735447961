"""Bad settings raise one error type with a message that says what to change; nearest valid settings."""

import pytest
import torch

from llada_demo.errors import SettingsError
from llada_demo.sampling import SamplingSettings, generate, nearest_valid


@pytest.mark.parametrize("kwargs,words", [
    (dict(gen_length=30, steps=10, block_length=8), "must divide"),
    (dict(gen_length=32, steps=6, block_length=8), "multiple of the number of blocks"),
    (dict(gen_length=32, steps=64, block_length=32), "cannot exceed the answer length"),
    (dict(gen_length=0, steps=1, block_length=1), "Answer length"),
    (dict(gen_length=32, steps=32, block_length=32, strategy="fastest"), "Unknown strategy"),
    (dict(gen_length=32, steps=32, block_length=32, temperature=-1.0), "Temperature"),
    (dict(gen_length=32, steps=32, block_length=32, threshold=1.5), "Threshold"),
    (dict(gen_length=32, steps=32, block_length=32, cfg_scale=float("nan")), "CFG"),
    (dict(gen_length="abc", steps=32, block_length=32), "whole number"),
])
def test_bad_settings_say_what_to_change(kwargs, words):
    with pytest.raises(SettingsError, match=words):
        SamplingSettings(**kwargs)


def test_errors_carry_the_nearest_valid_settings():
    with pytest.raises(SettingsError) as caught:
        SamplingSettings(gen_length=30, steps=10, block_length=8)
    suggestion = caught.value.suggestion
    assert suggestion == SamplingSettings(gen_length=30, steps=9, block_length=10)


@pytest.mark.parametrize("asked", [
    dict(gen_length=30, steps=10, block_length=8), dict(gen_length=128, steps=500, block_length=32),
    dict(gen_length=100, steps=33, block_length=30), dict(gen_length=0, steps=0, block_length=0),
    dict(gen_length=64, steps="x", block_length=64, strategy="nope", temperature=-3),
])
def test_nearest_valid_is_valid_and_close(asked):
    settings = nearest_valid(asked)
    assert settings.gen_length % settings.block_length == 0
    assert settings.steps % settings.num_blocks == 0 and settings.steps <= settings.gen_length


def test_valid_settings_are_left_alone():
    settings = SamplingSettings(gen_length=128, steps=64, block_length=32)
    assert nearest_valid(settings) == settings


def test_from_dict_accepts_text_numbers_and_rejects_garbage():
    assert SamplingSettings.from_dict({"gen_length": "64", "steps": "32", "block_length": 32, "seed": ""}).seed is None
    with pytest.raises(SettingsError, match="must be a number"):
        SamplingSettings.from_dict({"gen_length": "sixty", "steps": 32, "block_length": 32})
    with pytest.raises(SettingsError, match="Unknown setting"):
        SamplingSettings.from_dict({"gen_length": 64, "steps": 32, "block_length": 32, "speed": 3})


def test_empty_and_too_long_prompts(tiny):
    model = tiny[0]
    settings = SamplingSettings(gen_length=64, steps=64, block_length=64)
    with pytest.raises(SettingsError, match="empty"):
        generate(model, torch.zeros((1, 0), dtype=torch.long), settings)
    too_long = torch.ones((1, model.config.max_sequence_length - 10), dtype=torch.long)
    with pytest.raises(SettingsError, match="context"):
        generate(model, too_long, settings)


def test_empty_chat_message(tiny):
    from llada_demo.models.tokenizer import chat_prompt_ids

    with pytest.raises(SettingsError, match="empty"):
        chat_prompt_ids(tiny[1], [{"role": "user", "content": "   "}])
