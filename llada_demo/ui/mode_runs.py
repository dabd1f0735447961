"""Shared by the teaching-mode tabs: one background run per browser session and tab, polled into throttled frames."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from ..errors import SettingsError
from ..engine import load_model
from ..models.registry import LoadedModel
from ..modes.race import snapshot
from .notices import end_notice, failure_notice
from .sessions import SessionRuns, frames

VIEWS = 7  # every racing tab draws 7 outputs, then a notice


def failure(error: BaseException) -> str:
    """The message for a failed run: what to change, never a stack trace."""
    return failure_notice(error)


def load(name) -> LoadedModel:
    """load_model, with any loading failure turned into a message (a checkpoint the app cannot use)."""
    try:
        return load_model(name)
    except SettingsError:
        raise
    except Exception as error:  # e.g. a tokenizer without the special tokens the views need
        raise SettingsError(f"Could not use the model {name!r}: {error}") from error


def stream_views(runs: SessionRuns, request, stream, draw, context=None) -> Iterator[tuple]:
    """Run `stream` as this session's job of a tab and yield (views..., notice) frames, then the last one.

    `draw(traces, plots_due, status)` returns the tab's VIEWS outputs for a snapshot of the racing traces.
    """
    skip = gr.skip()
    run = runs.start(request, stream, context=context)
    try:
        for traces, plots, first in frames(run):
            yield (*draw(snapshot(traces), plots, ""), "" if first else skip)
    finally:
        runs.release(run)
    if run.error is not None:
        yield (*(skip,) * VIEWS, failure(run.error))
        return
    if run.latest is None:  # cancelled before the first frame
        yield (*(skip,) * VIEWS, end_notice(run, True))
        return
    traces = snapshot(run.latest)
    stopped = not all(t.finished for t in traces)
    yield (*draw(traces, True, "stopped" if stopped else ""), end_notice(run, stopped))


def stop_views(runs: SessionRuns, request, draw) -> tuple:
    """Stop this session's job after its current forward pass and draw where it stopped (same outputs).

    `draw(traces, context)` returns the tab's VIEWS outputs for a stopped run.
    """
    run, context = runs.stop(request)
    traces = snapshot(run.latest) if run is not None and run.latest is not None else ()
    if not traces or all(t.finished for t in traces):  # nothing was running
        return (*(gr.skip(),) * VIEWS, "")
    return (*draw(traces, context), "⏹ Stopped.")
