"""Shared by the teaching-mode tabs: one background run per browser session and tab, polled into throttled frames."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import gradio as gr

from ..errors import SettingsError
from .handlers import FRAME_INTERVAL, PLOT_INTERVAL, error_notice
from .runner import BackgroundRun


def session_of(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "local"


class SessionRuns:
    """The running job of each session for one tab, so a new run or Stop cancels only that user's job."""

    def __init__(self):
        self._runs: dict[str, BackgroundRun] = {}
        self._lock = threading.Lock()

    def start(self, request, stream) -> BackgroundRun:
        run = BackgroundRun(stream)
        with self._lock:
            previous = self._runs.pop(session_of(request), None)
            self._runs[session_of(request)] = run
        if previous is not None:
            previous.cancel()
        return run

    def release(self, request, run: BackgroundRun) -> None:
        run.cancel()  # a no-op when it ended; stops it when Gradio cancelled the generator (Stop, closed tab)
        with self._lock:
            if self._runs.get(session_of(request)) is run:
                del self._runs[session_of(request)]

    def stop(self, request) -> bool:
        """Cancel this session's run after its current forward pass; False if none was running."""
        with self._lock:
            run = self._runs.pop(session_of(request), None)
        if run is not None:
            run.cancel()
        return run is not None


def frames(run: BackgroundRun) -> Iterator[tuple[object, bool]]:
    """(latest item, whether plots are due) at most 20 times a second while the run goes on.

    Plotly figures are heavy (the whole JSON each update): they are due a few times a second.
    """
    last_plot = 0.0
    while not run.wait(FRAME_INTERVAL):
        latest = run.latest
        if latest is None:
            continue
        now = time.perf_counter()
        due = now - last_plot >= PLOT_INTERVAL
        if due:
            last_plot = now
        yield latest, due


def failure(error: BaseException) -> str:
    """The message for a failed run: the user's to fix, or a short report (never a stack trace)."""
    if isinstance(error, SettingsError):
        return error_notice(error)
    return f"⚠️ The run failed: {type(error).__name__}: {error}. Try a shorter answer or fewer steps."
