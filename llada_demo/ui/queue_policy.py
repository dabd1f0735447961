"""The app's queue rules on top of Gradio's: a few waiting runs per session, and Stop reaching runs still waiting.

Gradio's queue is one line for everyone (spaces.yaml `queue_size` places): one session joining 32 times
filled it, and then every other user's runs were refused. Here a session may have at most PER_SESSION runs
waiting for the sampler (besides the one running); the next gets a message saying so. And a Stop removes its
session's runs that are still waiting, which Gradio's `cancels=` leaves to run later. The cheap endpoints
(stop, settings checks, replay) are wired with `queue=False`, so they never wait behind runs at all.
These rules use Gradio 6's queue internals (requirements.txt pins the version); tests/test_queue_policy.py
checks them against the real server.
"""

from __future__ import annotations

import gradio as gr
from gradio.server_messages import ProcessCompletedMessage

PER_SESSION = 2
SAMPLER = "sampler"  # the concurrency id of every event that runs a model for a person
TOO_MANY = (f"You already have {PER_SESSION} runs waiting: wait for them to start, or press Stop, before sending "
            "another.")


def _waiting(queue, session: str) -> list:
    """This session's events waiting for the sampler (not started yet)."""
    return [event for line in queue.event_queue_per_concurrency_id.values() for event in line.queue
            if event.session_hash == session and event.concurrency_id == SAMPLER]


def install(demo: gr.Blocks) -> gr.Blocks:
    """Put the per-session limit in front of the queue (after `demo.queue(...)`)."""
    queue = demo._queue
    push = queue.push

    async def limited_push(body, request, username):
        session = getattr(body, "session_hash", None)
        if session and len(_waiting(queue, session)) >= PER_SESSION:
            from gradio import route_utils

            try:
                fn = route_utils.get_fn(demo, None, body)
            except Exception:  # noqa: BLE001 - let Gradio answer a malformed request its own way
                fn = None
            if fn is not None and fn.concurrency_id == SAMPLER:
                return False, TOO_MANY, "queue_full"
        return await push(body=body, request=request, username=username)

    queue.push = limited_push
    return demo


def _served(request) -> tuple[object, str] | tuple[None, None]:
    """(the Blocks serving this request, its session hash), or (None, None) outside a live server session."""
    app = getattr(getattr(request, "request", None), "app", None)
    session = getattr(request, "session_hash", None)
    if app is None or not session:
        return None, None
    return app.get_blocks(), session


async def drop_waiting(request: gr.Request | None) -> int:
    """Remove this session's runs still waiting in the queue; their callers' streams end as Gradio's /cancel
    ends them. Returns how many were removed."""
    blocks, session = _served(request)
    if blocks is None:
        return 0
    queue = blocks._queue
    removed = 0
    for event in _waiting(queue, session):
        await queue.remove_from_queue(event._id)
        messages = queue.pending_messages_per_session.get(session)
        if messages is not None:
            messages.put_nowait(ProcessCompletedMessage(output={}, success=True, event_id=event._id))
        removed += 1
    return removed


UNREAD_LIMIT = 4  # frames waiting unread in a session's stream: a reader that keeps up has at most one or two


def unread_frames(request) -> int:
    """How many of this session's messages Gradio holds that its client has not read yet (0 when unknown)."""
    blocks, session = _served(request)
    if blocks is None:
        return 0
    try:
        messages = blocks._queue.pending_messages_per_session.get(session)
        return messages.qsize() if messages is not None else 0
    except Exception:  # noqa: BLE001 - a Gradio without this structure: no abandonment check
        return 0


def stops_waiting(stop):
    """A Stop handler that first removes its session's runs still waiting, then stops the running one (on a
    worker thread: stopping waits for the current forward pass, which must not hold up the server)."""
    import functools

    import anyio

    @functools.wraps(stop)
    async def handler(request: gr.Request = None):
        await drop_waiting(request)
        frame = await anyio.to_thread.run_sync(stop, request)
        prune_session(request)
        return frame

    return handler


def prune_session(request) -> int:
    """Drop the component copies Gradio registered in this session's state under ids the page does not have.

    Every output update (gr.skip() included) makes Gradio build a fresh copy of the component for the session;
    the copy also registers itself under a new id that nothing ever reads or removes: 8 entries a chat run,
    each holding that run's figures or grid (measured: the one-session soak grew ~0.45 MB a run). The page's
    own ids stay. Returns how many entries went.
    """
    blocks, session = _served(request)
    if blocks is None:
        return 0
    try:
        if session not in blocks.state_holder:
            return 0
        state = blocks.state_holder[session]
        stale = [key for key in list(state.blocks_config.blocks) if key not in blocks.blocks]
        for key in stale:
            state.blocks_config.blocks.pop(key, None)
            state.config_values.pop(key, None)
        return len(stale)
    except Exception:  # noqa: BLE001 - another Gradio layout: nothing pruned, nothing broken
        return 0
