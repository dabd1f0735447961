"""The one long-lived thread that runs all model work in the app (loading and sampling).

On a CPU, PyTorch's OpenMP pool belongs to the thread that uses it, and two live pools on a small
machine slow both down (measured on 2 cores: a 64-step run went from 0.66 s to 1.3 s). So runs
queue on this single thread instead of each getting a thread of its own.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-worker")
_ident: list[int] = []


def _remember() -> None:
    _ident.append(threading.get_ident())


_EXECUTOR.submit(_remember).result()


def run_here() -> None:
    """Make the calling thread the model thread as well (the CLI, which has no other thread doing torch work).

    `call` then runs inline here, so loading and sampling share this thread's OpenMP pool.
    """
    if not on_worker():
        _ident.append(threading.get_ident())


def on_worker() -> bool:
    return threading.get_ident() in _ident


def submit(fn, *args, **kwargs) -> Future:
    """Queue `fn` on the model thread."""
    return _EXECUTOR.submit(fn, *args, **kwargs)


def call(fn, *args, **kwargs):
    """Run `fn` on the model thread and wait for it (directly when already there)."""
    if on_worker():
        return fn(*args, **kwargs)
    return _EXECUTOR.submit(fn, *args, **kwargs).result()
