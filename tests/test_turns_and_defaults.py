"""Every tab starts from the model's sampling_defaults.json (and a change of the chat's model loads its own);
the embedded models read only the newest message unless "Remember earlier turns" is ticked."""

import json
from pathlib import Path

import pytest

from llada_demo.models.registry import REGISTRY, load_model
from llada_demo.models.sampling_defaults import FALLBACK, model_defaults
from llada_demo.ui import chat_handlers as handlers
from llada_demo.ui import chat_tab

TRACE = 8  # handlers.CHAT's "trace" output


def file_defaults(name):
    return json.loads((Path(REGISTRY[name].source) / "sampling_defaults.json").read_text())


@pytest.mark.parametrize("name", ["embedded-llada", "embedded-ar"])
def test_a_shipped_model_starts_from_its_own_file(name):
    values = model_defaults(name)
    written = file_defaults(name)
    assert {k: values[k] for k in written} == written


def test_a_model_without_a_file_gets_the_fallback_for_its_kind():
    assert model_defaults("LLaDA-8B-Instruct") == FALLBACK["diffusion"]
    assert model_defaults("Qwen2.5-7B-Instruct") == FALLBACK["autoregressive"]
    assert model_defaults(None) == FALLBACK["diffusion"] and model_defaults({"x": 1}) == FALLBACK["diffusion"]


def test_the_race_gives_both_sides_the_diffusion_models_temperature():
    written = file_defaults("embedded-llada")
    assert model_defaults("embedded-ar")["temperature"] == written["temperature"]


def test_changing_the_chats_model_loads_that_models_defaults(tmp_path, monkeypatch):
    from dataclasses import replace

    (tmp_path / "sampling_defaults.json").write_text(json.dumps(
        dict(gen_length=128, steps=64, block_length=16, strategy="margin", temperature=0.4)))
    monkeypatch.setitem(REGISTRY, "tuned", replace(REGISTRY["embedded-llada"], name="tuned", source=str(tmp_path)))
    assert chat_tab.model_settings("tuned") == (128, 64, 16, "margin", 0.4, False)
    shipped = file_defaults("embedded-llada")
    length, steps, block, strategy, temperature, remember = chat_tab.model_settings("embedded-llada")
    assert (block, strategy, temperature, remember) == (shipped["block_length"], shipped["strategy"],
                                                        shipped["temperature"], False)
    assert steps / length == shipped["steps"] / shipped["gen_length"]  # the file's tokens per pass
    assert chat_tab.model_settings("LLaDA-8B-Instruct")[-1] is True


def test_the_chat_wires_the_model_change_to_its_settings_and_the_checkbox():
    from llada_demo.ui.layout import build_demo

    demo = build_demo()
    fns = [fn for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == "model_settings"]
    assert len(fns) == 1
    labels = [getattr(block, "label", None) for block in fns[0].outputs]
    assert labels[-1] == "Remember earlier turns" and "Temperature (0 = greedy)" in labels
    remember = fns[0].outputs[-1]
    assert remember.value is REGISTRY[chat_tab.detect().default_model].reads_earlier_turns


def test_only_conversation_trained_models_read_earlier_turns():
    assert REGISTRY["LLaDA-8B-Instruct"].reads_earlier_turns and REGISTRY["LLaDA-1.5"].reads_earlier_turns
    for name in ("embedded-llada", "embedded-ar", "embedded-llada-facts", "embedded-ar-facts", "random-tiny"):
        assert not REGISTRY[name].reads_earlier_turns


HISTORY = [{"role": "user", "content": "Write a story about a frog named Ribbit."},
           {"role": "assistant", "content": "Ribbit the frog jumped into the pond."}]


def prompt_text(remember):
    args = dict(message="Write a story about a big red boat.", history=HISTORY, model_name="random-tiny",
                gen_length=8, steps=8, block_length=8, strategy="low_confidence", threshold=0.9, temperature=0.0,
                cfg_scale=0.0, seed=0, cache="none", color_by="confidence", words=None, remember=remember)
    trace = list(handlers.chat(**args))[-1][TRACE]
    return load_model("random-tiny").tokenizer.decode(trace.prompt_ids.tolist())


def test_the_embedded_models_read_only_the_newest_message_unless_asked():
    assert "Ribbit" not in prompt_text(None) and "big red boat" in prompt_text(None)  # the model's flag: off
    assert "Ribbit" not in prompt_text(False)
    assert "Ribbit" in prompt_text(True) and "big red boat" in prompt_text(True)
