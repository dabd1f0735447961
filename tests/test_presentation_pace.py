"""Presentation mode's pace: a presenting session sees every step of a live run in turn; the others as computed."""

from itertools import pairwise
from types import SimpleNamespace

import pytest

from llada_demo.engine import BackgroundRun
from llada_demo.engine.traces import stream_trace
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.models.tokenizer import chat_prompt_ids
from llada_demo.modes.compare import compare_stream
from llada_demo.sampling import SamplingSettings
from llada_demo.ui.presentation import DEFAULT_FPS, MOST_LAG_SECONDS, PresentationPaces, clamp_fps, step_delay
from llada_demo.ui.sessions import PACES, Pace, paced

SETTINGS = SamplingSettings(gen_length=16, steps=8, block_length=16, seed=0)


@pytest.fixture(scope="module")
def diffusion():
    return load_model(default_model_name("diffusion"))


@pytest.fixture()
def presenting():
    """A browser session in presentation mode at 20 steps a second (forgotten afterwards)."""
    request = SimpleNamespace(session_hash="presenting-test")
    PACES.set(request.session_hash, True, 20)
    yield request
    PACES.set(request.session_hash, False, None)


def _chat_run(loaded) -> BackgroundRun:
    ids = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": "Write a story about a cat."}])
    return BackgroundRun(stream_trace(loaded, ids, SETTINGS))


def test_a_presenting_session_sees_every_step_in_turn_with_the_figures_at_the_end(diffusion, presenting):
    frames = list(paced(_chat_run(diffusion), request=presenting))
    assert [len(trace.steps) for trace, _ in frames] == list(range(1, SETTINGS.steps + 1))
    assert [due.first for _, due in frames] == [True] + [False] * (SETTINGS.steps - 1)
    assert not any(due.plots for _, due in frames)  # the figures come with the final frame, after the run
    assert frames[-1][0].finished and not frames[-2][0].finished


def test_the_pace_of_frames_as_computed_does_not_apply_while_presenting(diffusion, presenting):
    # A frame every 30 s as computed: the 8-step run is over before the first one is due, so no frame at all...
    slow = Pace(grid=30.0, chat=30.0, plots=None)
    PACES.set(presenting.session_hash, False, 20)
    assert list(paced(_chat_run(diffusion), slow, request=presenting)) == []
    # ... but a presenting session still sees each step.
    PACES.set(presenting.session_hash, True, 20)
    assert len(list(paced(_chat_run(diffusion), slow, request=presenting))) == SETTINGS.steps


def test_a_race_is_stepped_side_by_side_each_side_stopping_at_its_own_end(diffusion, presenting):
    autoregressive = load_model(default_model_name("autoregressive"))
    run = BackgroundRun(compare_stream(diffusion, autoregressive, "Write a story about a dog.", SETTINGS))
    frames = [tuple(len(t.steps) for t in traces) for traces, _ in paced(run, request=presenting)]
    final = tuple(len(t.steps) for t in run.latest)
    assert frames[-1] == final
    for side in (0, 1):  # each side one step a frame at most, never back, and frame k shows step k at most
        counts = [frame[side] for frame in frames]
        assert all(0 <= b - a <= 1 for a, b in pairwise(counts))
        assert all(count <= k for k, count in enumerate(counts, start=1))
    # The point of the race stays visible: diffusion done (8 passes) while the AR twin still writes (16).
    assert final == (SETTINGS.steps, SETTINGS.gen_length)
    assert any(d == SETTINGS.steps and a < SETTINGS.gen_length for d, a in frames)


def test_the_pace_store_clamps_forgets_and_stays_bounded():
    paces = PresentationPaces(sessions=2)
    paces.set("a", True, 500)
    paces.set("b", True, "fast")
    assert paces.fps("a") == 30 and paces.fps("b") == DEFAULT_FPS and paces.fps("c") is None
    paces.set("c", True, 0)
    assert paces.fps("a") is None and paces.fps("c") == 1  # the oldest session forgotten, 0 → the slowest pace
    paces.set("c", False, 5)
    assert paces.fps("c") is None
    assert clamp_fps(float("nan")) == DEFAULT_FPS


def test_a_long_run_is_shown_faster_than_its_pace_rather_than_lag_a_minute_behind():
    assert step_delay(4, 64) == 0.25
    assert step_delay(1, 512) * 512 == pytest.approx(MOST_LAG_SECONDS)
