"""Hardware-aware start-up: which device, whether the hub answers, and so which model the app starts on."""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from functools import lru_cache

import torch

from .config import manifest
from .models.device import describe_device, pick_device
from .models.registry import REGISTRY, default_model_name, is_available

HUB_PROBE = "https://huggingface.co/api/models/GSAI-ML/LLaDA-8B-Instruct"


@dataclass(frozen=True)
class Startup:
    device: str
    gpu: bool
    hub: bool
    default_model: str
    note: str


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when the Hugging Face hub answers (never when HF_HUB_OFFLINE is set)."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    try:
        with urllib.request.urlopen(HUB_PROBE, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def can_offer(name: str, hub: bool) -> bool:
    """A model is offered when this machine can run it and, for hub checkpoints, the hub answers."""
    spec = REGISTRY[name]
    needs_hub = spec.min_gpu_memory_gb > 0
    return is_available(spec) and (hub or not needs_hub)


def choose_default(gpu: bool, hub: bool) -> tuple[str, str]:
    """(model, note): the manifest's GPU default when it can run, else its CPU default, else random-tiny."""
    models = manifest()["models"]
    if gpu and can_offer(models["gpu_default"], hub):
        return models["gpu_default"], ""
    note = ""
    if gpu and not hub:
        note = "The Hugging Face hub is unreachable, so the embedded model is used instead of LLaDA-8B."
    elif not gpu:
        note = "No GPU here: the embedded model (trained on TinyStories) runs on the CPU."
    for name in (models["cpu_default"], "random-tiny"):
        if can_offer(name, hub):
            return name, note
    return "random-tiny", note


@lru_cache(maxsize=1)
def detect() -> Startup:
    device = pick_device()
    gpu = device.type == "cuda" and torch.cuda.is_available()
    hub = hub_reachable() if gpu else False  # a CPU machine cannot run the hub models anyway
    model, note = choose_default(gpu, hub)
    return Startup(device=describe_device(device), gpu=gpu, hub=hub, default_model=model, note=note)


def offered_models(kind: str) -> list[tuple[str, str]]:
    """(label, name) of the registered models of `kind` every tab offers on this machine; untrained ones say so.

    Models made for one tab (the Reversal tab's fact-tuned pair) are not listed: in a story tab they would only
    be a worse copy of the story model.
    """
    hub = detect().hub
    return [(spec.name if spec.trained else f"{spec.name} (UNTRAINED: random weights)", spec.name)
            for spec in REGISTRY.values() if spec.kind == kind and spec.listed and can_offer(spec.name, hub)]


def default_model(kind: str = "diffusion", teaching: bool = False) -> str:
    """The model a tab starts with, the one rule for every tab and the CLI.

    The chat (and the CLI) start with the manifest's choice for this machine (LLaDA-8B on a GPU with the
    hub, else the embedded model). The teaching tabs, and every autoregressive picker, start with the
    embedded twins: they share one tokenizer (fill-in needs that) and run in seconds anywhere.
    """
    if kind == "diffusion" and not teaching:
        return detect().default_model
    return default_model_name(kind)
