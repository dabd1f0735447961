"""What the HTML player reads: each step compactly, token texts in their displayed form, JSON safe in <script>."""

from __future__ import annotations

import json

import numpy as np

from ..characters import cell_texts
from ..trace import Trace
from .state import (
    CONFIDENCE_SCALE,
    STEP_SCALE,
    quoted_text,
    split_edge_spaces,
    stop_label,
    total_steps,
    visible_text,
)


def script_json(data) -> str:
    """JSON that is safe inside a <script> element: <, >, & and the JS line separators escaped.

    Those characters can only occur inside JSON strings, where the \\u escapes mean the same,
    so a token text of "</script>" can never end the element early.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, replacement in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                              ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, replacement)
    return text


def _token_table(trace: Trace, ids: set[int]) -> dict[str, list]:
    """id -> [leading spaces, text, trailing spaces, hover text, is-end-token] as the cells draw them."""
    table = {}
    for token in sorted(ids):
        text = trace.texts.get(token, "")
        if token in trace.stop_ids:
            table[str(token)] = [0, stop_label(trace, token), 0, quoted_text(text or "?") + " · end of answer", 1]
        else:
            lead, middle, trail = split_edge_spaces(visible_text(text))
            table[str(token)] = [lead, middle, trail, quoted_text(text or "?"), 0]
    return table


def _step_entry(trace: Trace, index: int, previous: np.ndarray, include_guesses: bool,
                include_candidates: bool = True) -> dict:
    """One step, compactly: committed positions (k) with confidence x1000 (p); the ids the
    answer changed to (v) at k, or at c when other positions changed too (re-masking); the
    best guess (g) and its probability x1000 (q) of each still-masked position, in order;
    the top-k candidates of each position masked before the step, in order, flattened: ids (ti)
    and probabilities x1000 (tp), k per position (the page's popover)."""
    record = trace.steps[index]
    changed = np.flatnonzero(record.tokens != previous)
    entry = {
        "b": int(record.block), "nfe": int(record.nfe), "t": round(float(record.elapsed), 3),
        "k": record.committed.tolist(),
        "p": np.round(np.asarray(record.committed_confidence, dtype=np.float64) * 1000).astype(int).tolist(),
    }
    if np.array_equal(changed, record.committed):
        entry["v"] = record.tokens[record.committed].tolist()
    else:
        entry["c"] = changed.tolist()
        entry["v"] = record.tokens[changed].tolist()
    if include_guesses:
        masked = np.flatnonzero(record.tokens == trace.mask_id)
        entry["g"] = record.predicted[masked].tolist()
        entry["q"] = np.round(record.predicted_confidence[masked].astype(np.float64) * 1000).astype(int).tolist()
    if include_candidates and record.top_ids is not None:
        entry["ti"] = record.top_ids.ravel().tolist()
        entry["tp"] = np.round(record.top_probs.astype(np.float64).ravel() * 1000).astype(int).tolist()
    return entry


def _split_cells(trace: Trace, tokens: np.ndarray) -> dict[str, list]:
    """{position: [text, continues]} for the cells holding part of a character (the grid's cell_texts rule: the
    character whole on its first cell, the cells after marked as its continuation); other cells draw their token."""
    hidden = (tokens == trace.mask_id) | np.isin(tokens, trace.stop_ids)
    shown = cell_texts([None if hidden[i] else trace.token_bytes(int(t)) for i, t in enumerate(tokens)])
    return {str(p): [cell.text, int(cell.continues)] for p, cell in enumerate(shown)
            if not hidden[p] and int(tokens[p]) in trace.raw_bytes}


def replay_data(trace: Trace, columns: int = 16, include_guesses: bool = True, include_candidates: bool = True) -> dict:
    """Everything the HTML player needs, with all text already in its displayed form.

    A run that started partly written (fill-in, a branch) carries its starting answer (initial); a branch its
    origin (the step it left its parent at and the cells the person changed), for the grid's marks.
    """
    previous = trace.initial_answer()
    steps, ids = [], set(trace.stop_ids) | (set() if trace.initial is None else set(previous.tolist()))
    for index, record in enumerate(trace.steps):
        entry = _step_entry(trace, index, previous, include_guesses, include_candidates)
        ids.update(entry["v"])
        ids.update(entry.get("g", ()))
        ids.update(entry.get("ti", ()))
        steps.append(entry)
        previous = record.tokens
    extra = {}
    if trace.raw_bytes:  # characters split over tokens: what those cells show at each step (index 0 = the start)
        extra["shown"] = [_split_cells(trace, trace.tokens_before(k)) for k in range(len(trace.steps) + 1)]
    if trace.initial is not None:
        extra["initial"] = trace.initial.tolist()
    if trace.origin is not None:
        extra["origin"] = {"step": int(trace.origin["step"]),
                           "edits": {str(k): int(v) for k, v in trace.origin["edits"].items()}}
    return {
        "length": trace.gen_length, "columns": columns, "total": total_steps(trace), "mask": trace.mask_id,
        "kind": trace.kind, "blockLength": trace.settings.block_length, "numBlocks": trace.settings.num_blocks,
        "scales": {"confidence": list(CONFIDENCE_SCALE), "step": list(STEP_SCALE)},
        "tokens": _token_table(trace, ids), "steps": steps, **extra,
    }
