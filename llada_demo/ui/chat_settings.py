"""The chat's settings checks, answered at once outside the queue: what a run will do, the nearest settings
that run, and the sliders' ends for a model (its context less the chat template)."""

from __future__ import annotations

import gradio as gr

from ..engine import load_model
from ..errors import SettingsError
from ..models.context import context_limit
from ..models.registry import already_loaded
from ..models.tokenizer import chat_prompt_ids
from ..sampling import nearest_valid
from .controls import app_bounds, clamped_note, controls_of, settings_with_notes
from .notices import error_notice


def join_notices(*notices: str) -> str:
    """Notices as paragraphs, the empty ones left out."""
    return "\n\n".join(n for n in notices if n)


def _count(number, word: str) -> str:
    """'1 block', '2 blocks': the word in the singular for one."""
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _per_step(tokens: float) -> str:
    shown_ = f"{tokens:.2g}"
    return f"about {shown_} token" + ("" if shown_ == "1" else "s")


def settings_summary(settings) -> str:
    """What a run of `settings` will do, in one line (the notice under valid controls)."""
    blocks = f"{_count(settings.num_blocks, 'block')} of {_count(settings.block_length, 'token')}"
    if settings.strategy == "threshold":
        # The threshold strategy commits every guess above τ, so it decides its own number of passes.
        passes = (f"the threshold strategy decides its own number of passes (at most "
                  f"{_count(settings.steps_per_block, 'step')} per block; every guess above τ = "
                  f"{settings.threshold:g} is committed)")
    else:
        passes = (f"{_count(settings.steps_per_block, 'step')} each "
                  f"({_per_step(settings.gen_length / settings.steps)} per step)")
    cached = "" if settings.cache == "none" else (
        f" {settings.cache.capitalize()} cache: one full pass per block, then shorter ones (approximate).")
    return f"✓ {blocks}, {passes}.{cached}"


def answer_bounds(model_name=None, message=None):
    """What the chat offers for an answer: the app's limits and, for a model already loaded, the room that the
    message (or, with none, the chat template alone) leaves in its context.

    A model not yet loaded is not loaded here (these checks answer at once, outside the queue): the app's
    limits apply, and the Send checks the context itself (fit_context).
    """
    loaded = already_loaded(model_name) if isinstance(model_name, str) else None
    if loaded is None:
        return app_bounds()
    limit = context_limit(loaded.model)
    if limit is None:
        return app_bounds()
    text = message.strip() if isinstance(message, str) else ""
    try:
        prompt = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": text or "a"}]).shape[1]
    except SettingsError:
        return app_bounds(limit)
    return app_bounds(limit, prompt, "the message" if text else "the chat template")


def check_settings(gen_length, steps, block_length, strategy, threshold, temperature, cfg_scale, seed,
                   cache="none", message=None, model_name=None) -> str:
    """A message about the current controls: what a run will do, what was moved into range, or what to change."""
    try:
        settings, notes = settings_with_notes(answer_bounds(model_name, message), **controls_of(locals()))
    except SettingsError as error:
        return error_notice(error)
    return join_notices(settings_summary(settings), clamped_note(notes))


def nearest_settings(gen_length, steps, block_length, strategy, threshold, temperature, cfg_scale, seed,
                     cache="none", message=None, model_name=None):
    """The closest (answer length, steps, block length) that run: within the app's limits and, when the model is
    loaded, the room the typed message leaves in its context (the sliders then Send with these)."""
    asked = controls_of(locals())
    s = nearest_valid(asked, answer_bounds(model_name, message))
    return s.gen_length, s.steps, s.block_length, check_settings(
        **dict(asked, gen_length=s.gen_length, steps=s.steps, block_length=s.block_length), message=message,
        model_name=model_name)


def answer_limits(model_name):
    """The answer-length, steps and block-length sliders' ends for a model: its context less the chat template."""
    try:
        load_model(model_name)  # once per process; the bounds read the loaded model's context
    except SettingsError:
        return gr.skip(), gr.skip(), gr.skip()
    bounds = answer_bounds(model_name)
    longest = bounds.longest  # a multiple of 32 (controls.LONGEST_STEP): the slider's end runs
    return (gr.update(maximum=longest), gr.update(maximum=min(bounds.max_steps, longest)),
            gr.update(maximum=longest))
