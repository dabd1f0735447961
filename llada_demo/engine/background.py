"""Runs a sampler stream on the model thread, step by step, so the UI can poll it without slowing it down."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import torch

from ..trace import Trace
from . import worker


class BackgroundRun:
    """Advance a stream of traces on the model thread; `latest` is the newest trace seen.

    The sampler never waits for the browser: the UI wakes up at its own frame rate and draws
    whatever step the run has reached. Each step is queued on the one model thread as its own
    task and queues the next, so runs of several users take turns step by step there, instead
    of one waiting for another to finish. `cancel()` stops the run after its current step.
    """

    def __init__(self, stream: Iterator[Trace], time_limit: float | None = None):
        self._stream = stream
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._time_limit = time_limit
        self._started: float | None = None
        self.latest: Trace | None = None
        self.error: BaseException | None = None
        self.timed_out = False
        worker.submit(self._step)

    def _step(self) -> None:
        """One step of the stream (one forward pass), then the next step goes to the back of the queue."""
        if self._started is None:
            self._started = time.monotonic()
        try:
            if self._cancel.is_set():
                return self._finish()
            if self._time_limit is not None and time.monotonic() - self._started > self._time_limit:
                self.timed_out = True
                return self._finish()
            self.latest = next(self._stream)
        except StopIteration:
            return self._finish()
        except BaseException as error:  # noqa: BLE001 - reported to the user by the UI, never raised in the thread
            self.error = error
            return self._finish()
        worker.submit(self._step)

    def _finish(self) -> None:
        close = getattr(self._stream, "close", None)
        if close:
            close()  # runs the generator's cleanup (drops its tensors) right now
        self._stream = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()  # give freed blocks back, e.g. after an out-of-memory error
        self._done.set()
        # The run's tensors are freed now; without this their pages stay resident in glibc's arenas and the
        # server grows with every run (the chat's last frames, drawn after this, are trimmed by the next run).
        worker.trim_memory()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep until the run ends or `timeout` passes; True if it ended."""
        return self._done.wait(timeout)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()
