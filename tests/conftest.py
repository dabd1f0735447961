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


@pytest.fixture(scope="session")
def app_url():
    """One live app (as `python app.py` builds it) on loopback for the session's integration and browser tests."""
    from server import start_app

    demo, url = start_app()
    yield url
    demo.close()


@pytest.fixture()
def client(app_url):
    """A fresh gradio_client session against the live app."""
    from gradio_client import Client

    return Client(app_url, verbose=False)
