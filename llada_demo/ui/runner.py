"""Runs a sampler stream in a background thread so the UI can poll it without ever slowing it down."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import torch

from .. import worker
from ..trace import Trace


class BackgroundRun:
    """Consume a stream of traces on a worker thread; `latest` is the newest trace seen.

    The sampler never waits for the browser: the UI wakes up at its own frame rate and draws
    whatever step the run has reached. `cancel()` stops the run after the current forward pass.
    """

    def __init__(self, stream: Iterator[Trace], time_limit: float | None = None):
        self._stream = stream
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._time_limit = time_limit
        self.latest: Trace | None = None
        self.error: BaseException | None = None
        self.timed_out = False
        worker.submit(self._work)  # all model work shares one thread (see llada_demo/worker.py)

    def _work(self) -> None:
        start = time.monotonic()
        try:
            for trace in self._stream:
                self.latest = trace
                if self._cancel.is_set():
                    break
                if self._time_limit is not None and time.monotonic() - start > self._time_limit:
                    self.timed_out = True
                    break
        except BaseException as error:  # reported to the user by the UI, never raised in the thread
            self.error = error
        finally:
            close = getattr(self._stream, "close", None)
            if close:
                close()  # runs the generator's cleanup (drops its tensors) right now
            self._stream = None
            if torch.cuda.is_available():
                torch.cuda.empty_cache()  # give freed blocks back, e.g. after an out-of-memory error
            self._done.set()

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
