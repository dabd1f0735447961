"""The one long-lived thread that runs all model work in the app (loading and sampling).

On a CPU, PyTorch's OpenMP pool belongs to the thread that uses it, and two live pools on a small
machine slow both down (measured on 2 cores: a 64-step run went from 0.66 s to 1.3 s). So runs
queue on this single thread instead of each getting a thread of its own.
"""

from __future__ import annotations

import ctypes
import threading
from concurrent.futures import Future, ThreadPoolExecutor

# glibc gives each thread that allocates its own arena (up to 8 per core) and keeps what is freed there;
# Gradio serves each request from one of many threads, so every run's frames and tensors left free but
# resident memory in a different arena (benchmarks.soak: 11 arenas, 336 MB free in them after 20 runs;
# malloc_trim gave back 115 MB). Two arenas, trimmed after each run, keep the server's memory flat.
ARENAS = 2
_M_ARENA_MAX = -8


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:  # not glibc (macOS, musl): nothing to tune
        return None


_LIBC = _libc()
if _LIBC is not None:
    _LIBC.mallopt(_M_ARENA_MAX, ARENAS)  # before Gradio starts its threads, so they share these arenas


def trim_memory() -> bool:
    """Give the allocator's free pages back to the system (glibc only); True if any were returned."""
    return bool(_LIBC.malloc_trim(0)) if _LIBC is not None else False

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
