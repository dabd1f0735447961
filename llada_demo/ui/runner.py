"""Runs a sampler stream in a background thread so the UI can poll it without ever slowing it down."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from ..trace import Trace


class BackgroundRun:
    """Consume a stream of traces on a worker thread; `latest` is the newest trace seen.

    The sampler never waits for the browser: the UI wakes up at its own frame rate and draws
    whatever step the run has reached. `cancel()` stops the run after the current forward pass.
    """

    def __init__(self, stream: Iterator[Trace]):
        self._stream = stream
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.latest: Trace | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            for trace in self._stream:
                self.latest = trace
                if self._cancel.is_set():
                    break
        except BaseException as error:  # reported to the user by the UI, never raised in the thread
            self.error = error
        finally:
            close = getattr(self._stream, "close", None)
            if close:
                close()  # runs the generator's cleanup (frees device memory) right now
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
