"""A browser user whose run waits sees their place in the queue (and, once Gradio has timed runs, an estimate)."""

import re
import time

import pytest
from gradio_client import Client

from llada_demo.models.registry import default_model_name
from llada_demo.ui import chat_handlers as handlers

pytestmark = pytest.mark.e2e
DIFFUSION = default_model_name("diffusion")


def long_chat(client):
    return client.submit("Write a long story about a dog.", [], DIFFUSION, 256, 256, 32, "low_confidence", 0.9, 0.0,
                         0.0, 0, "none", "confidence", api_name="/chat")


def test_a_waiting_run_shows_its_place_in_the_queue_on_the_notice(page, app_url):
    blockers = [Client(app_url, verbose=False) for _ in range(2)]
    try:
        for blocker in blockers:
            long_chat(blocker)
        deadline = time.time() + 60
        while sum(not run.done for run, _ in handlers.chat_runs._runs.values()) < 2 and time.time() < deadline:
            time.sleep(0.1)
        page.locator("#message textarea").fill("Write a story about a cat.")
        page.locator("#send").click()
        page.wait_for_function("() => /queue: \\d+\\/\\d+/.test(document.body.innerText)", timeout=30000)
        shown = page.locator("#notice").inner_text()
        assert re.search(r"queue: \d+/\d+", shown), shown
    finally:
        for blocker in blockers:
            blocker.predict(api_name="/stop")
        page.locator("#stop").click()
