"""The token grid for fill-in runs: the user's fixed tokens drawn apart from what a model wrote or overwrote."""

from __future__ import annotations

from html import escape

import numpy as np

from ..characters import CellText
from ..trace import Trace
from .candidates import cell_candidates
from .state import answer_state, quoted_text, split_edge_spaces, stop_label, visible_text

# The plain grid's cell pieces, so both grids read the same; only the fixed cells are drawn here.
from .token_grid import CONTINUES, cell_display_texts, cell_html, header_html, legend_html

# In the page's CSS after GRID_CSS (ui/launch.py), so a fixed cell's look overrides a committed cell's.
GIVEN_CSS = """
.llada-view .cell.given { background: #ffffff; border: 1.5px solid #475569; color: #0f172a; font-weight: 600; }
.llada-view .cell.ahead { background: #ffffff; border: 1.5px dashed #cbd5e1; color: #94a3b8; font-weight: 400; }
.llada-view .cell.overwrote { border: 2px solid #dc2626; box-shadow: inset 0 0 0 2px #fecaca;
  color: #7f1d1d; text-decoration: line-through #dc2626; }
.llada-view .llada-legend .cell.given, .llada-view .llada-legend .cell.ahead,
.llada-view .llada-legend .cell.overwrote { display: inline-block; }
"""


def _text(trace: Trace, token: int, shown: CellText | None = None) -> str:
    if token in trace.stop_ids:
        return escape(stop_label(trace, token))
    if shown is not None and shown.continues:  # the rest of a character drawn whole on an earlier cell
        return f'<span class="ws cont">{CONTINUES}</span>'
    lead, middle, trail = split_edge_spaces(visible_text(shown.text if shown else trace.texts.get(int(token), "")))
    dots = lambda n: f'<span class="ws">{"·" * n}</span>' if n else ""  # noqa: E731
    return dots(lead) + escape(middle) + dots(trail) if (lead or middle or trail) else '<span class="ws">∅</span>'


def _given_cell(trace: Trace, position: int, given: int, token: int, shown: CellText | None = None) -> str:
    yours = quoted_text(trace.texts.get(given, "?"))
    if token == given:
        classes, inner = "cell given", _text(trace, given, shown)
        hover = f"{yours}\nposition {position} · your text (fixed)"
    elif token == trace.mask_id:
        classes, inner = "cell ahead", _text(trace, given, shown)
        hover = f"{yours}\nposition {position} · your text, after the gap: a left-to-right model never sees it"
    else:
        classes, inner = "cell done overwrote", _text(trace, token, shown)
        hover = (f"you wrote {yours}; the model wrote {quoted_text(trace.texts.get(token, '?'))}\n"
                 f"position {position} · your text was overwritten")
    return (f'<div class="{classes}" data-pos="{position}" title="{escape(hover, quote=True)}">{inner}</div>')


def given_legend() -> str:
    return ('<div class="llada-legend">'
            '<span><span class="cell given swatch">ab</span>your fixed text</span>'
            '<span><span class="cell ahead swatch">ab</span>your text the model has not reached</span>'
            '<span><span class="cell overwrote swatch">ab</span>model wrote over your text</span></div>')


def placed_legend() -> str:
    """The legend where the fixed tokens are words placed for a diffusion run (nothing can be ahead or overwritten)."""
    return ('<div class="llada-legend"><span><span class="cell given swatch">ab</span>'
            'your placed words, fixed before the first step</span></div>')


def render_given_grid(trace: Trace, given_ids: np.ndarray, step: int | None = None, color_by: str = "confidence",
                      columns: int = 16, legend: str | None = None) -> str:
    """Like `render_grid`, with the user's fixed tokens (`given_ids` != mask id) drawn as such.

    A fixed position shows "given" when the answer holds the user's token there, "ahead" while
    still masked (an autoregressive model that has not got there), "overwrote" when the model put
    another token in its place. Every text is HTML-escaped. `legend` replaces the fixed cells' legend.
    """
    state = answer_state(trace, step)
    found = cell_candidates(trace, state.step)  # the model's top-5 behind the cells it wrote (hover, click)
    # The token each cell draws (the person's where the model has not written), its text decided over the row.
    drawn = np.where((given_ids != trace.mask_id) & state.masked, given_ids, state.tokens)
    shown = cell_display_texts(trace, drawn, (drawn == trace.mask_id) | np.isin(drawn, trace.stop_ids))
    cells = []
    for position in range(trace.gen_length):
        given, token = int(given_ids[position]), int(state.tokens[position])
        if given != trace.mask_id:
            cells.append(_given_cell(trace, position, given, token, shown[position]))
        else:
            cells.append(cell_html(trace, state, position, color_by, found.get(position), shown[position]))
    columns = max(int(columns), 1)
    focus = ' tabindex="0" aria-label="answer cells: arrows move, Enter shows candidates"' if found else ""
    return (
        f'<div class="llada-view" data-step="{state.step}" data-color-by="{escape(color_by)}">'
        f"{header_html(trace, state)}"
        f'<div class="llada-grid" style="--cols:{columns}"{focus}>{"".join(cells)}</div>'
        f"{legend_html(color_by, state.total_steps, False)}{given_legend() if legend is None else legend}</div>"
    )
