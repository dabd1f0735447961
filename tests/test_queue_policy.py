"""The queue rules, against the live app: a few waiting runs per session, cheap endpoints never queue, Stop
removes the session's runs still waiting."""

import time

import pytest
from gradio_client import Client

from llada_demo.models.registry import default_model_name
from llada_demo.ui import chat_handlers as handlers
from llada_demo.ui.queue_policy import PER_SESSION

pytestmark = pytest.mark.integration
MODEL = default_model_name()


def chat_args(message, length):
    return (message, [], MODEL, length, length, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence")


def wait_until(condition, seconds=30.0):
    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        time.sleep(0.05)
    return condition()


def test_one_session_waits_for_at_most_two_runs_and_stop_removes_them(app_url):
    # Two other people's long runs take both sampler places, so this session's runs must wait.
    blockers = [Client(app_url, verbose=False) for _ in range(2)]
    for blocker in blockers:
        blocker.submit(*chat_args("Write a long story about a dog.", 256), api_name="/chat")
    assert wait_until(lambda: sum(not run.done for run, _ in handlers.chat_runs._runs.values()) == 2), \
        {k: (r.done, r.error) for k, (r, _) in handlers.chat_runs._runs.items()}
    person = Client(app_url, verbose=False)
    jobs = [person.submit(*chat_args(f"Story number {i}.", 32), api_name="/chat") for i in range(4)]
    assert wait_until(lambda: sum(job.done() for job in jobs) == 4 - PER_SESSION, 10)
    refused = [job for job in jobs if job.done()]
    for job in refused:
        with pytest.raises(Exception, match="(?i)queue"):
            job.result()

    # The cheap endpoints answer at once although the sampler is busy and runs are waiting.
    other = Client(app_url, verbose=False)
    start = time.time()
    assert other.predict(16, 16, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none",
                         api_name="/check_settings").startswith("✓")
    assert time.time() - start < 5

    # Stop ends the waiting runs: they finish without ever running a model.
    person.predict(api_name="/stop")
    assert wait_until(lambda: all(job.done() for job in jobs), 10)
    time.sleep(1.0)
    assert person.session_hash not in handlers.chat_runs._runs
    for blocker in blockers:
        blocker.predict(api_name="/stop")
    assert wait_until(lambda: all(run.done for run, _ in handlers.chat_runs._runs.values()), 30)
