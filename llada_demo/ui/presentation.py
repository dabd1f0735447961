"""Presentation mode's pace: per browser session, how many denoising steps a second a live run is shown at."""

from __future__ import annotations

import threading
from collections import OrderedDict

DEFAULT_FPS = 4.0  # a class can follow four steps a second: a 64-step answer takes 16 s to appear
MOST_FPS = 30.0
# A paced display never lags its run by more than this: a long run is shown faster than the chosen pace
# rather than hold the page (and a queue worker) for minutes after the model has finished.
MOST_LAG_SECONDS = 60.0


class PresentationPaces:
    """The pace each presenting session chose (sessions not presenting have none). Bounded: the oldest
    sessions are forgotten first, so a flood of visitors cannot grow it."""

    def __init__(self, sessions: int = 1024):
        self._paces: OrderedDict[str, float] = OrderedDict()
        self._sessions = sessions
        self._lock = threading.Lock()

    def set(self, session: str, presenting: bool, fps) -> None:
        with self._lock:
            self._paces.pop(session, None)
            if presenting:
                self._paces[session] = clamp_fps(fps)
                while len(self._paces) > self._sessions:
                    self._paces.popitem(last=False)

    def fps(self, session: str) -> float | None:
        """The session's pace in steps a second, or None when it is not presenting (runs stream as computed)."""
        with self._lock:
            return self._paces.get(session)


def clamp_fps(fps) -> float:
    """1 to 30 steps a second; anything else a caller sends (text, NaN) means the default."""
    try:
        value = float(fps)
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_FPS
    if value != value:  # noqa: PLR0124 - NaN
        return DEFAULT_FPS
    return min(max(value, 1.0), MOST_FPS)


def step_delay(fps: float, planned_steps: int) -> float:
    """Seconds between shown steps: 1/fps, shorter where the whole run would take over MOST_LAG_SECONDS."""
    return min(1.0 / fps, MOST_LAG_SECONDS / max(planned_steps, 1))


PACES = PresentationPaces()
