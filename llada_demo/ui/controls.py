"""Sampling settings from the page's controls or an API caller's values: one place, one seed rule, the app's limits."""

from __future__ import annotations

import numpy as np

from ..config import limits
from ..errors import SettingsError
from ..sampling import STRATEGIES, Bounds, SamplingSettings, clamped, out_of_range

# The chat's settings controls, in the order its endpoints take them (/chat, /check_settings, /nearest_settings).
SETTING_NAMES = ("gen_length", "steps", "block_length", "strategy", "threshold", "temperature", "cfg_scale", "seed",
                 "cache")
LENGTH_STEP = 8  # the answer-length slider's step
# The longest answer offered is a multiple of this (496 → 480 for the embedded model): the slider's end then runs
# with every block length that is a power of two up to 32, the chat's usual ones.
LONGEST_STEP = 32
MAX_TEMPERATURE = 2.0  # the temperature slider's end (the settings themselves allow more, for the API)
MAX_CFG_SCALE = 5.0  # the CFG slider's end


def resolve_seed(seed) -> int:
    """The seed to use: the given one, or a fresh random one for -1 / empty (the run's trace then records it)."""
    if seed is None or (isinstance(seed, str) and seed.strip() in ("", "-1")) or seed == -1:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    try:
        value = float(seed)
    except (TypeError, ValueError):
        raise SettingsError(f"Seed must be a whole number, got {seed!r}.") from None
    if not np.isfinite(value) or value != int(value) or value < 0:
        raise SettingsError(f"Seed must be a whole number of at least 0 (or -1 for random), got {seed!r}.")
    return int(value)


def whole_number(value, label: str, low: int, high: int) -> int:
    """A whole number from a control's raw value (a number or its text), or a SettingsError naming `label`."""
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if isinstance(value, bool) or not np.isfinite(number) or number != int(number) or not low <= number <= high:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
        raise SettingsError(f"{label} must be a whole number from {low} to {high}, got {shown}.")
    return int(number)


def choice(value, label: str, known) -> str:
    """One of `known` (names), or a SettingsError listing them."""
    if not isinstance(value, str) or value not in known:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
        raise SettingsError(f"{label} must be one of {', '.join(known)}, got {shown}.")
    return value


def choices(values, label: str, known) -> list[str]:
    """A list of names from `known` (a checkbox group's value), or a SettingsError."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise SettingsError(f"{label} must be a list of names from {', '.join(known)}.")
    return [choice(v, label, known) for v in values if v]


def app_bounds(context: int | None = None, prompt_tokens: int = 0, prompt: str = "the prompt") -> Bounds:
    """What the page offers: spaces.yaml's limits, the sliders' ends and, when known, the room a prompt leaves.

    `context` is the model's context in tokens and `prompt_tokens` what `prompt` (named so in messages) takes of
    it; the answer gets the rest, rounded down to a multiple of LONGEST_STEP.
    """
    top = limits()
    longest, reason = top["max_gen_length"], "this app's limit"
    if context is not None and context - prompt_tokens < longest:
        longest = max(context - prompt_tokens, 1)
        reason = (f"the model's {context}-token context less {prompt_tokens} tokens for {prompt}" if prompt_tokens
                  else f"the model's {context}-token context")
    advice = f", or shorten {prompt}" if prompt_tokens and prompt == "the message" else ""
    return Bounds(max_gen_length=longest, max_steps=top["max_steps"], length_step=LONGEST_STEP,
                  max_temperature=MAX_TEMPERATURE, max_cfg_scale=MAX_CFG_SCALE, length_reason=reason,
                  length_advice=advice)


def settings_with_notes(bounds: Bounds | None = None, **values) -> tuple[SamplingSettings, list[str]]:
    """The one validated settings object from named control values (any of SETTING_NAMES; the rest default),
    and a note for each value moved into range ("temperature 5 → 2, the most allowed").

    Before the settings' own rules, what the page offers (app_bounds: spaces.yaml's limits, the sliders' ends,
    the room the prompt leaves) is checked, so a value typed past a slider's end gets one message with the
    nearest settings that run. The seed follows resolve_seed.
    """
    unknown = set(values) - set(SETTING_NAMES)
    if unknown:
        raise TypeError(f"not a settings control: {sorted(unknown)}")
    bounds = bounds or app_bounds()
    values = dict(values, seed=resolve_seed(values.get("seed")))
    if "cache" in values:
        values["cache"] = values["cache"] or "none"
    problem = out_of_range(values, bounds)
    if problem is not None:
        raise problem
    values, notes = clamped(values, bounds)
    return SamplingSettings.from_dict(values), notes


def settings_from_controls(bounds: Bounds | None = None, **values) -> SamplingSettings:
    """settings_with_notes without the notes (tabs whose controls cannot go out of range)."""
    return settings_with_notes(bounds, **values)[0]


def clamped_note(notes: list[str]) -> str:
    """The notice line for values moved into range: empty when none were."""
    return f"ℹ️ Changed to run: {'; '.join(notes)}." if notes else ""


def controls_of(arguments: dict) -> dict:
    """The settings controls among a handler's arguments (its `locals()`), by name."""
    return {name: arguments[name] for name in SETTING_NAMES if name in arguments}


# One line under the menu for a strategy whose description's first sentence does not say what it does.
ONE_LINE = {"revising": "Like low_confidence, but may send a doubtful earlier token back to [MASK] to predict it "
                        "again (not in LLaDA's published sampler)."}


def strategy_info(name) -> str:
    """The one line under the strategy menu: what the chosen strategy does (its description's first sentence)."""
    strategy = STRATEGIES.get(name) if isinstance(name, str) else None
    if strategy is None:
        return ""
    return ONE_LINE.get(strategy.name) or strategy.description.split(". ")[0].rstrip(".") + "."
