"""Shared fixtures: a random tiny LLaDA with a real tokenizer, built on the fly (no network)."""

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny():
    """(model, tokenizer) of an untrained tiny LLaDA."""
    from llada_demo.models.tiny import random_tiny

    return random_tiny(seed=0)
