"""Shared fixtures (a random tiny LLaDA, the live app) and the two test tiers (what `--fast` leaves out)."""

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tiers import FAST_TEST_SECONDS, is_slow  # the tier rule lives in tests/tiers.py


def pytest_addoption(parser):
    parser.addoption("--update-screenshots", action="store_true",
                     help="e2e tests write their screenshots to docs/screenshots/ (the README's) instead of "
                          "build/screenshots/")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


_long_fast_tests = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.duration > FAST_TEST_SECONDS and "slow" not in report.keywords:
        _long_fast_tests.append((report.duration, report.nodeid))


def pytest_terminal_summary(terminalreporter):
    if _long_fast_tests:
        terminalreporter.section(f"fast-tier tests over {FAST_TEST_SECONDS:.0f} s "
                                 "(list them in SLOW in tests/tiers.py)")
        for seconds, nodeid in sorted(_long_fast_tests, reverse=True):
            terminalreporter.write_line(f"{seconds:6.1f}s {nodeid}")


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
