"""Hardware-aware start-up: GPU + hub start on LLaDA-8B-Instruct, otherwise the embedded model with a note."""

import pytest

from llada_demo import startup
from llada_demo.models import registry


@pytest.fixture()
def big_gpu(monkeypatch):
    monkeypatch.setattr(registry, "is_available", lambda spec: True)
    monkeypatch.setattr(startup, "is_available", lambda spec: True)


def test_gpu_and_hub_start_on_llada_8b(big_gpu):
    assert startup.choose_default(gpu=True, hub=True) == ("LLaDA-8B-Instruct", "")


def test_gpu_without_hub_falls_back_with_a_visible_note(big_gpu):
    model, note = startup.choose_default(gpu=True, hub=False)
    assert model == "embedded-llada" and "unreachable" in note
    assert not startup.can_offer("LLaDA-8B-Instruct", hub=False)


def test_cpu_machine_starts_on_the_embedded_model():
    model, note = startup.choose_default(gpu=False, hub=False)
    assert model == "embedded-llada" and "No GPU" in note


def test_offline_means_no_hub(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert startup.hub_reachable() is False


def test_detect_here():
    found = startup.detect()
    assert found.default_model in registry.REGISTRY and found.device


def test_chat_defaults_follow_the_models_sampling_defaults(tmp_path, monkeypatch):
    import json
    from types import SimpleNamespace

    from llada_demo.ui import chat_tab

    (tmp_path / "sampling_defaults.json").write_text(json.dumps(
        dict(gen_length=256, steps=64, block_length=16, strategy="margin", temperature=0.3)))
    monkeypatch.setitem(chat_tab.REGISTRY, "tuned", SimpleNamespace(source=str(tmp_path)))
    # 4 tokens per pass, as the file says, blocks of 16, its strategy.
    assert chat_tab.chat_defaults("tuned") == dict(gen_length=128, steps=32, block_length=16, strategy="margin",
                                                   temperature=0.3)
    (tmp_path / "sampling_defaults.json").write_text(json.dumps(dict(gen_length=256, steps=256)))
    one_per_pass = chat_tab.chat_defaults("tuned")  # measured on a CPU: one token per pass, as the file says
    assert (one_per_pass["steps"], one_per_pass["strategy"]) == (128, "low_confidence")
    (tmp_path / "sampling_defaults.json").unlink()  # no measured file (a hub model): on a CPU 2 tokens per pass
    unmeasured = chat_tab.chat_defaults("tuned")
    assert unmeasured["steps"] == (64 if chat_tab.detect().device == "cpu" else 128)


def test_model_menus_leave_out_models_made_for_one_tab():
    from llada_demo.models.registry import REGISTRY
    from llada_demo.startup import offered_models

    offered = {name for kind in ("diffusion", "autoregressive") for _, name in offered_models(kind)}
    assert {"embedded-llada", "embedded-ar"} <= offered
    unlisted = {name for name, spec in REGISTRY.items() if not spec.listed}
    assert unlisted == {"embedded-llada-facts", "embedded-ar-facts"} and not offered & unlisted
