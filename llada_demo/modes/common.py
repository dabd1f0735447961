"""What every teaching mode shares: which models can run here, prompt encoding, traces with token texts."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import SettingsError
from ..models.registry import REGISTRY, LoadedModel, is_available
from ..models.tokenizer import chat_prompt_ids
from ..prompt import clean_message

def last(stream):
    """Run a stream to its end and return its last item (tests, CLI: the finished state)."""
    item = None
    for item in stream:
        pass
    return item


def model_choices(kind: str) -> list[tuple[str, str]]:
    """(label, name) of the registered models of `kind` this machine can run; untrained ones say so."""
    return [(spec.name if spec.trained else f"{spec.name} (UNTRAINED: random weights)", spec.name)
            for spec in REGISTRY.values() if spec.kind == kind and is_available(spec)]


def check_kind(loaded: LoadedModel, kind: str) -> LoadedModel:
    if loaded.spec.kind != kind:
        raise SettingsError(f"{loaded.spec.name} is an {loaded.spec.kind} model; pick a {kind} model here.")
    return loaded


def clean_prompt(prompt) -> str:
    """The prompt as the model will see it (the app's one set of checks on user text), or a SettingsError."""
    return clean_message("" if prompt is None else str(prompt)).strip()


def chat_ids(loaded: LoadedModel, prompt: str) -> torch.LongTensor:
    """One user turn through the model's chat template, ready for the answer."""
    return chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": clean_prompt(prompt)}])


def same_vocabulary(a: LoadedModel, b: LoadedModel) -> bool:
    """Can token ids of one model be fed to the other (the embedded twins share one tokenizer)?"""
    return a.tokenizer is b.tokenizer or (
        len(a.tokenizer) == len(b.tokenizer) and a.special == b.special
        and a.tokenizer.get_vocab() == b.tokenizer.get_vocab())


def seed_or_random(seed) -> int:
    """The seed to use: the given one, or a fresh random one for "none" / -1 (shown back to the user)."""
    if seed in (None, "", -1, "-1"):
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    try:
        value = float(seed)
    except (TypeError, ValueError):
        raise SettingsError(f"Seed must be a whole number, got {seed!r}.") from None
    if value != int(value) or value < 0:
        raise SettingsError(f"Seed must be a whole number of at least 0 (or -1 for random), got {seed!r}.")
    return int(value)
