"""Event handlers of the chat tab: validate, run in the background, stream frames, replay, export."""

from __future__ import annotations

import html
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr
import torch

from ..deploy.manifest import limits
from ..errors import SettingsError
from ..models.registry import load_model
from ..prompt import clean_message
from ..run import chat_trace
from ..sampling import SamplingSettings
from ..trace import Trace
from ..viz.export import animation_gif, animation_html, trace_to_json_file
from ..viz.figures import confidence_heatmap, decoding_order_map, step_curves
from ..viz.stats import preview_text, render_stats
from ..viz.token_grid import render_grid
from .runner import BackgroundRun

FRAME_INTERVAL = 0.05  # at most 20 frames a second reach the browser
PLOT_INTERVAL = 0.75  # Plotly figures are heavier: redraw a few times a second, and at the end
GRID_COLUMNS = 16

# One running generation per browser session, so Stop cancels only that user's run.
_runs: dict[str, BackgroundRun] = {}
_runs_lock = threading.Lock()


def settings_from_controls(gen_length, steps, block_length, strategy, threshold, temperature, cfg_scale, seed,
                           cache="none"):
    """The one validated settings object, from the UI's raw control values (or an API caller's)."""
    seed = None if seed in (None, "", -1) else seed
    return SamplingSettings.from_dict(dict(
        gen_length=gen_length, steps=steps, block_length=block_length, strategy=strategy,
        threshold=threshold, temperature=temperature, cfg_scale=cfg_scale, seed=seed, cache=cache or "none",
    ))


def error_notice(error: SettingsError) -> str:
    text = f"⚠️ {error}"
    if error.suggestion is not None:
        s = error.suggestion
        text += (f"\n\nNearest valid: answer length **{s.gen_length}**, steps **{s.steps}**, "
                 f"block length **{s.block_length}** (press *Use nearest valid settings*).")
    return text


def failure_notice(error: BaseException) -> str:
    """What a user sees when a run fails: what to change, never a stack trace."""
    if isinstance(error, SettingsError):
        return error_notice(error)
    if isinstance(error, torch.OutOfMemoryError):
        return ("⚠️ The device ran out of memory during this run (memory has been freed). Try a shorter answer, "
                "no CFG, or a smaller model.")
    return f"⚠️ The run failed ({type(error).__name__}). Try again, or a shorter answer or fewer steps."


def end_notice(run: BackgroundRun, stopped: bool) -> str:
    """The notice under a run that ended: empty when it finished, else why it stopped."""
    if run.timed_out:
        return (f"⏱ The run stopped at its time budget of {limits()['run_seconds']} s: try fewer steps, a shorter "
                "answer or fewer settings.")
    return "⏹ Stopped." if stopped else ""


def check_settings(gen_length, steps, block_length, strategy, threshold, temperature, cfg_scale, seed,
                   cache="none") -> str:
    """A message about the current controls: empty when they are valid."""
    try:
        settings = settings_from_controls(gen_length, steps, block_length, strategy, threshold, temperature,
                                          cfg_scale, seed, cache)
    except SettingsError as error:
        return error_notice(error)
    per_step = settings.gen_length / settings.steps
    cached = "" if settings.cache == "none" else (
        f" {settings.cache.capitalize()} cache: one full pass per block, then shorter ones (approximate).")
    return (f"✓ {settings.num_blocks} block(s) of {settings.block_length} tokens, "
            f"{settings.steps_per_block} steps each (about {per_step:.2g} tokens per step).{cached}")


def nearest_settings(gen_length, steps, block_length, strategy, threshold, temperature, cfg_scale, seed,
                     cache="none"):
    """The closest valid (answer length, steps, block length), for the sliders."""
    from ..sampling import nearest_valid

    s = nearest_valid(dict(gen_length=gen_length, steps=steps, block_length=block_length, strategy=strategy,
                           threshold=threshold, temperature=temperature, cfg_scale=cfg_scale, cache=cache))
    return s.gen_length, s.steps, s.block_length, check_settings(
        s.gen_length, s.steps, s.block_length, s.strategy, s.threshold, s.temperature, s.cfg_scale, seed, s.cache)


def shown(text: str) -> str:
    """Chat text as the Chatbot must receive it: escaped, since it renders HTML (prompts and answers are text)."""
    return html.escape(text, quote=False)


def _plain_history(history) -> list[dict]:
    """Chatbot messages (escaped for display) back as {"role", "content"} strings for the chat template."""
    messages = []
    for message in history or []:
        content = message.get("content", "") if isinstance(message, dict) else ""
        if isinstance(content, list):  # Gradio may hand back content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, str) and message.get("role") in ("user", "assistant"):
            messages.append({"role": message["role"], "content": html.unescape(content)})
    return messages


def _figures(trace: Trace):
    return confidence_heatmap(trace), decoding_order_map(trace, columns=GRID_COLUMNS), step_curves(trace)


def chat(message, history, model_name, gen_length, steps, block_length, strategy, threshold, temperature,
         cfg_scale, seed, cache, color_by, request: gr.Request = None):
    """Send a message: stream the denoising into the grid, stats and plots; end with replay and downloads.

    Yields (message box, chatbot, grid, stats, heatmap, order map, curves, scrubber, trace, notice).
    Downloads are made on demand (export_*), so a run never pays for them.
    """
    skip = gr.skip()
    history = list(history or [])
    try:
        settings = settings_from_controls(gen_length, steps, block_length, strategy, threshold, temperature,
                                          cfg_scale, seed, cache)
        message = clean_message(message)
        loaded = load_model(model_name)
        messages = _plain_history(history) + [{"role": "user", "content": message}]
        stream = chat_trace(loaded, messages, settings)  # encodes and checks the prompt length lazily
        run = BackgroundRun(stream, time_limit=limits()["run_seconds"])
    except SettingsError as error:
        yield (skip, skip, skip, skip, skip, skip, skip, skip, skip, error_notice(error))
        return

    yield (skip,) * 9 + ("",)  # clear the last run's notice once, as this run starts
    session = getattr(request, "session_hash", None) or "local"
    with _runs_lock:
        previous = _runs.pop(session, None)
        if previous is not None:
            previous.cancel()
        _runs[session] = run

    history = history + [{"role": "user", "content": shown(message)}, {"role": "assistant", "content": "…"}]
    last_plot = 0.0
    try:
        while not run.wait(FRAME_INTERVAL):
            trace = run.latest
            if trace is None:
                continue
            view = trace.prefix(len(trace.steps))  # a stable snapshot while the worker appends
            history[-1] = {"role": "assistant", "content": shown(preview_text(view)) or "…"}
            now = time.perf_counter()
            plots = (gr.skip(),) * 3
            if now - last_plot >= PLOT_INTERVAL:
                plots, last_plot = _figures(view), now
            grid = render_grid(view, color_by=color_by, columns=GRID_COLUMNS)
            # The notice is left alone while streaming: a late frame must not wipe "Stopped".
            yield ("", history, grid, render_stats(view), *plots, skip, skip, skip)
    finally:
        run.cancel()  # also reached when Gradio cancels this generator (Stop, closed tab)
        with _runs_lock:
            if _runs.get(session) is run:
                del _runs[session]

    if run.error is not None:
        history[-1] = {"role": "assistant", "content": "(no answer: the run failed)"}
        yield ("", history, skip, skip, skip, skip, skip, skip, skip, failure_notice(run.error))
        return
    trace = run.latest
    if trace is None:  # cancelled (or out of time) before the first step
        yield ("", history[:-1], skip, skip, skip, skip, skip, skip, skip, end_notice(run, True))
        return
    stopped = not trace.finished
    if stopped:
        trace = trace.prefix(len(trace.steps))
    history[-1] = {"role": "assistant", "content": shown(trace.answer_text() if not stopped else preview_text(trace))}
    scrubber = gr.Slider(minimum=0, maximum=len(trace.steps), value=len(trace.steps), step=1, interactive=True)
    notice = end_notice(run, stopped)
    yield ("", history, render_grid(trace, color_by=color_by, columns=GRID_COLUMNS),
           render_stats(trace, "stopped" if stopped else "done"), *_figures(trace), scrubber, trace, notice)


def stop(request: gr.Request = None) -> str:
    """Cancel this session's run after its current forward pass."""
    session = getattr(request, "session_hash", None) or "local"
    with _runs_lock:
        run = _runs.pop(session, None)
    if run is None:
        return ""
    run.cancel()
    return "⏹ Stopped."


def replay(step, trace: Trace | None, color_by):
    """The grid exactly as it was after `step` steps of the last run."""
    if trace is None:
        return gr.skip()
    return render_grid(trace, step=int(step), color_by=color_by, columns=GRID_COLUMNS)


def play(trace: Trace | None, color_by, frames_per_second):
    """Replay the last run from the first step, at the chosen playback speed."""
    if trace is None:
        return
    delay = 1.0 / max(float(frames_per_second or 10), 0.5)
    for step in range(len(trace.steps) + 1):
        yield step, render_grid(trace, step=step, color_by=color_by, columns=GRID_COLUMNS)
        time.sleep(delay)


def _export_path(trace: Trace | None, name: str) -> Path:
    if trace is None:
        raise gr.Error("Run something first: there is no trace to export yet.")
    return Path(tempfile.mkdtemp(prefix="llada-export-")) / name


def export_trace(trace: Trace | None) -> str:
    """The whole run as JSON (every step's tokens, commits, guesses and confidences)."""
    path = _export_path(trace, "llada-trace.json")
    trace_to_json_file(trace, path)
    return str(path)


def export_html(trace: Trace | None) -> str:
    """A standalone HTML page replaying the run (no network needed: for slides)."""
    path = _export_path(trace, "llada-animation.html")
    path.write_text(animation_html(trace), encoding="utf-8")
    return str(path)


def export_gif(trace: Trace | None) -> str:
    """An animated GIF of the token grid over the run."""
    path = _export_path(trace, "llada-animation.gif")
    animation_gif(trace, path)
    return str(path)


def clear():
    """Forget the conversation and the last run (this session only)."""
    return [], "", render_stats(None), "", None, None, None, gr.Slider(value=0, maximum=1), None, "", None


def choose_model(model_name, progress=gr.Progress()):
    """Load a model (once per process), showing progress; on failure the dropdown returns to the default."""
    from ..startup import detect

    progress(0.1, desc=f"Loading {model_name} (the first time downloads it)…")
    try:
        loaded = load_model(model_name)
    except SettingsError as error:
        fallback = detect().default_model
        return f"⚠️ {error} Back on **{fallback}**, which still works.", gr.update(value=fallback)
    progress(1.0)
    return f"Model: **{loaded.label}**", gr.skip()
