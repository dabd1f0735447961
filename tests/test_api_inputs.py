"""Every input an API caller can send gets the app's own answer: no endpoint fails with Gradio's bare "Error".

Each parameter of each endpoint is replaced in turn by values of the wrong type or out of range; the call must
return (an AppError means the handler or a component raised), and where the endpoint has a notice it must say
what to change.
"""

import time

import pytest

from llada_demo.models.registry import default_model_name

pytestmark = pytest.mark.integration
DIFFUSION, AUTOREGRESSIVE = default_model_name("diffusion"), default_model_name("autoregressive")
PROMPT = "Write a story about a cat."
BAD = [None, {"a": 1}, [1, 2], "x", 1e308, -5]

# endpoint: (valid arguments, index of the notice in its outputs, or None)
ENDPOINTS = {
    "/chat": ((PROMPT, [], DIFFUSION, 16, 16, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence",
               "dog, sun"), 8),
    "/compare": ((PROMPT, DIFFUSION, AUTOREGRESSIVE, 16, 8, 16, 0, "passes"), 7),
    "/compare_strategies": ((PROMPT, DIFFUSION, 16, 8, 0.0, 5, "low_confidence", 16, 0.9, "none", "random", 16,
                             0.9, "none"), 7),
    "/infill": (("Once upon a time [MASK*4] a cat.", "", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0, "cat"), 7),
    "/place_words": (("dog, sun", DIFFUSION, 32), 1),
    "/sweep": ((PROMPT, DIFFUSION, "none", 16, "8", "16", ["low_confidence"], 0, 0, ["none"]), 3),
    "/explain": ((PROMPT, DIFFUSION, 0), 1),
    "/check_settings": ((16, 16, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none"), None),
    "/nearest_settings": ((16, 16, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none"), 3),
    "/replay": ((0, "confidence"), None),
    "/play": (("confidence", 10), None),
    "/candidates": ((1, 3), 1),  # about the session's last chat run: none here, so only the inputs' own checks
    "/branch_run": ((PROMPT, DIFFUSION), 5),
    "/branch": ((2, "3 = dog", 16, "low_confidence", 0.0, 0), 4),  # with a run to branch: tests/test_branch_api.py
    "/score": (("He drank a glass of", "water.", "sand.", "", "", "text", DIFFUSION, AUTOREGRESSIVE, 16, 0), 3),
    "/reversal_score": (("Whose pet is the dog named Det?",), 3),
}
# Endpoints that run the model at the chat's full defaults (128 steps) whenever a bad value still reads as a valid
# input: their first frame carries the verdict on the inputs (a refusal, or the run's start), so the call is
# cancelled there instead of streamed to the end (29 s of this test's 100 s went to whole runs of /branch_run).
FIRST_FRAME_ONLY = {"/branch_run"}


def first_frame(client, call, endpoint):
    """The endpoint's first output (or its whole result, if it ends first); then the rest of the run is cancelled."""
    job = client.submit(*call, api_name=endpoint)
    deadline = time.time() + 60
    while not job.done() and not job.outputs() and time.time() < deadline:
        time.sleep(0.02)
    if job.done() or not job.outputs():
        return job.result()  # raises AppError if anything failed
    first = job.outputs()[0]
    job.cancel()
    return first


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_parameter_answers_bad_values_with_a_message(client, endpoint):
    args, notice = ENDPOINTS[endpoint]
    for index in range(len(args)):
        for bad in BAD:
            call = list(args)
            call[index] = bad
            if endpoint in FIRST_FRAME_ONLY:
                result = first_frame(client, call, endpoint)
            else:
                result = client.predict(*call, api_name=endpoint)  # raises AppError if anything failed
            if notice is not None:
                text = result[notice]
                assert isinstance(text, str) and "Traceback" not in text and "Error" not in text.split()[:1], \
                    (endpoint, index, bad, text)


def test_oversized_history_is_refused_before_it_is_read(client):
    huge = [{"role": "user", "content": "x" * 39_000}, {"role": "assistant", "content": "y" * 39_000}] * 8
    result = client.predict(PROMPT, huge, DIFFUSION, 16, 16, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none",
                            "confidence", api_name="/chat")
    assert "press Clear" in result[8] and result[1] == {"__type__": "update"}  # the chat left as it is: no turn
    many = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}] * 201
    assert "402 messages" in client.predict(PROMPT, many, DIFFUSION, 16, 16, 16, "low_confidence", 0.9, 0.0, 0.0,
                                            0, "none", "confidence", api_name="/chat")[8]
