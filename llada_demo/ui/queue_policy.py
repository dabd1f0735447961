"""The app's queue rules on top of Gradio's: a few places in the queue per session, and Stop reaching its own tab's
runs still waiting.

Gradio's queue is one line for everyone (spaces.yaml `queue_size` places): one session joining 32 times
filled it, and then every other user's runs were refused. Here a session holds at most QUEUE_PLACES waiting
events of any kind (model runs, replays, exports, model loads: everything that queues), of which at most
PER_SESSION are model runs; the next is refused with a message saying so, which reaches gradio_client callers
as a ValidationError (Gradio passes a validator's message through; "queue full" would reach them only as
"Queue is full! Please try again."). A Stop removes the waiting runs of its own tab only (the events its
`cancels=` names), which Gradio's `cancels=` leaves to run later. The cheap endpoints (stop, settings checks,
replay, candidates) are wired with `queue=False`, so they never wait behind runs at all.
These rules use Gradio 6's queue internals (requirements.txt pins the version); tests/test_queue_policy.py and
tests/test_fair_queue.py check them against the real server.
"""

from __future__ import annotations

import gradio as gr
from gradio.server_messages import ProcessCompletedMessage

PER_SESSION = 2  # model runs one session may have waiting (besides the one running)
QUEUE_PLACES = 4  # places in the queue one session may hold, all its queued events together
SAMPLER = "sampler"  # the concurrency id of every event that runs a model for a person
TOO_MANY = (f"You already have {PER_SESSION} runs waiting: wait for them to start, or press Stop, before sending "
            "another.")
TOO_MANY_EVENTS = (f"You already have {QUEUE_PLACES} requests waiting in the queue: wait for them to be served "
                   "before sending more.")


def _waiting(queue, session: str, fn_ids=None) -> list:
    """This session's events waiting in the queue (not started yet); only those of the functions `fn_ids` if given."""
    return [event for line in queue.event_queue_per_concurrency_id.values() for event in line.queue
            if event.session_hash == session and (fn_ids is None or _fn_id(event.fn) in fn_ids)]


def _fn_id(fn) -> int | None:
    return getattr(fn, "_id", None)


def refusal(message: str) -> tuple[bool, list[dict], str]:
    """A refused join as Gradio's queue answers a failed validation: status 422 whose message gradio_client
    raises as a ValidationError, so the app's own words reach an API caller."""
    return False, [{"__type__": "validate", "is_valid": False, "message": message, "parameter_name": "queue"}], \
        "validator_error"


def install(demo: gr.Blocks) -> gr.Blocks:
    """Put the per-session limits in front of the queue (after `demo.queue(...)`)."""
    queue = demo._queue
    push = queue.push

    async def limited_push(body, request, username):
        session = getattr(body, "session_hash", None)
        if session:
            from gradio import route_utils

            try:
                fn = route_utils.get_fn(demo, None, body)
            except Exception:  # noqa: BLE001 - let Gradio answer a malformed request its own way
                fn = None
            if fn is not None and fn.queue is not False:
                waiting = _waiting(queue, session)
                if len(waiting) >= QUEUE_PLACES:
                    return refusal(TOO_MANY_EVENTS)
                if fn.concurrency_id == SAMPLER and sum(e.concurrency_id == SAMPLER for e in waiting) >= PER_SESSION:
                    return refusal(TOO_MANY)
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


async def drop_waiting(request: gr.Request | None, fn_ids) -> int:
    """Remove this session's events of the functions `fn_ids` still waiting in the queue; their callers' streams
    end as Gradio's /cancel ends them. Returns how many were removed."""
    blocks, session = _served(request)
    if blocks is None or not fn_ids:
        return 0
    queue = blocks._queue
    removed = 0
    for event in _waiting(queue, session, fn_ids):
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


def stops_waiting(stop, cancels):
    """A Stop handler that first removes its session's runs still waiting in its own tab (the events `cancels`,
    which its `cancels=` names too), then stops the running one (on a worker thread: stopping waits for the
    current forward pass, which must not hold up the server)."""
    import functools

    import anyio

    @functools.wraps(stop)
    async def handler(request: gr.Request = None):
        await drop_waiting(request, handler.stops_runs)
        frame = await anyio.to_thread.run_sync(stop, request)
        prune_session(request)
        return frame

    # The events' function ids in this Blocks, as the queue's waiting events name them (event.fn._id).
    handler.stops_runs = {event["id"] for event in cancels}
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
