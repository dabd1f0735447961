"""SamplingSettings: every user-set knob of a run, validated in this one place."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from ..errors import SettingsError
from .cache import CACHE_MODES, GUESS_MODES
from .strategies import STRATEGIES

MAX_GEN_LENGTH = 4096
MAX_STEPS = 1 << 20


def _check_int(name: str, value, low: int, high: int) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value != int(value)):
        raise SettingsError(f"{name} must be a whole number, got {_shown(value)}.")
    value = int(value)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _check_float(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"{name} must be a number, got {_shown(value)}.")
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}.")
    return float(value)


@dataclass(frozen=True)
class SamplingSettings:
    """How to run LLaDA's reverse process.

    gen_length: answer tokens (all start as [MASK]); block_length: the answer is filled in
    blocks of this size, left to right; steps: forward passes in all, split evenly over the
    blocks (the `threshold` strategy stops a block early once it is filled); temperature:
    Gumbel noise on the logits (0 = greedy); cfg_scale: classifier-free guidance (0 = off);
    strategy: which masked positions to commit each step; threshold: tau for `threshold`;
    cache: "none" (exact), "prefix" or "dual" (Fast-dLLM's KV caches, an approximation);
    guesses: where the exact pass runs the output head, "all" answer positions every step (for the
    views) or the current "block" after its first step (same answer, less work).
    """

    gen_length: int
    steps: int
    block_length: int
    temperature: float = 0.0
    cfg_scale: float = 0.0
    strategy: str = "low_confidence"
    threshold: float = 0.9
    seed: int | None = None
    cache: str = "none"
    guesses: str = "all"

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("gen_length", _check_int("Answer length", self.gen_length, 1, MAX_GEN_LENGTH))
        set_("block_length", _check_int("Block length", self.block_length, 1, self.gen_length))
        set_("steps", _check_int("Steps", self.steps, 1, MAX_STEPS))
        set_("temperature", _check_float("Temperature", self.temperature, 0.0, 100.0))
        set_("cfg_scale", _check_float("CFG scale", self.cfg_scale, 0.0, 100.0))
        set_("threshold", _check_float("Threshold tau", self.threshold, 0.0, 1.0))
        if self.seed is not None:
            set_("seed", _check_int("Seed", self.seed, 0, 2**63 - 1))
        for name, label, known in (("strategy", "strategy", STRATEGIES), ("cache", "cache", CACHE_MODES),
                                   ("guesses", "guesses", GUESS_MODES)):
            value = getattr(self, name)
            if not isinstance(value, str) or value not in known:
                raise SettingsError(f"Unknown {label} {_shown(value)}: choose one of {', '.join(known)}.")
        if self.gen_length % self.block_length:
            raise SettingsError(
                f"Block length {self.block_length} must divide the answer length {self.gen_length}.",
                suggestion=nearest_valid(self),
            )
        if self.steps > self.gen_length:
            raise SettingsError(
                f"Steps ({self.steps}) cannot exceed the answer length ({self.gen_length}): "
                "every step must commit at least one token.",
                suggestion=nearest_valid(self),
            )
        if self.steps % self.num_blocks:
            raise SettingsError(
                f"Steps ({self.steps}) must be a multiple of the number of blocks "
                f"({self.gen_length} / {self.block_length} = {self.num_blocks}).",
                suggestion=nearest_valid(self),
            )

    @property
    def num_blocks(self) -> int:
        return self.gen_length // self.block_length

    @property
    def steps_per_block(self) -> int:
        return self.steps // self.num_blocks

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> SamplingSettings:
        """Build from loosely typed input (API, CLI, JSON): numbers given as text are accepted."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise SettingsError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
        cleaned = {}
        for name, value in values.items():
            if isinstance(value, str) and name not in ("strategy", "cache", "guesses"):
                text = value.strip()
                if name == "seed" and text in ("", "none", "None"):
                    value = None
                else:
                    try:
                        value = float(text)
                    except ValueError:
                        raise SettingsError(f"{name} must be a number, got {_shown(value)}.") from None
            if name == "seed" and isinstance(value, float) and value == int(value):
                value = int(value)
            cleaned[name] = value
        try:
            return cls(**cleaned)
        except TypeError as error:  # a missing required field
            raise SettingsError(f"Missing setting: {error}.") from None

    def replace(self, **changes) -> SamplingSettings:
        return replace(self, **changes)


def _shown(value) -> str:
    """A value as a message quotes it: its repr, cut short (an API caller may send anything)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _choice(value, known, default: str) -> str:
    """`value` when it is one of `known` (names), else `default`."""
    return value if isinstance(value, str) and value in known else default


def _nearest_divisor(n: int, target: int, most_blocks: int | None = None) -> int:
    """The divisor of n nearest `target` (the larger on a tie) that leaves at most `most_blocks` blocks."""
    divisors = [d for d in range(1, n + 1) if n % d == 0 and (most_blocks is None or n // d <= most_blocks)]
    return min(divisors, key=lambda d: (abs(d - target), -d))


@dataclass(frozen=True)
class Bounds:
    """What a caller offers on top of the settings' own rules: its controls' ranges and the room a prompt leaves.

    max_gen_length: the longest answer allowed (an app's limit, or the model's context less the prompt, whichever
    is smaller); `length_reason` says which, for messages. length_step: answer lengths offered are multiples of
    it (the page's slider step). The float maxima are the controls' ends: values beyond them are clamped, with
    a note (clamped()).
    """

    max_gen_length: int = MAX_GEN_LENGTH
    max_steps: int = MAX_STEPS
    length_step: int = 1
    max_temperature: float = 100.0
    max_cfg_scale: float = 100.0
    length_reason: str = ""
    length_advice: str = ""  # what else to change when the answer is too long (e.g. "or shorten the message")

    @property
    def longest(self) -> int:
        """The longest answer allowed that is a multiple of length_step (at least one step)."""
        step = max(self.length_step, 1)
        return max(self.max_gen_length // step * step, min(step, self.max_gen_length), 1)


def _number(values: dict, name: str, default: float) -> float:
    try:
        value = float(values.get(name, default))
        return value if math.isfinite(value) else default
    except (TypeError, ValueError, OverflowError):
        return default


def _shown_number(value: float) -> str:
    return f"{value:g}"


# The continuous knobs clamped into their range (with a note) rather than refused: (name, label, low, bound field).
_CLAMPED = (("temperature", "temperature", 0.0, "max_temperature"), ("cfg_scale", "CFG scale", 0.0, "max_cfg_scale"),
            ("threshold", "threshold τ", 0.0, None))


def clamped(values: dict, bounds: Bounds | None = None) -> tuple[dict, list[str]]:
    """`values` with temperature, CFG scale and τ moved into range, and one note per value moved.

    A note reads "temperature 5 → 2, the most allowed". Values that are not numbers are left for the
    settings' own check to refuse by name.
    """
    bounds = bounds or Bounds()
    values, notes = dict(values), []
    for name, label, low, high_field in _CLAMPED:
        high = getattr(bounds, high_field) if high_field else 1.0
        raw = values.get(name)
        if raw is None or isinstance(raw, bool):
            continue
        try:
            number = float(raw)
        except (TypeError, ValueError, OverflowError):
            continue
        if not math.isfinite(number):
            continue
        if number > high:
            values[name] = high
            notes.append(f"{label} {_shown_number(number)} → {_shown_number(high)}, the most allowed")
        elif number < low:
            values[name] = low
            notes.append(f"{label} {_shown_number(number)} → {_shown_number(low)}, the least allowed")
    return values, notes


def out_of_range(values: dict, bounds: Bounds | None = None) -> SettingsError | None:
    """The one message for the first of answer length, steps and block length that is outside what `bounds` allow.

    Carries the nearest valid settings within `bounds` as its suggestion; None when all three are in range
    (the settings' own rules, such as a block length that must divide the answer, are checked after).
    """
    bounds = bounds or Bounds()
    longest = bounds.longest
    gen_length = _number(values, "gen_length", float("nan"))
    reason = f" ({bounds.length_reason})" if bounds.length_reason else ""
    checks = (("gen_length", "Answer length", 1, longest, reason),
              ("steps", "Steps", 1, bounds.max_steps, ""),
              ("block_length", "Block length", 1, int(gen_length) if math.isfinite(gen_length) and gen_length >= 1
               else longest, " (the answer length)"))
    for name, label, low, high, why in checks:
        number = _number(values, name, float("nan"))
        if not math.isfinite(number):
            continue
        if number > high:
            advice = f": choose {high} or less{bounds.length_advice}" if name == "gen_length" else ""
            problem = f"{label} {_shown_number(number)} is above the most allowed here, {high}{why}{advice}."
        elif number < low:
            problem = f"{label} {_shown_number(number)} is below the least allowed, {low}."
        else:
            continue
        return SettingsError(problem, suggestion=nearest_valid(values, bounds))
    return None


def nearest_valid(settings_or_values, bounds: Bounds | None = None, **overrides) -> SamplingSettings:
    """The valid settings closest to what was asked, within `bounds` (for the UI to offer after an error).

    Keeps the answer length (clamped to what `bounds` allow; at that end, shortened to a multiple of the block
    length asked for), moves the block
    length to the nearest divisor of it (one that leaves no more blocks than steps allowed), then the steps
    to the nearest multiple of the block count that is not above the answer length or the most steps.
    Other fields are clamped into range.
    """
    bounds = bounds or Bounds()
    if isinstance(settings_or_values, SamplingSettings):
        values = {f.name: getattr(settings_or_values, f.name) for f in fields(SamplingSettings)}
    else:
        values = dict(settings_or_values)
    values.update(overrides)
    values, _ = clamped(values, bounds)

    def number(name, default):
        return _number(values, name, default)

    # An answer length in range stays as asked; one past the end becomes the longest allowed (a multiple of the
    # slider's step, so the slider can show it).
    asked_length = round(number("gen_length", 128))
    gen_length = int(min(max(asked_length, 1), bounds.longest))
    asked_block = round(number("block_length", gen_length))
    if asked_length >= bounds.longest and 1 <= asked_block <= gen_length and gen_length % asked_block:
        # At (or past) the longest answer allowed, the block length asked for is kept and the answer shortened to
        # a multiple of it: 496 with blocks of 32 becomes 480, not 16 blocks of 31.
        gen_length = gen_length // asked_block * asked_block
    most_steps = max(min(gen_length, bounds.max_steps), 1)
    block_length = _nearest_divisor(gen_length, asked_block, most_steps)
    num_blocks = gen_length // block_length
    wanted = round(number("steps", gen_length))
    steps = min(max(round(wanted / num_blocks) * num_blocks, num_blocks), most_steps // num_blocks * num_blocks)
    strategy, cache, guesses = (_choice(values.get(name), known, default) for name, known, default in (
        ("strategy", STRATEGIES, "low_confidence"), ("cache", CACHE_MODES, "none"), ("guesses", GUESS_MODES, "all")))
    seed = values.get("seed")
    try:
        seed = None if seed in (None, "") else int(min(max(float(seed), 0), 2**63 - 1))
    except (TypeError, ValueError, OverflowError):
        seed = None
    return SamplingSettings(
        gen_length=gen_length,
        steps=steps,
        block_length=block_length,
        temperature=min(max(number("temperature", 0.0), 0.0), 100.0),
        cfg_scale=min(max(number("cfg_scale", 0.0), 0.0), 100.0),
        strategy=strategy,
        threshold=min(max(number("threshold", 0.9), 0.0), 1.0),
        seed=seed,
        cache=cache,
        guesses=guesses,
    )
