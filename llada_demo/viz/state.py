"""What every view needs at one moment of a run: the answer's state after k steps, colours, visible text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sampling.strategies import STRATEGIES
from ..trace import Trace

MASK_GLYPH = "░"

# Light colour scales (dark text stays readable on every stop): low -> high.
CONFIDENCE_SCALE = ("#fecaca", "#fde68a", "#a7f3d0")  # red-200, amber-200, emerald-200
STEP_SCALE = ("#bfdbfe", "#ddd6fe", "#fbcfe8")  # blue-200 (early), violet-200, pink-200 (late)
COLOR_MODES = ("confidence", "step")

# Control characters drawn as the Unicode "control pictures" so a cell never shows nothing.
_WHITESPACE_GLYPHS = {"\n": "↵", "\r": "␍", "\t": "⇥"}


@dataclass(frozen=True)
class AnswerState:
    """The answer as it stood after the first `step` steps of a trace (step 0 = all masked).

    Steps count from 1 for people: the record with `StepRecord.step == r` is step r + 1, so
    `commit_step` is 1-based (0 = not committed yet). `guess` / `guess_confidence` are the
    model's best token and its probability at every position from the latest forward pass
    (None before the first one). `block_range` is the [lo, hi) span of the block being
    filled, or None when the answer is a single block. `remasks` / `revisions` count, per position, the
    times a revising strategy returned it to [MASK] and the times the token committed again differed.
    """

    step: int
    total_steps: int
    tokens: np.ndarray
    masked: np.ndarray
    new: np.ndarray
    stop: np.ndarray
    commit_step: np.ndarray
    commit_confidence: np.ndarray
    guess: np.ndarray | None
    guess_confidence: np.ndarray | None
    block_range: tuple[int, int] | None
    nfe: int
    elapsed: float
    remasks: np.ndarray | None = None
    revisions: np.ndarray | None = None

    @property
    def masks_left(self) -> int:
        return int(self.masked.sum())


def total_steps(trace: Trace) -> int:
    """Steps in the whole run: what was recorded once finished, else what the settings plan."""
    if trace.finished:
        return len(trace.steps)
    return max(trace.settings.steps, len(trace.steps))


def resolve_step(trace: Trace, step: int | None) -> int:
    """Turn a view's `step` argument into a count of steps done, 0..len(trace.steps).

    None is the last recorded step; negative counts from the end like a Python index over
    the len(steps) + 1 states (-1 = last); values past either end are clamped so a slider
    that runs ahead of a streaming trace never fails.
    """
    count = len(trace.steps)
    if step is None:
        return count
    step = int(step)
    if step < 0:
        step += count + 1
    return min(max(step, 0), count)


def revises(trace: Trace) -> bool:
    """Whether the run's strategy may return committed tokens to [MASK] (LLaDA's own sampler never does)."""
    strategy = STRATEGIES.get(trace.settings.strategy)
    return strategy is not None and strategy.remask_budget > 0


def revision_counts(trace: Trace, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per answer position, after `step` steps (see `resolve_step`): how often a revising strategy returned it
    to [MASK], and how often the token committed there again differed from the one taken back (a revision;
    the same token is a confirmation). Both int32, zero for runs that never remask."""
    step = resolve_step(trace, step)
    remasks = np.zeros(trace.gen_length, dtype=np.int32)
    revisions = np.zeros(trace.gen_length, dtype=np.int32)
    taken_back: dict[int, int] = {}  # position -> the token it held when returned to [MASK]
    before = trace.initial_answer()
    for record in trace.steps[:step]:
        for position in record.committed.tolist():
            if position in taken_back and int(record.tokens[position]) != taken_back.pop(position):
                revisions[position] += 1
            taken_back.pop(position, None)
        for position in record.remasked.tolist():  # a step commits first, then returns drafts
            taken_back[position] = int(before[position])
            remasks[position] += 1
        before = record.tokens
    return remasks, revisions


def _block_range(trace: Trace, step: int) -> tuple[int, int] | None:
    if trace.settings.num_blocks <= 1 or not trace.steps:
        return None
    record = trace.steps[step - 1] if step > 0 else trace.steps[0]
    length = trace.settings.block_length
    return record.block * length, min((record.block + 1) * length, trace.gen_length)


def answer_state(trace: Trace, step: int | None = None) -> AnswerState:
    """The answer after `step` steps (see `resolve_step`), with what each cell needs to draw."""
    step = resolve_step(trace, step)
    length = trace.gen_length
    commit_step = np.zeros(length, dtype=np.int32)
    commit_confidence = np.full(length, np.nan, dtype=np.float32)
    for record in trace.steps[:step]:
        commit_step[record.committed] = record.step + 1
        commit_confidence[record.committed] = record.committed_confidence
    new = np.zeros(length, dtype=bool)
    if step > 0:
        latest = trace.steps[step - 1]
        tokens = latest.tokens
        new[latest.committed] = True
        guess, guess_confidence = latest.predicted, latest.predicted_confidence
        nfe, elapsed = latest.nfe, latest.elapsed
    else:
        tokens = trace.initial_answer()
        guess = guess_confidence = None
        nfe, elapsed = 0, 0.0
    masked = tokens == trace.mask_id
    remasks, revisions = revision_counts(trace, step)
    return AnswerState(
        step=step, total_steps=total_steps(trace), tokens=tokens, masked=masked, new=new & ~masked,
        stop=np.isin(tokens, trace.stop_ids) & ~masked, commit_step=commit_step,
        commit_confidence=commit_confidence, guess=guess, guess_confidence=guess_confidence,
        block_range=_block_range(trace, step), nfe=nfe, elapsed=elapsed, remasks=remasks, revisions=revisions,
    )


def stop_label(trace: Trace, token_id: int) -> str:
    """How an end token is shown: "⏎EOT" for the end-of-turn token, "⏎EOS" for the others."""
    return "⏎EOT" if "eot" in trace.texts.get(int(token_id), "").lower() else "⏎EOS"


def visible_text(text: str) -> str:
    """A token's text with whitespace made visible: newline ↵, tab ⇥, other controls as pictures."""
    out = []
    for char in text:
        if char in _WHITESPACE_GLYPHS:
            out.append(_WHITESPACE_GLYPHS[char])
        elif ord(char) < 0x20:
            out.append(chr(0x2400 + ord(char)))
        else:
            out.append(char)
    return "".join(out)


def quoted_text(text: str) -> str:
    """A token's text for hovers: every space shown as ␣ so "the" and " the" differ, in quotes."""
    return "“" + visible_text(text).replace(" ", "␣") + "”"


def split_edge_spaces(text: str) -> tuple[int, str, int]:
    """(leading spaces, middle, trailing spaces): edge spaces are drawn as faint dots in cells."""
    stripped = text.strip(" ")
    if not stripped:
        return len(text), "", 0
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" "))
    return lead, stripped, trail


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def scale_color(scale: tuple[str, ...], value: float) -> str:
    """Linear interpolation through `scale` at value in [0, 1] (clamped; NaN gives the low end)."""
    if not np.isfinite(value):
        value = 0.0
    value = min(max(float(value), 0.0), 1.0) * (len(scale) - 1)
    index = min(int(value), len(scale) - 2)
    fraction = value - index
    low, high = _hex_to_rgb(scale[index]), _hex_to_rgb(scale[index + 1])
    mixed = (round(a + (b - a) * fraction) for a, b in zip(low, high))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def step_fraction(commit_step: int, total: int) -> float:
    """Where a 1-based commit step sits in the run, 0 (first step) to 1 (last)."""
    return 0.0 if total <= 1 else (commit_step - 1) / (total - 1)


def cell_color(color_by: str, confidence: float, commit_step: int, total: int) -> str:
    """Background of a committed cell: by its confidence at commit, or by when it was committed."""
    if color_by == "confidence":
        return scale_color(CONFIDENCE_SCALE, confidence)
    if color_by == "step":
        return scale_color(STEP_SCALE, step_fraction(commit_step, total))
    raise ValueError(f"color_by must be one of {', '.join(COLOR_MODES)}, got {color_by!r}.")
