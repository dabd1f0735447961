"""A run nobody follows ends within seconds: an API call whose result stream is never opened stops its run."""

import json
import time
import urllib.request

import pytest

from llada_demo.models.registry import default_model_name
from llada_demo.ui import chat_handlers as handlers
from llada_demo.ui.sessions import ABANDON_SECONDS

pytestmark = pytest.mark.integration


def test_a_call_whose_stream_is_never_read_stops_its_run(app_url):
    # CFG doubles each pass: this run would take well over ABANDON_SECONDS here if left alone.
    data = ["Write a story about a dog.", [], default_model_name(), 256, 256, 32, "low_confidence", 0.9, 0.0, 1.0,
            0, "none", "confidence", "", False]  # no placed words; the embedded model reads only this turn
    request = urllib.request.Request(app_url + "gradio_api/call/chat", data=json.dumps({"data": data}).encode(),
                                     headers={"Content-Type": "application/json"})
    event = json.loads(urllib.request.urlopen(request, timeout=30).read())["event_id"]
    start = time.time()
    # The result stream (GET /gradio_api/call/chat/<event>) is never opened.
    run = None
    while time.time() - start < 60:
        run = next((r for session, (r, _) in list(handlers.chat_runs._runs.items()) if session == event), None)
        if run is not None and run.done:
            break
        time.sleep(0.2)
    assert run is not None and run.done and run.cancelled, "the abandoned run should have been stopped"
    assert len(run.latest.steps) < 256  # stopped, not finished
    assert time.time() - start < ABANDON_SECONDS + 10
