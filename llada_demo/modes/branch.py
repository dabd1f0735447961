"""Rewind and branch: a run's answer at any step, with a person's edits, continued by the model as a new run."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from ..engine import stream_trace
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..models.tokenizer import neutralize_special_tokens
from ..sampling import SamplingSettings, nearest_valid
from ..trace import Trace

MAX_EDITS_CHARS = 2000
SYNTAX_HELP = ('Write one edit per line (or separate them with ";"): `12 = dog` (a word, placed from cell 12), '
               '`12 = " dog"` (exact text, quotes keep spaces), `12 = #686` (a token id; text after it in quotes is '
               'ignored), `12 = [MASK]` or `12-20 = [MASK]` (masks put back; only [MASK] in brackets does: '
               '`12 = mask` places the word "mask").')
# What puts a mask back: "[MASK]" in brackets (any case) or the grid's mask glyph; a bare word "mask" is a word.
MASK_WORDS = {"[mask]", "░", "░░"}
# "12 = value" or "12-20 = value"; a quoted value may hold ";" and spaces, an unquoted one runs to ";" or newline.
_QUOTED = r'"(?:[^"\\\n]|\\.)*"'
_ENTRY = re.compile(rf'\s*(\d{{1,6}})\s*(?:-\s*(\d{{1,6}})\s*)?[=:]\s*'
                    rf'(#\d{{1,9}}(?:[ \t]+{_QUOTED})?|{_QUOTED}|[^;\n]*)\s*(?:[;\n]|$)')
_ID = re.compile(rf"#(\d{{1,9}})(?:\s+{_QUOTED})?")
_WORD_START = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class EditRequest:
    """One edit as typed: cells `first`..`last` (inclusive; one cell unless masks are put back) get `value`.

    kind: "mask" (put masks back), "id" (a token id), "text" (exact text, from quotes) or "word" (a word:
    a space is put before it when it starts with a letter or digit and is not the answer's first cell).
    """

    first: int
    last: int
    kind: str
    value: str


def parse_edits(text) -> list[EditRequest]:
    """The edits in `text` (see SYNTAX_HELP), or a SettingsError that says what to change. Empty text: no edits."""
    if text is None:
        return []
    if not isinstance(text, str):
        raise SettingsError(f"Edits are text, got {type(text).__name__}. {SYNTAX_HELP}")
    if len(text) > MAX_EDITS_CHARS:
        raise SettingsError(f"The edits are {len(text)} characters long; keep them under {MAX_EDITS_CHARS}.")
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise SettingsError("The edits hold a lone surrogate (half of a character, e.g. \"\\ud800\"): type the "
                            "whole character instead.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone \r (old Mac line ends) separates edits too
    edits, position = [], 0
    while position < len(text):
        if not text[position:].strip(" \t\r\n;"):
            break
        match = _ENTRY.match(text, position)
        if match is None:
            shown = text[position:].strip().splitlines()[0][:40]
            raise SettingsError(f"Cannot read the edit {shown!r}. {SYNTAX_HELP}")
        first, last, value = int(match.group(1)), int(match.group(2) or match.group(1)), match.group(3).strip()
        edits.append(_request(first, last, value))
        position = match.end()
    return edits


def _request(first: int, last: int, value: str) -> EditRequest:
    if last < first:
        raise SettingsError(f"The range {first}-{last} runs backwards: write the first cell first.")
    if value.lower() in MASK_WORDS:
        return EditRequest(first, last, "mask", "")
    if first != last:
        raise SettingsError(f"A range ({first}-{last}) can only have its masks put back: write `{first}-{last} = "
                            "[MASK]`, or give a word from one cell.")
    token = _ID.fullmatch(value)
    if token:  # "#686" or '#686 " dog"' (the text is only there for people to read)
        return EditRequest(first, last, "id", token.group(1))
    if re.match(r"#\d", value):  # "#686 dog": an id with unquoted text after it, not a word to place
        raise SettingsError(f"Cell {first}: `#id` takes a token id alone, or with its text in quotes after it "
                            f"(`{first} = #686 \" dog\"`). To place the text {value!r} itself, write it in quotes.")
    if value.startswith('"'):
        try:
            exact = json.loads(value)
        except ValueError:
            raise SettingsError(f"Cannot read the quoted text {value[:40]!r}. {SYNTAX_HELP}") from None
        if not exact:
            raise SettingsError(f"Cell {first} is given empty text: type a word, or [MASK] to put a mask back.")
        if any("\ud800" <= c <= "\udfff" for c in exact):
            raise SettingsError(f"Cell {first} is given a lone surrogate (half of a character): type the whole "
                                "character instead.")
        return EditRequest(first, last, "text", exact)
    if not value:
        raise SettingsError(f"Cell {first} is given no word: type one, or [MASK] to put a mask back.")
    return EditRequest(first, last, "word", value)


def resolve_edits(requests: list[EditRequest], tokenizer, mask_id: int, gen_length: int,
                  vocab_size: int) -> dict[int, int]:
    """answer position -> token id (the mask id for masks put back); a typed word takes as many cells as it has
    tokens, from its cell on. Later edits win where two touch the same cell."""
    edits: dict[int, int] = {}
    for request in requests:
        if request.last >= gen_length:
            raise SettingsError(f"Cell {request.last} is past the answer's end: cells run from 0 to {gen_length - 1}.")
        if request.kind == "mask":
            ids = [mask_id] * (request.last - request.first + 1)
        elif request.kind == "id":
            token = int(request.value)
            if token >= vocab_size or token == mask_id:
                raise SettingsError(f"Token #{token} is not one the model can be given (ids run below {vocab_size}, "
                                    "[MASK] excluded): pick one of the cell's candidates.")
            ids = [token]
        else:
            text = request.value
            if request.kind == "word" and request.first > 0 and _WORD_START.match(text):
                text = " " + text  # a word between words: the tokenizer's words carry their leading space
            ids = tokenizer(neutralize_special_tokens(text), add_special_tokens=False)["input_ids"]
            if not ids:
                raise SettingsError(f"{request.value!r} gives no tokens: type a word.")
            if request.first + len(ids) > gen_length:
                raise SettingsError(f"{request.value!r} is {len(ids)} tokens: from cell {request.first} it runs past "
                                    f"the answer's end ({gen_length} cells).")
        for offset, token in enumerate(ids):
            edits[request.first + offset] = int(token)
    return edits


def answer_at(trace: Trace, step: int) -> np.ndarray:
    """The answer's ids after the first `step` steps of `trace` (0 = before the first)."""
    return trace.steps[step - 1].tokens if step > 0 else trace.initial_answer()


def check_step(trace: Trace, step) -> int:
    """`step` as a whole number of the trace's steps (0..len(steps)), or a SettingsError."""
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not math.isfinite(step) or step != int(step):
        raise SettingsError(f"The step to branch from is a whole number, got {step!r:.40}.")
    if not 0 <= int(step) <= len(trace.steps):
        raise SettingsError(f"The run has steps 0 to {len(trace.steps)}; got {int(step)}: pick one with the slider.")
    return int(step)


def branch_template(trace: Trace, step: int, edits: dict[int, int]) -> np.ndarray:
    """The branch's starting answer: the parent's answer after `step` steps with the edits written in.

    Its tokens stay fixed in the branch; its masks (those left at that step and those put back) are what the
    model fills.
    """
    template = answer_at(trace, check_step(trace, step)).astype(np.int32, copy=True)
    for position, token in edits.items():
        template[position] = token
    return template


def branch_settings(parent: SamplingSettings, steps=None, strategy=None, temperature=None,
                    seed=None) -> SamplingSettings:
    """The parent's settings with the branch's choices: same answer length and blocks; `steps` forward passes at
    most in all (each block's masks get steps / blocks of them, a block with nothing masked none)."""
    changes = {name: value for name, value in (("steps", steps), ("strategy", strategy),
                                               ("temperature", temperature), ("seed", seed)) if value is not None}
    try:
        return parent.replace(**changes)
    except SettingsError as error:
        if error.suggestion is not None:
            fixed = nearest_valid(dict(parent.to_dict(), **changes, block_length=parent.block_length))
            raise SettingsError(f"{error} The branch keeps the run's {parent.num_blocks} block(s) of "
                                f"{parent.block_length}: try {fixed.steps} steps.") from None
        raise


def describe(trace: Trace) -> str:
    """A short description of a run, for a branch's origin."""
    s = trace.settings
    kind = f"a branch (from its parent's step {trace.origin['step']}) · " if trace.origin else ""
    return (f"{kind}{trace.model_name or 'model'} · {s.gen_length} tokens · {s.steps} steps · block {s.block_length} · "
            f"{s.strategy} · temperature {s.temperature:g}")


@dataclass(frozen=True)
class Branch:
    """A branch about to run: its starting answer, the edits in it, and its origin for the trace."""

    template: np.ndarray
    edits: dict[int, int]
    origin: dict
    mask_id: int

    @property
    def masks(self) -> int:
        """How many cells the model will fill."""
        return int((self.template == self.mask_id).sum())


def plan_branch(loaded: LoadedModel, parent: Trace, step, edits_text, settings: SamplingSettings) -> Branch:
    """Check everything before a branch starts: the parent run, the step, the edits and the settings."""
    if parent.kind != "diffusion":
        raise SettingsError("Only a diffusion run can be branched (an autoregressive one never had masks to fill).")
    if settings.gen_length != parent.gen_length:
        raise SettingsError(f"A branch keeps the run's answer length ({parent.gen_length}), got {settings.gen_length}.")
    step = check_step(parent, step)
    edits = resolve_edits(parse_edits(edits_text), loaded.tokenizer, parent.mask_id, parent.gen_length,
                          int(loaded.model.config.vocab_size))
    template = branch_template(parent, step, edits)
    return Branch(template, edits, {"step": step, "edits": edits, "parent": describe(parent)}, parent.mask_id)


def branch_stream(loaded: LoadedModel, parent: Trace, branch: Branch, settings: SamplingSettings) -> Iterator[Trace]:
    """The branch as a growing trace (through the engine: the model thread, the GPU path), its origin set."""
    ids = torch.from_numpy(parent.prompt_ids.astype(np.int64))[None, :]
    for trace in stream_trace(loaded, ids, settings, answer=torch.from_numpy(branch.template.astype(np.int64))):
        trace.origin = branch.origin
        yield trace
