"""Shared by the teaching-mode tabs: one background run per browser session and tab, polled into throttled frames."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator

import gradio as gr

from ..deploy.manifest import limits
from ..errors import SettingsError
from ..models.registry import LoadedModel, load_model
from ..modes.race import snapshot
from .handlers import FRAME_INTERVAL, PLOT_INTERVAL, end_notice, failure_notice
from .runner import BackgroundRun

VIEWS = 7  # every racing tab draws 7 outputs, then a notice


def session_of(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "local"


class SessionRuns:
    """The latest job of each session for one tab, so a new run or Stop touches only that user's job.

    A finished job is kept (until the session starts another) so that Stop, which may arrive after
    Gradio has already cancelled the streaming handler, can still draw where the job stopped.
    """

    def __init__(self, sessions: int = 64):
        self._runs: OrderedDict[str, tuple[BackgroundRun, object]] = OrderedDict()
        self._sessions = sessions
        self._lock = threading.Lock()

    def start(self, request, stream, context=None) -> BackgroundRun:
        """Run `stream` in the background (within the app's time budget), cancelling this session's previous run.

        `context` is whatever Stop needs besides the run to draw it (e.g. the fill-in template).
        """
        run = BackgroundRun(stream, time_limit=limits()["run_seconds"])
        with self._lock:
            previous = self._runs.pop(session_of(request), None)
            self._runs[session_of(request)] = (run, context)
            while len(self._runs) > self._sessions:  # forget the oldest sessions' finished jobs
                self._runs.popitem(last=False)[1][0].cancel()
        if previous is not None:
            previous[0].cancel()
        return run

    @staticmethod
    def release(run: BackgroundRun) -> None:
        """The handler is leaving (done, or cancelled by Gradio: Stop, closed tab): the job must not go on."""
        run.cancel()

    def stop(self, request, wait: float = 10.0) -> tuple[BackgroundRun | None, object]:
        """Cancel this session's job after its current forward pass; (the run once stopped, its context)."""
        with self._lock:
            run, context = self._runs.get(session_of(request), (None, None))
        if run is not None:
            run.cancel()
            run.wait(wait)
        return run, context


def frames(run: BackgroundRun) -> Iterator[tuple[object, bool, bool]]:
    """(latest item, whether plots are due, whether it is the first frame) at most 20 times a second.

    Plotly figures are heavy (the whole JSON each update): they are due a few times a second.
    Only the first frame should clear the notice: a later one could land after Stop's message.
    """
    last_plot, first = 0.0, True
    while not run.wait(FRAME_INTERVAL):
        latest = run.latest
        if latest is None:
            continue
        now = time.perf_counter()
        due = now - last_plot >= PLOT_INTERVAL
        if due:
            last_plot = now
        yield latest, due, first
        first = False


def failure(error: BaseException) -> str:
    """The message for a failed run: what to change, never a stack trace."""
    return failure_notice(error)


def load(name) -> LoadedModel:
    """load_model, with any loading failure turned into a message (a checkpoint the app cannot use)."""
    try:
        return load_model(name)
    except SettingsError:
        raise
    except Exception as error:  # e.g. a tokenizer without the special tokens the views need
        raise SettingsError(f"Could not use the model {name!r}: {error}") from error


def stream_views(runs: SessionRuns, request, stream, draw, context=None) -> Iterator[tuple]:
    """Run `stream` as this session's job of a tab and yield (views..., notice) frames, then the last one.

    `draw(traces, plots_due, status)` returns the tab's VIEWS outputs for a snapshot of the racing traces.
    """
    skip = gr.skip()
    run = runs.start(request, stream, context=context)
    try:
        for traces, plots, first in frames(run):
            yield (*draw(snapshot(traces), plots, ""), "" if first else skip)
    finally:
        runs.release(run)
    if run.error is not None:
        yield (*(skip,) * VIEWS, failure(run.error))
        return
    if run.latest is None:  # cancelled before the first frame
        yield (*(skip,) * VIEWS, end_notice(run, True))
        return
    traces = snapshot(run.latest)
    stopped = not all(t.finished for t in traces)
    yield (*draw(traces, True, "stopped" if stopped else ""), end_notice(run, stopped))


def stop_views(runs: SessionRuns, request, draw) -> tuple:
    """Stop this session's job after its current forward pass and draw where it stopped (same outputs).

    `draw(traces, context)` returns the tab's VIEWS outputs for a stopped run.
    """
    run, context = runs.stop(request)
    traces = snapshot(run.latest) if run is not None and run.latest is not None else ()
    if not traces or all(t.finished for t in traces):  # nothing was running
        return (*(gr.skip(),) * VIEWS, "")
    return (*draw(traces, context), "⏹ Stopped.")
