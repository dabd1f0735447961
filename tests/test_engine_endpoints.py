"""Every endpoint that runs a model does its model work through the engine: on the model thread, under @spaces.GPU.

A stand-in `spaces.GPU` (tests/fake_spaces) is put in place of the real one in the live app's process, as on a
ZeroGPU Space; each endpoint is then driven with gradio_client and must have gone through it.
"""

import pytest

from llada_demo.engine import worker, zerogpu
from llada_demo.models.registry import default_model_name
from test_zerogpu import fake_spaces

pytestmark = pytest.mark.integration
DIFFUSION, AUTOREGRESSIVE = default_model_name("diffusion"), default_model_name("autoregressive")
PROMPT = "Write a story about a cat and a ball."


@pytest.fixture()
def gpu_log(monkeypatch):
    """(kind, ran on the model thread) for each @spaces.GPU call the app makes while the test runs."""
    spaces = fake_spaces()
    log = []

    def recording(kind, fn):
        def call(*args):
            if kind == "scoring":
                log.append((kind, worker.on_worker()))
                return fn(*args)
            return run(fn(*args))

        def run(records):  # a run's work happens where its records are drawn, not where it is made
            first = True
            for record in records:
                if first:
                    log.append((kind, worker.on_worker()))
                    first = False
                yield record

        return call

    monkeypatch.setattr(zerogpu, "on_zero_gpu", lambda: True)
    monkeypatch.setattr(zerogpu, "ON_GPU", {kind: recording(kind, fn) for kind, fn in
                                           zerogpu.decorated(spaces).items()})
    return log


ENDPOINTS = {
    "/chat": ((PROMPT, [], DIFFUSION, 32, 16, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence"),
              {"diffusion"}),
    "/compare": ((PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, 8, 32, 0), {"diffusion", "autoregressive"}),
    "/compare_strategies": ((PROMPT, DIFFUSION, 32, 8, 0.0, 5, "low_confidence", 32, 0.9, "none", "random", 32,
                             0.9, "none"), {"diffusion"}),
    "/infill": (("Once upon a time [MASK*4] a cat.", "", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0),
                {"diffusion", "autoregressive"}),
    "/sweep": ((PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, "8", "32", ["low_confidence"], 0, 2, ["none"]),
               {"diffusion", "scoring"}),
    "/explain": ((PROMPT, DIFFUSION, 12345), {"diffusion"}),  # a seed no other test uses: not cached
    "/reversal": ((None, ), {"diffusion", "autoregressive"}),  # None: the first held-out question, filled below
    "/reversal_fill_in": ((None, ), {"diffusion", "autoregressive"}),  # the same question as a blank
    "/score": (("Tom drank a glass of", "water.", "sand.", "", "", "text", DIFFUSION, AUTOREGRESSIVE, 16, 0),
               {"scoring", "scoring_stream"}),
    "/reversal_score": ((None, ), {"scoring", "scoring_stream"}),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_model_work_goes_through_the_engine(client, gpu_log, endpoint):
    args, kinds = ENDPOINTS[endpoint]
    if endpoint in ("/reversal", "/reversal_fill_in", "/reversal_score"):
        from llada_demo.modes.reversal import load_report, questions

        args = (questions(load_report())[0].question,)
    client.predict(*args, api_name=endpoint)
    assert {kind for kind, _ in gpu_log} == kinds, f"{endpoint} ran model work outside the engine's GPU path"
    assert all(on_worker for _, on_worker in gpu_log), f"{endpoint} ran model work off the model thread"


def test_branch_model_work_goes_through_the_engine(client, gpu_log):
    """/branch continues a run on the model thread, on the GPU path, like every run (its source from /branch_run)."""
    client.predict(PROMPT, DIFFUSION, api_name="/branch_run")
    gpu_log.clear()
    info = client.predict(3, "5 = dog", 64, "low_confidence", 0.0, 0, api_name="/branch")[3]
    assert info["finished"] and {kind for kind, _ in gpu_log} == {"diffusion"}
    assert all(on_worker for _, on_worker in gpu_log), "/branch ran model work off the model thread"
