"""Faults a public demo meets: bad input, out-of-memory, time budget, failed downloads, remote code."""

import gc

import pytest
import torch

from llada_demo.errors import SettingsError
from llada_demo.models.adapters import ShiftedLogits
from llada_demo.models.registry import REGISTRY, load_model
from llada_demo.prompt import MAX_MESSAGE_CHARS, clean_message
from llada_demo.ui import chat_handlers as handlers

MODEL = "random-tiny"


def run_chat(message, gen_length=32, steps=32, block_length=32, strategy="low_confidence", model=MODEL, **kw):
    """Drive the chat handler as the server does; return its last frame."""
    args = dict(message=message, history=[], model_name=model, gen_length=gen_length, steps=steps,
                block_length=block_length, strategy=strategy, threshold=0.9, temperature=kw.get("temperature", 0.0),
                cfg_scale=0.0, seed=kw.get("seed", 0), cache=kw.get("cache", "none"), color_by="confidence")
    frames = list(handlers.chat(**args))
    return frames[-1]


NOTICE = 9


@pytest.mark.parametrize("message,words", [
    ("", "empty"), ("   \n\t ", "empty"), ("\x00\x01\x07", "empty"), ("x" * (MAX_MESSAGE_CHARS + 1), "limit"),
])
def test_bad_messages_get_a_clear_message(message, words):
    assert words in run_chat(message)[NOTICE]


@pytest.mark.parametrize("settings,words", [
    (dict(gen_length="ten"), "must be a number"), (dict(steps=-3), "below the least allowed, 1"),
    (dict(strategy="greedy-ish"), "Unknown strategy"), (dict(gen_length=512, steps=512, block_length=512, model="embedded-llada"), "context"),
    (dict(gen_length=4000, steps=4000, block_length=4000), "above the most allowed here"),
    (dict(model="GPT-9"), "Unknown model"), (dict(temperature=float("inf")), "Temperature"),
])
def test_bad_settings_sent_straight_to_the_handler(settings, words):
    notice = run_chat("Hello", **settings)[NOTICE]
    assert words in notice and "Traceback" not in notice


def test_control_characters_and_invalid_text_are_cleaned():
    assert clean_message("a\x00b\x1bc\r\nd") == "abc\nd"
    assert clean_message("caf\u0065\u0301") == "café"
    with pytest.raises(SettingsError):
        clean_message(None)


def test_out_of_memory_ends_the_run_with_a_message_and_the_next_run_works(monkeypatch):
    model = load_model(MODEL).model
    calls = {"n": 0}
    original = type(model).forward

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(model), "forward", flaky)
    notice = run_chat("Hello")[NOTICE]
    assert "ran out of memory" in notice and "freed" in notice
    monkeypatch.setattr(type(model), "forward", original)
    gc.collect()
    last = run_chat("Hello again")
    assert last[NOTICE] == "" and "masks left <b>0</b>" in last[2]


def test_a_run_over_its_time_budget_stops_with_a_message(monkeypatch):
    from llada_demo.config import limits
    from llada_demo.ui import notices, sessions

    short = dict(limits(), run_seconds=0.05)
    for module in (sessions, notices):
        monkeypatch.setattr(module, "limits", lambda: short)
    last = run_chat("Hello", gen_length=448, steps=448, block_length=448)
    assert "time budget" in last[NOTICE]
    assert isinstance(last[2], str) and 0 < last[2].count('<div class="cell masked') < 448  # stopped midway


def test_a_failed_model_load_leaves_the_embedded_model_usable():
    message, dropdown = handlers.choose_model("LLaDA-8B-Instruct")
    assert message.startswith("⚠️") and "still works" in message
    assert dropdown["value"] in REGISTRY and not REGISTRY[dropdown["value"]].min_gpu_memory_gb


def test_remote_code_needs_a_pinned_revision():
    for name, spec in REGISTRY.items():
        if spec.trust_remote_code and not spec.revision:
            with pytest.raises(SettingsError, match="pins a reviewed revision"):
                load_model(name)
    assert not any(s.trust_remote_code for s in REGISTRY.values() if s.revision is None and s.min_gpu_memory_gb == 0)


def test_shifted_logits_adapter_gives_llada_layout(tiny):
    model = tiny[0]

    class Causal(torch.nn.Module):  # stand-in: output i scores token i + 1
        config = model.config

        def forward(self, input_ids, attention_mask=None, **kw):
            return type("O", (), {"logits": model(input_ids).logits})()

    adapter = ShiftedLogits(Causal(), mask_token_id=model.config.mask_token_id)
    x = torch.randint(0, 100, (1, 6))
    with torch.no_grad():
        raw, shifted = model(x).logits, adapter(x).logits
        assert torch.equal(shifted[:, 1:], raw[:, :-1]) and torch.equal(shifted[:, 0], raw[:, 0])
        assert torch.equal(adapter(x, logits_positions=slice(2, None)).logits, shifted[:, 2:])
