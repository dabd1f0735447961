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
