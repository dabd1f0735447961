"""One background run per browser session and tab, and the pace at which its frames reach the page."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr
import torch

from ..config import limits
from ..engine import BackgroundRun
from .presentation import PACES, step_delay
from .queue_policy import UNREAD_LIMIT, unread_frames


@dataclass(frozen=True)
class Pace:
    """Seconds between updates of each kind while a run streams (the last frame always has everything).

    grid: the token grid and stats; chat: the chat bubble's text; plots: the Plotly figures, or None
    for "only at the end". Every update costs this process CPU to build and the browser CPU to draw;
    on a small CPU machine both compete with the sampler itself (measured by benchmarks.browser_overhead).
    """

    grid: float = 0.05
    chat: float = 0.25
    plots: float | None = 1.0


def default_pace() -> Pace:
    """Fewer, lighter updates on a small CPU machine, where the browser may share the cores with the sampler.

    Measured on 2 cores with Chromium on the same machine (benchmarks.browser_overhead, 128 tokens / 128
    steps, best of 3): grid frames every 0.05 s with plots every 0.75 s made the run 4.0× the raw sampler;
    with plots only at the end, grid frames every 0.25 s 1.31×, every 0.4 s 1.34×, every 0.5 s 1.20× (runs
    vary by ±0.15 here). The streamed frames slow the sampler itself: the browser and this process take
    CPU it would use. LLADA_PACE="grid,chat,plots" (seconds, "none" = at the end) overrides it.
    """
    return _pace_for(roomy=Pace(grid=0.05, chat=0.25, plots=1.0), small=Pace(grid=0.4, chat=1.0, plots=None))


def _pace_for(roomy: Pace, small: Pace) -> Pace:
    """LLADA_PACE="grid,chat,plots" in seconds ("none" = plots at the end) when set, for measuring other paces;
    else `roomy` with a GPU or more than 4 cores (frames cost the sampler almost nothing there), else `small`."""
    override = os.environ.get("LLADA_PACE")
    if override:
        grid, chat, plots = (None if v.strip() == "none" else float(v) for v in override.split(","))
        return Pace(grid=grid, chat=chat, plots=plots)
    return roomy if torch.cuda.is_available() or (os.cpu_count() or 1) > 4 else small


PACE = default_pace()


@dataclass(frozen=True)
class Due:
    """Which slow outputs a frame should refresh besides the grid."""

    chat: bool
    plots: bool
    first: bool


ABANDON_SECONDS = 8.0  # a run whose frames nobody takes or reads for this long is stopped


class Watchdog:
    """Stops runs nobody follows any more: the page was closed (Gradio stops taking the handler's frames),
    or an API caller never opened its result stream (the frames pile up unread, see `paced`)."""

    def __init__(self, seconds: float = ABANDON_SECONDS):
        self.seconds = seconds
        self._seen: dict[BackgroundRun, float] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, name="run-watchdog", daemon=True).start()

    def follow(self, run: BackgroundRun) -> None:
        """Start watching `run` (its handler has just started it)."""
        with self._lock:
            self._seen[run] = time.monotonic()

    def seen(self, run: BackgroundRun) -> None:
        """The run's handler is taking frames."""
        with self._lock:
            if run in self._seen:
                self._seen[run] = time.monotonic()

    def _watch(self) -> None:
        while True:
            time.sleep(1.0)
            now = time.monotonic()
            with self._lock:
                for run, seen in list(self._seen.items()):
                    if run.done:
                        del self._seen[run]
                    elif now - seen > self.seconds:
                        run.cancel()
                        del self._seen[run]


WATCHDOG = Watchdog()


class Reader:
    """Whether anyone still reads a stream's frames. Gone when at least UNREAD_LIMIT frames wait unread
    (queue_policy.unread_frames) and none was read for ABANDON_SECONDS: an API caller that never opened its
    result stream. A slow browser that lags several frames behind but keeps reading is not gone."""

    def __init__(self, request):
        self.request, self.sent = request, 0  # sent: frames the handler has yielded so far
        self._read, self._since = 0, None

    def gone(self) -> bool:
        unread = unread_frames(self.request)
        read = self.sent - unread
        if unread < UNREAD_LIMIT or read > self._read:
            self._read, self._since = max(read, self._read), None
            return False
        self._since = self._since or time.monotonic()
        return time.monotonic() - self._since > ABANDON_SECONDS


def paced(run: BackgroundRun, pace: Pace | None = None, request=None) -> Iterator[tuple[object, Due]]:
    """(latest item, what is due) while the run goes on, at most once per `pace.grid` seconds.

    Only new items are yielded: a frame that would repeat the last one is never sent. A run whose frames
    pile up unread (queue_policy.unread_frames) for ABANDON_SECONDS is cancelled. A session in presentation
    mode gets every step in turn at its chosen pace instead (`stepped`).
    """
    fps = PACES.fps(session_of(request))
    if fps is not None:
        yield from stepped(run, fps, pace or PACE, request)
        return
    yield from _as_computed(run, pace or PACE, request)


def _as_computed(run: BackgroundRun, pace: Pace, request) -> Iterator[tuple[object, Due]]:
    last_chat = last_plot = -1e9
    first, seen = True, None
    reader = Reader(request)
    while not run.wait(pace.grid):
        WATCHDOG.seen(run)
        if reader.gone():
            run.cancel()  # nobody reads this stream: stop computing it
        latest = run.latest
        progress = _progress(latest)
        if latest is None or progress == seen:
            continue
        seen, now = progress, time.perf_counter()
        chat = now - last_chat >= pace.chat
        plots = pace.plots is not None and now - last_plot >= pace.plots
        last_chat = now if chat else last_chat
        last_plot = now if plots else last_plot
        yield latest, Due(chat=chat, plots=plots, first=first)
        reader.sent += 1
        first = False


def stepped(run: BackgroundRun, fps: float, pace: Pace, request=None) -> Iterator[tuple[object, Due]]:
    """Presentation mode: the run's steps one after another, one every 1/fps seconds, however fast the model
    computes them (a class cannot follow 20 steps a second), and after the run has finished if need be. The
    figures wait for the end. A run that is not a trace (a sweep's progress) streams as computed."""
    shown, first, reader = None, True, Reader(request)  # shown: per trace (a race has two), the steps shown
    while True:
        WATCHDOG.seen(run)
        latest = run.latest
        items = _traces(latest)
        if latest is not None and items is None:
            yield from _as_computed(run, pace, request)
            return
        if reader.gone():
            run.cancel()  # nobody reads this stream
            return
        if shown is None and items is not None:
            shown = [0] * len(items)
        if items is not None and any(seen < len(item.steps) for seen, item in zip(shown, items)):
            shown = [min(seen + 1, len(item.steps)) for seen, item in zip(shown, items)]  # one step more each
            view = tuple(item.prefix(seen) for seen, item in zip(shown, items))
            yield (view if isinstance(latest, (tuple, list)) else view[0]), Due(chat=True, plots=False, first=first)
            reader.sent += 1
            first = False
            planned = max(max(item.settings.steps, len(item.steps)) for item in items)
            time.sleep(step_delay(fps, planned))  # not run.wait: the run's end must not cut the pace short
        elif run.done:
            return
        else:
            run.wait(0.05)


def _progress(latest) -> object:
    """How far a run's latest item has got (steps recorded), to tell a new frame from a repeat."""
    if latest is None:
        return None
    items = _traces(latest)
    if items is None:
        return object()  # not traces (e.g. a sweep's progress): every poll counts as new
    return tuple(len(item.steps) for item in items)


def _traces(latest) -> tuple | None:
    """The traces a run's latest item holds (one, or a race's pair), or None when it holds none (nothing yet, or
    a sweep's progress)."""
    items = tuple(latest) if isinstance(latest, (tuple, list)) else (latest,)
    return items if items and all(hasattr(item, "steps") for item in items) else None


def modes_pace() -> Pace:
    """The teaching tabs' pace: fast enough that both sides of a race show partial states (one model may
    finish in half a second), and on a small CPU machine slower grids with the figures only at the end, as
    the chat does, since each frame there takes CPU from the runs being compared."""
    return _pace_for(roomy=Pace(grid=0.05, chat=0.25, plots=0.75), small=Pace(grid=0.2, chat=0.25, plots=None))


MODES_PACE = modes_pace()


def frames(run: BackgroundRun, request=None) -> Iterator[tuple[object, bool, bool]]:
    """(latest item, whether plots are due, whether it is the first frame), paced for the teaching tabs."""
    for latest, due in paced(run, MODES_PACE, request):
        yield latest, due.plots, due.first


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
        WATCHDOG.follow(run)
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


