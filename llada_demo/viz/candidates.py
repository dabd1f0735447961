"""The model's top-k candidates behind every cell of a grid at one step, found in one pass over the trace."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from ..trace import Trace
from .state import resolve_step, visible_text

# The page script that shows a cell's candidates (package data: the app adds it to its page, the HTML replay
# inlines it) and the popover's styles; the popover hangs off <body>, so its styles are not under .llada-view.
CANDIDATES_JS = files(__package__).joinpath("candidates.js").read_text(encoding="utf-8")
CANDIDATES_CSS = """
.llada-pop { position: absolute; z-index: 1000; min-width: 15em; max-width: 24em; padding: 8px 10px;
  background: #ffffff; color: #111827; border: 1px solid #d1d5db; border-radius: 10px;
  box-shadow: 0 8px 24px rgba(17, 24, 39, 0.18); font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas,
  "DejaVu Sans Mono", monospace; }
.llada-pop-head { display: flex; justify-content: space-between; gap: 8px; margin-bottom: 6px; color: #374151; }
.llada-pop-row { display: flex; align-items: center; gap: 6px; margin: 3px 0; }
.llada-pop-text { flex: 0 0 8.5em; overflow: hidden; text-overflow: ellipsis; white-space: pre; }
.llada-pop-bar { flex: 1 1 5em; height: 9px; border-radius: 5px; background: #e5e7eb; overflow: hidden; }
.llada-pop-bar > span { display: block; height: 100%; background: #6366f1; }
.llada-pop-p { flex: 0 0 3.8em; text-align: right; color: #374151; }
.llada-pop button { font: inherit; border: 1px solid #c7d2fe; background: #eef2ff; color: #3730a3;
  border-radius: 6px; padding: 0 6px; cursor: pointer; }
.llada-pop button:focus-visible { outline: 2px solid #2563eb; }
.llada-pop .llada-pop-mask { margin-top: 6px; }
"""


@dataclass(frozen=True)
class CellCandidates:
    """What the model was choosing between at one cell: `source` is the record (0-based) the candidates
    come from (the latest pass while masked, the committing pass once committed); ids/probs best first."""

    source: int
    masked: bool
    ids: np.ndarray
    probs: np.ndarray


def cell_candidates(trace: Trace, step: int | None = None) -> dict[int, CellCandidates]:
    """position -> its candidates, for every cell that has some after `step` steps (render_grid's convention).

    The same answer as `Trace.candidates` for each cell, computed for the whole grid at once: each source
    record's masked-before positions are found once, not once per cell (a frame is drawn many times a second).
    Cells without candidates (before the first pass, given tokens, autoregressive or old traces) are left out.
    """
    count = resolve_step(trace, step)
    if count == 0:
        return {}
    tokens = trace.steps[count - 1].tokens
    masked = tokens == trace.mask_id
    source = np.full(trace.gen_length, -1, dtype=np.int64)
    for index in range(count):  # in order: a token committed again after a revision takes its latest pass
        source[trace.steps[index].committed] = index
    source[masked] = count - 1
    result = {}
    for index in np.unique(source[source >= 0]).tolist():
        record = trace.steps[index]
        if record.top_ids is None:
            continue
        before = np.flatnonzero(trace.tokens_before(index) == trace.mask_id)  # the record's rows, in order
        positions = np.flatnonzero(source == index)
        rows = np.minimum(np.searchsorted(before, positions), max(len(before) - 1, 0))
        for position, row in zip(positions.tolist(), rows.tolist()):
            if len(before) and before[row] == position:
                result[position] = CellCandidates(index, bool(masked[position]), record.top_ids[row],
                                                  record.top_probs[row])
    return result


def candidates_attr(trace: Trace, found: CellCandidates) -> str:
    """A cell's candidates as compact JSON for a data attribute: [source step (1-based), masked (0/1),
    [visible text, probability x1000], ...]; texts with whitespace made visible, as the cells show them."""
    pairs = [[visible_text(trace.texts.get(int(i), "?")), int(round(float(p) * 1000))]
             for i, p in zip(found.ids.tolist(), found.probs.astype(np.float32).tolist())]
    return json.dumps([found.source + 1, int(found.masked), *pairs], ensure_ascii=False, separators=(",", ":"))
