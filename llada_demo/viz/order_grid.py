"""The decoding-order map as a light HTML grid (the step that wrote each position), cheap to redraw every frame."""

from __future__ import annotations

from html import escape

import numpy as np

from ..scoring.order import written_past_a_gap
from ..trace import Trace
from .state import quoted_text, scale_color, step_fraction, stop_label, total_steps

# Plotly's Plasma (as decoding_order_map in figures.py uses), so both order maps read alike.
PLASMA = ("#0d0887", "#6a00a8", "#b12a90", "#e16462", "#fca636", "#f0f921")
# Plain HTML, redrawn with every grid frame of the race (a Plotly figure would re-lay itself out each time).
# Its columns are as wide as the token grid's (token_grid.GRID_CSS), so a position sits under its cell.
ORDER_CSS = """
.llada-order { font: 12px/1.2 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #111827;
  background: #ffffff; border: 1px solid #e5e7eb; border-radius: 12px; padding: 8px 12px; width: fit-content;
  max-width: 100%; box-sizing: border-box; }
.llada-order .order-title { font: 600 12px ui-sans-serif, system-ui, sans-serif; margin: 0 0 6px; color: #374151; }
.llada-order .order-grid { display: grid; grid-template-columns: repeat(var(--cols), minmax(2.4em, 4.6em));
  grid-auto-rows: 1.5em; gap: 3px; }
.llada-order .o { border-radius: 4px; text-align: center; line-height: 1.5em; position: relative; cursor: default; }
.llada-order .o.masked { background: #e5e7eb; color: #9ca3af; }
.llada-order .o.gap::after { content: ""; position: absolute; top: 3px; right: 3px; width: 6px; height: 6px;
  border-radius: 50%; background: #ffffff; box-shadow: 0 0 0 1px #111827; }
.llada-order .order-legend { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; margin-top: 6px;
  color: #4b5563; font: 11px ui-sans-serif, system-ui, sans-serif; }
.llada-order .bar { display: inline-block; width: 90px; height: 9px; border-radius: 5px; vertical-align: middle;
  margin: 0 4px; }
.llada-order .dot { display: inline-block; width: 7px; height: 7px; border-radius: 50%; background: #ffffff;
  box-shadow: 0 0 0 1px #111827; margin-right: 4px; vertical-align: middle; }
"""


def _token(trace: Trace, token: int) -> str:
    return stop_label(trace, token) if token in trace.stop_ids else quoted_text(trace.texts.get(token, "?"))


def render_order_map(trace: Trace, columns: int = 16, title: str = "Decoding order") -> str:
    """HTML: one small cell per answer position, laid out like the token grid, coloured (and numbered) by the
    step that committed it, grey while masked; a dot marks a token written while a position to its left was
    still masked (scoring.order). Hovers (`title` attributes) give the token; all text is escaped."""
    columns = max(int(columns), 1)
    commit = trace.commit_steps()
    tokens = trace.answer_ids
    past_gap = written_past_a_gap(trace)
    total = max(total_steps(trace), 1)
    cells = []
    for position in range(trace.gen_length):
        step = int(commit[position]) + 1
        if tokens[position] == trace.mask_id or step <= 0:
            given = tokens[position] != trace.mask_id
            hover = f"position {position} · {'given' if given else 'still masked'}"
            cells.append(f'<div class="o masked" title="{escape(hover, quote=True)}">{"·" if given else "░"}</div>')
            continue
        fraction = step_fraction(step, total)
        ink = "#ffffff" if fraction < 0.55 else "#111827"
        hover = f"{_token(trace, int(tokens[position]))}\nposition {position} · committed at step {step}"
        if past_gap[position]:
            hover += "\nwritten while a position to its left was still masked"
        cells.append(f'<div class="o{" gap" if past_gap[position] else ""}" '
                     f'style="background:{scale_color(PLASMA, fraction)};color:{ink}" '
                     f'title="{escape(hover, quote=True)}">{step}</div>')
    bar = f"linear-gradient(90deg, {', '.join(PLASMA)})"
    written = int(np.sum(past_gap))
    return (f'<div class="llada-order" data-steps="{len(trace.steps)}">'
            f'<div class="order-title">{escape(title)}: the step that wrote each position</div>'
            f'<div class="order-grid" style="--cols:{columns}">{"".join(cells)}</div>'
            f'<div class="order-legend"><span>step 1<span class="bar" style="background:{bar}"></span>{total}</span>'
            f'<span><span class="dot"></span>written past a gap ({written})</span></div></div>')
