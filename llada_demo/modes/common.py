"""What every teaching mode shares: which models can run here, prompt encoding, traces with token texts."""

from __future__ import annotations

import torch

from ..engine import last  # noqa: F401 - the modes' run-to-the-end helper, re-exported for them
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids
from ..prompt import clean_message


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
