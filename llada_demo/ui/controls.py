"""Sampling settings from the page's controls or an API caller's values: one place, one seed rule, the app's limits."""

from __future__ import annotations

import numpy as np

from ..config import limits
from ..errors import SettingsError
from ..sampling import SamplingSettings, nearest_valid

# The chat's settings controls, in the order its endpoints take them (/chat, /check_settings, /nearest_settings).
SETTING_NAMES = ("gen_length", "steps", "block_length", "strategy", "threshold", "temperature", "cfg_scale", "seed",
                 "cache")


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


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def settings_from_controls(**values) -> SamplingSettings:
    """The one validated settings object from named control values (any of SETTING_NAMES; the rest default).

    On top of the settings' own rules, the app's limits (spaces.yaml) are checked first, so a value typed
    past a slider's end gets a message with the nearest settings within them. The seed follows resolve_seed.
    """
    unknown = set(values) - set(SETTING_NAMES)
    if unknown:
        raise TypeError(f"not a settings control: {sorted(unknown)}")
    values = dict(values, seed=resolve_seed(values.get("seed")))
    if "cache" in values:
        values["cache"] = values["cache"] or "none"
    top = limits()
    for name, label, most in (("gen_length", "Answer length", top["max_gen_length"]),
                              ("steps", "Steps", top["max_steps"])):
        number = _number(values.get(name))
        if number is not None and number > most:
            clamped = {key: most if _number(values.get(key)) is None else min(_number(values.get(key)), most)
                       for key in ("gen_length", "steps")}
            raise SettingsError(f"{label} {number:g} is above this app's limit of {most}: choose {most} or less.",
                                suggestion=nearest_valid(values, **clamped))
    return SamplingSettings.from_dict(values)


def controls_of(arguments: dict) -> dict:
    """The settings controls among a handler's arguments (its `locals()`), by name."""
    return {name: arguments[name] for name in SETTING_NAMES if name in arguments}
