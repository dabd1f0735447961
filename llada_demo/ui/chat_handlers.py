"""The chat tab's handlers: Send (its run is modes/chat.py's), Stop, replay, clear, model choice; checks: chat_settings."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

import gradio as gr

from ..engine import BackgroundRun, load_model
from ..errors import SettingsError
from ..models.registry import REGISTRY
from ..modes.chat import ChatPlan, chat_stream, plan_chat, reads_earlier_turns
from ..modes.placed_words import ASK_IN_PROMPT, Placement, parse_words, used_summary
from ..prompt import clean_message
from ..trace import Trace
from ..viz.figures import confidence_heatmap, decoding_order_map, step_curves
from ..viz.given_grid import placed_legend, render_given_grid
from ..viz.state import COLOR_MODES, MASK_GLYPH
from ..viz.stats import preview_text, render_stats
from ..viz.token_grid import render_grid
from .chat_settings import answer_bounds, join_notices
from .controls import clamped_note, controls_of, settings_with_notes
from .conversation import STREAMING_PLACEHOLDER, check_history, display_answer, model_messages
from .frames import Outputs, merge_frames
from .kit import COLUMNS
from .notices import end_notice, error_notice, failure_notice
from .queue_policy import prune_session
from .sessions import SessionRuns, paced


def shown(text: str) -> str:
    """Chat text as the Chatbot must receive it: escaped, since it renders HTML (prompts and answers are text)."""
    return html.escape(text, quote=False)


def grid_view(trace: Trace, step: int | None = None, color_by: str = "confidence") -> str:
    """The chat's grid: a run that started from placed words draws their cells as given."""
    if trace.initial is not None and bool((trace.initial != trace.mask_id).any()):
        return render_given_grid(trace, trace.initial, step=step, color_by=color_by, columns=COLUMNS,
                                 legend=placed_legend())
    return render_grid(trace, step=step, color_by=color_by, columns=COLUMNS)


def _figures(trace: Trace):
    return confidence_heatmap(trace), decoding_order_map(trace, columns=COLUMNS), step_curves(trace)


# /chat's outputs (also /stop's), in the order the tab wires them; a frame names only what it changes.
CHAT = Outputs("message", "chatbot", "grid", "stats", "heatmap", "order", "curves", "scrubber", "trace", "notice")
CHAT_OUTPUTS = CHAT.names
chat_frame = CHAT.frame


@dataclass
class ChatTurn:
    """What a Send's last frame needs besides its run: the bubbles so far, the colour mode, start notices.

    Kept per session after the stream ends (see SessionRuns), so Stop, which Gradio may deliver after it
    has cancelled the streaming handler, can still draw the turn's end. `delivered` once a final frame
    has been sent.
    """

    history: list[dict]
    color_by: str
    model_name: str
    notice: str = ""
    delivered: bool = False
    words: tuple[str, ...] = ()  # the words placed in the answer, checked in its text at the end


def empty_answer_note(model_name: str) -> str:
    """Why an answer came back empty, and what the model in use can do."""
    hint = REGISTRY[model_name].hint if model_name in REGISTRY else ""
    return ("ℹ️ The model ended its answer at once (its first token was the end of the answer), so there is no "
            "text." + (f" {hint}" if hint else ""))


def final_frame(run: BackgroundRun, turn: ChatTurn) -> tuple:
    """The last update of a turn, whether it finished, was stopped, ran out of time or failed.

    It leaves the message box alone: the run's first frame emptied it, so whatever is there now was typed while
    the answer was being written (the next question), and ending the turn used to wipe it."""
    history = list(turn.history)
    if run.error is not None:
        note = "⚠️ No answer: the run failed (see the notice)."
        history.append({"role": "assistant", "content": shown(display_answer("", note))})
        return chat_frame(chatbot=history, notice=join_notices(turn.notice, failure_notice(run.error)))
    trace = run.latest
    if trace is None:  # cancelled or out of time before the first step
        note = "⏹ Stopped before the first step: no answer."
        history.append({"role": "assistant", "content": shown(display_answer("", note))})
        return chat_frame(chatbot=history, notice=join_notices(turn.notice, end_notice(run, True)))
    stopped = not trace.finished
    if stopped:
        trace = trace.prefix(len(trace.steps))  # a snapshot: the stream may not be closed yet
        trace.stop_reason = "time budget" if run.timed_out else "stopped"
        text, note = preview_text(trace), f"⏹ {trace.stopped_text().capitalize()}."
        if MASK_GLYPH in text:
            note += f" {MASK_GLYPH} marks positions that were never filled."
    else:
        text = trace.answer_text()
        note = "" if text.strip() else empty_answer_note(turn.model_name)
    history.append({"role": "assistant", "content": shown(display_answer(text, note))})
    # A run with no steps (placed words filled every cell) still gets a valid slider: Gradio refuses min == max.
    scrubber = gr.Slider(minimum=0, maximum=max(len(trace.steps), 1), value=len(trace.steps), step=1,
                         interactive=bool(trace.steps))
    notice = end_notice(run, stopped) or (note if not text.strip() else "")
    if not trace.steps and not stopped:
        notice = join_notices(notice, NOTHING_TO_FILL)
    used = f"**In the answer**: {used_summary(text, turn.words)}" if turn.words else ""
    grid = grid_view(trace, color_by=turn.color_by)
    return chat_frame(chatbot=history, grid=grid,
                      stats=render_stats(trace, "stopped" if stopped else "done"), scrubber=scrubber, trace=trace,
                      notice=join_notices(turn.notice, used, notice))


NOTHING_TO_FILL = ("ℹ️ Your placed words fill every cell of the answer, so the model had nothing to write: the answer "
                   "is your words as given. Make the answer longer, or place fewer words, to let the model write.")


def figures_frame(run: BackgroundRun) -> tuple:
    """The turn's Plotly figures, sent after its last frame: the answer is done before they are drawn."""
    trace = run.latest
    if trace is None or run.error is not None:
        return chat_frame()
    trace = trace.prefix(len(trace.steps))
    return chat_frame(**dict(zip(("heatmap", "order", "curves"), _figures(trace))))


chat_runs = SessionRuns()  # each session's chat run, which its Stop stops (chat_tab: kit.wire_stop)


def start_notice(plan: ChatPlan, notes: list[str]) -> str:
    """What a turn's notice says from its start: values moved into range, turns left out, words placed."""
    return join_notices(clamped_note(notes), plan.fitted.notice(), placed_note(plan.placement) if plan.placement
                        else "")


def placed_note(placement: Placement) -> str:
    return (f"**Placed in the answer** (token positions; the model writes around them): {placement.describe()}."
            + (" The prompt asks for them too." if ASK_IN_PROMPT else "")
            + " To choose the places, type “position:word”.")


def chat(message, history, model_name, gen_length, steps, block_length, strategy, threshold, temperature,
         cfg_scale, seed, cache, color_by, words=None, remember=None, request: gr.Request = None):
    """Send a message: stream the denoising into the grid, stats and chat; end with plots, replay and downloads.

    Everything a person can get wrong (settings, message, words, a conversation too long for the context)
    is answered before the run starts, without adding a turn. Downloads are made on demand (export_*).
    `words` ("dragon, cake, rain", optional) are fixed at spread positions of the answer before it starts.
    `remember`: whether the model reads the earlier turns (None, as from callers that leave it out: the
    model's registry flag, `reads_earlier_turns`).
    """
    try:
        history = check_history(history)
        if not isinstance(color_by, str) or color_by not in COLOR_MODES:
            raise SettingsError(f"Colour mode must be one of {', '.join(COLOR_MODES)}, got {color_by!r}.")
        message = clean_message(message)
        requests = parse_words(words)
        loaded = load_model(model_name)
        settings, notes = settings_with_notes(answer_bounds(model_name, message), **controls_of(locals()))
        earlier = model_messages(history) if reads_earlier_turns(loaded.spec, remember) else []
        plan = plan_chat(loaded, message, earlier, settings, requests)
    except SettingsError as error:
        # The last run's results go: what stays on screen must not look like the answer to these settings.
        yield chat_frame(notice=error_notice(error), grid="", stats=render_stats(None), heatmap=None, order=None,
                         curves=None, scrubber=gr.Slider(value=0, maximum=1), trace=None)
        return

    turn = ChatTurn(history + [{"role": "user", "content": shown(plan.message)}], color_by, loaded.spec.name,
                    notice=start_notice(plan, notes), words=plan.words)
    run = chat_runs.start(request, chat_stream(loaded, plan), context=turn)
    bubbles = turn.history + [{"role": "assistant", "content": STREAMING_PLACEHOLDER}]
    yield chat_frame(message="", chatbot=bubbles, notice=turn.notice)  # clears the last run's notice
    try:
        for trace, due in paced(run, request=request):
            view = trace.prefix(len(trace.steps))  # a stable snapshot while the worker appends
            changes = dict(grid=grid_view(view, color_by=color_by), stats=render_stats(view))
            if due.plots:
                changes.update(zip(("heatmap", "order", "curves"), _figures(view)))
            if due.chat:
                bubbles[-1] = {"role": "assistant", "content": shown(preview_text(view)) or STREAMING_PLACEHOLDER}
                changes["chatbot"] = bubbles
            # The notice is left alone while streaming: a late frame must not wipe "Stopped".
            yield chat_frame(**changes)
    finally:
        SessionRuns.release(run)  # also reached when Gradio cancels this generator (Stop, closed tab)
    final = final_frame(run, turn)
    yield final  # the answer is done: stats, grid, chat, replay (the figures follow)
    turn.delivered = True
    # The last frame holds everything (what an API caller's result is); unchanged outputs cost no bytes.
    yield merge_frames(final, figures_frame(run))
    prune_session(request)


def stopped(run: BackgroundRun | None, turn: ChatTurn | None) -> tuple:
    """The chat's frame at a Stop (kit.wire_stop): the turn's end drawn where its run stopped (/chat's outputs);
    nothing when no turn was running or its end was already sent."""
    if run is None or turn is None or turn.delivered:
        return chat_frame()
    turn.delivered = True
    return merge_frames(final_frame(run, turn), figures_frame(run))


def replay(step, trace: Trace | None, color_by):
    """The grid exactly as it was after `step` steps of the last run (a step past either end draws that end)."""
    if trace is None:
        return gr.skip()
    try:
        step = int(min(max(float(step), 0), len(trace.steps)))
    except (TypeError, ValueError, OverflowError):
        step = len(trace.steps)
    return grid_view(trace, step=step, color_by=_color_mode(color_by))


def _color_mode(color_by) -> str:
    """The grid's colour mode; anything else an API caller sends falls back to confidence."""
    return color_by if isinstance(color_by, str) and color_by in COLOR_MODES else COLOR_MODES[0]


def play(trace: Trace | None, color_by, frames_per_second):
    """Replay the last run from the first step, at the chosen playback speed (1 to 30 frames a second)."""
    if trace is None:
        return
    try:
        fps = min(max(float(frames_per_second), 1.0), 30.0)
    except (TypeError, ValueError, OverflowError):
        fps = 10.0
    delay, color_by = 1.0 / (fps if fps == fps else 10.0), _color_mode(color_by)  # noqa: PLR0124 - NaN test
    for step in range(len(trace.steps) + 1):
        yield step, grid_view(trace, step=step, color_by=color_by)
        time.sleep(delay)


# /clear's outputs, in the order its API has always returned them.
CLEARED = Outputs("chatbot", "message", "stats", "grid", "heatmap", "order", "curves", "scrubber", "trace", "notice",
                  "download")


def clear():
    """Forget the conversation and the last run (this session only)."""
    return CLEARED.frame(message="", chatbot=[], grid="", stats=render_stats(None), heatmap=None, order=None,
                         curves=None, scrubber=gr.Slider(value=0, maximum=1), trace=None, notice="", download=None)


def choose_model(model_name, progress=gr.Progress()):
    """Load a model (once per process), showing progress; on failure the dropdown returns to the default."""
    from ..startup import default_model

    progress(0.1, desc=f"Loading {model_name} (the first time downloads it)…")
    try:
        loaded = load_model(model_name)
    except SettingsError as error:
        fallback = default_model()
        return f"⚠️ {error} Back on **{fallback}**, which still works.", gr.update(value=fallback)
    progress(1.0)
    return f"Model: **{loaded.label}**", gr.skip()
