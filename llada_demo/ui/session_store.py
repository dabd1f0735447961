"""Which sessions' saved runs the server keeps: evicted by a memory budget and by age, never by newcomers' count.

Gradio keeps every session's state (here: the chat's last trace, the Branch tab's source and branch) in one
LRU of `state_session_capacity` sessions, and every request with a new session hash makes an entry, run or
not: 33 cheap /candidates calls with random session ids pushed a person's saved run out. Here Gradio's count is
only a far backstop (CAPACITY), and a pruner, every PRUNE_SECONDS:
- forgets sessions that hold no saved run once idle for EMPTY_IDLE_SECONDS (requests that start no run keep
  nothing: a flood of cheap calls leaves no sessions behind a few seconds later, and never touches others');
  a session with an event running or waiting in the queue is never forgotten;
- forgets sessions idle for more than IDLE_SECONDS;
- while the saved runs together take more than BUDGET_BYTES, forgets the least recently used sessions with runs.
The figures behind the budget are in docs/reliability.md.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import fields, is_dataclass

import numpy as np

from ..trace import Trace

LOG = logging.getLogger(__name__)
CAPACITY = 100_000  # Gradio's own count limit: far beyond what the pruner lets build up
BUDGET_BYTES = 1024 * 2 ** 20  # saved runs and shown values of all sessions together
IDLE_SECONDS = 4 * 3600  # a session nobody has used for this long is forgotten
EMPTY_IDLE_SECONDS = 10.0  # a session without saved runs is forgotten this long after its last request
PRUNE_SECONDS = 1.0


def value_bytes(value, _depth: int = 0) -> int:
    """Approximate bytes a saved value holds: its numpy arrays and texts (traces), walked a few levels deep."""
    if value is None or _depth > 6:
        return 0
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, Trace):
        steps = sum(value_bytes(getattr(record, f.name), _depth + 1) for record in value.steps
                    for f in fields(record))
        texts = sum(len(t) + 64 for t in value.texts.values())  # a dict entry costs more than its text
        return steps + texts + int(value.prompt_ids.nbytes) + 100 * len(value.steps)
    if isinstance(value, dict):
        return sum(value_bytes(v, _depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(value_bytes(v, _depth + 1) for v in value)
    if is_dataclass(value):
        return sum(value_bytes(getattr(value, f.name), _depth + 1) for f in fields(value))
    return 64


def session_bytes(session) -> int:
    """Approximate bytes one session holds: its saved runs and the last values of its components' copies."""
    saved = sum(value_bytes(v) for v in session.state_data.values())
    shown = sum(value_bytes((config or {}).get("props", {}).get("value")) for config in session.config_values.values())
    return saved + shown


def _holds_run(session) -> bool:
    return any(v is not None for v in session.state_data.values())


def busy_sessions(holder) -> set[str]:
    """Sessions with an event running or waiting in the queue: never forgotten (a run's last frame writes its
    trace into the session it started with, which may be seconds after the session's last request)."""
    queue = getattr(getattr(holder, "blocks", None), "_queue", None)
    if queue is None:
        return set()
    try:
        running = [event for job in queue.active_jobs if job for event in job]
        waiting = [event for line in queue.event_queue_per_concurrency_id.values() for event in line.queue]
        return {event.session_hash for event in running + waiting}
    except Exception:  # noqa: BLE001 - a Gradio with another layout: nothing known to be busy
        return set()


def prune(holder, now: float | None = None, budget: int = BUDGET_BYTES) -> list[str]:
    """Forget sessions of Gradio's `holder` by the rules above; returns the session ids forgotten."""
    now = time.time() if now is None else now
    busy = busy_sessions(holder)
    with holder.lock:
        entries = list(holder.session_data.items())  # least recently used first
    used = {sid: holder.time_last_used.get(sid) for sid, _ in entries}
    idle = {sid: now - used[sid].timestamp() if used[sid] is not None else 0.0 for sid, _ in entries}
    gone = [sid for sid, session in entries if sid not in busy and
            (idle[sid] > IDLE_SECONDS or (idle[sid] > EMPTY_IDLE_SECONDS and not _holds_run(session)))]
    keep = [(sid, session) for sid, session in entries if sid not in gone and _holds_run(session)]
    sizes = {sid: session_bytes(session) for sid, session in keep}
    total = sum(sizes.values())
    for sid, _ in keep:  # over the budget: the least recently used sessions with runs go first
        if total <= budget:
            break
        if idle[sid] > 0 and sid not in busy:  # never a session being served now
            gone.append(sid)
            total -= sizes[sid]
    with holder.lock:
        for sid in gone:
            holder.session_data.pop(sid, None)
            holder.time_last_used.pop(sid, None)
    return gone


def stored_bytes(holder) -> int:
    """Bytes the holder's sessions hold now, as the budget counts them."""
    with holder.lock:
        sessions = list(holder.session_data.values())
    return sum(session_bytes(session) for session in sessions)


def start_pruning(blocks) -> threading.Thread:
    """Prune the serving app's sessions every PRUNE_SECONDS for as long as `blocks` lives."""
    ref = weakref.ref(blocks)

    def loop():
        while (current := ref()) is not None:
            holder = getattr(current, "state_holder", None)
            del current
            if holder is not None:
                try:
                    prune(holder)
                except Exception as error:  # noqa: BLE001 - a Gradio with another layout: keep its own LRU
                    LOG.warning("session pruning failed: %s", error)
            time.sleep(PRUNE_SECONDS)

    thread = threading.Thread(target=loop, name="session-pruner", daemon=True)
    thread.start()
    return thread
