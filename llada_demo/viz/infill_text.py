"""The fill-in result as running text: the user's words plain, the model's highlighted, overwritten ones marked."""

from __future__ import annotations

from html import escape

import numpy as np

from ..characters import cell_texts
from ..trace import Trace
from .state import MASK_GLYPH, answer_state

INFILL_TEXT_CSS = """
.infill-text { font: 15px/1.7 ui-sans-serif, system-ui, sans-serif; color: #111827; background: #ffffff;
  border: 1px solid #e5e7eb; border-radius: 12px; padding: 10px 14px; white-space: pre-wrap; }
.infill-text .filled { background: #dbeafe; color: #1e3a8a; border-radius: 4px; padding: 1px 0; }
.infill-text .overwrote { background: #fee2e2; color: #991b1b; border-radius: 4px; }
.infill-text .pending { color: #9ca3af; letter-spacing: 1px; }
.infill-text .end { color: #9ca3af; font-size: 11px; font-style: italic; }
.infill-text .lost { color: #9ca3af; text-decoration: line-through; }
.infill-text .title { display: block; font: 600 11px ui-sans-serif, system-ui; text-transform: uppercase;
  letter-spacing: .05em; color: #6b7280; margin-bottom: 4px; white-space: normal; }
"""


def render_infill_text(trace: Trace, given_ids: np.ndarray, title: str = "", step: int | None = None) -> str:
    """The answer as text: given spans plain, filled spans `.filled`, overwritten `.overwrote`, masks `.pending`.

    End markers written inside a gap show as a small "end" tag (the diffusion model may close the
    story early); after an autoregressive answer ends, the user's text it never wrote shows struck
    through in grey, so what was lost is visible.
    """
    tokens = answer_state(trace, step).tokens
    spans, current_class, buffer = [], None, []

    def flush():
        if buffer:
            text = escape("".join(buffer))
            spans.append(f'<span class="{current_class}">{text}</span>' if current_class else text)
            buffer.clear()

    ended, kinds = False, []
    for position, token in enumerate(tokens.tolist()):
        given = int(given_ids[position])
        if ended:
            kind, shown = ("lost", given) if given != trace.mask_id else (None, "")
        elif token == trace.mask_id:
            kind, shown = "pending", MASK_GLYPH
        elif token in trace.stop_ids:
            kind, shown = "end", "" if given == token else "⏎end"
            ended = trace.kind == "autoregressive"  # its answer stops here; the user's text after is lost
        elif given == trace.mask_id:
            kind, shown = "filled", token
        elif given == token:
            kind, shown = None, token
        else:
            kind, shown = "overwrote", token
        kinds.append((kind, shown))
    # Token text decoded over runs of tokens, so a character split over several tokens is whole (on its first cell).
    cells = cell_texts([trace.token_bytes(shown) if isinstance(shown, int) else None for _, shown in kinds])
    for (kind, shown), cell in zip(kinds, cells):
        text = cell.text if isinstance(shown, int) else shown
        if not text:
            continue
        if kind != current_class:
            flush()
            current_class = kind
        buffer.append(text)
    flush()
    heading = f'<span class="title">{escape(title)}</span>' if title else ""
    return f'<div class="infill-text">{heading}{"".join(spans)}</div>'


def fixed_text_pieces(given_ids: np.ndarray, trace: Trace) -> list[str]:
    """The user's fixed runs of text, in order (what must come out untouched), each decoded as a whole."""
    pieces, current = [], []
    for token in [*given_ids.tolist(), trace.mask_id]:
        if token == trace.mask_id:
            if current:
                pieces.append(trace.decode(current))
                current = []
        else:
            current.append(int(token))
    return pieces
