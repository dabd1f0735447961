"""The fill-in result as running text: the user's words plain, the model's highlighted, overwritten ones marked."""

from __future__ import annotations

from html import escape

import numpy as np

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

    ended = False
    for position, token in enumerate(tokens.tolist()):
        given = int(given_ids[position])
        if ended:
            kind, text = ("lost", trace.texts.get(given, "")) if given != trace.mask_id else (None, "")
        elif token == trace.mask_id:
            kind, text = "pending", MASK_GLYPH
        elif token in trace.stop_ids:
            kind, text = "end", "" if given == token else "⏎end"
            ended = trace.kind == "autoregressive"  # its answer stops here; the user's text after is lost
        elif given == trace.mask_id:
            kind, text = "filled", trace.texts.get(token, "")
        elif given == token:
            kind, text = None, trace.texts.get(token, "")
        else:
            kind, text = "overwrote", trace.texts.get(token, "")
        if not text:
            continue
        if kind != current_class:
            flush()
            current_class = kind
        buffer.append(text)
    flush()
    heading = f'<span class="title">{escape(title)}</span>' if title else ""
    return f'<div class="infill-text">{heading}{"".join(spans)}</div>'


def fixed_text_pieces(given_ids: np.ndarray, texts: dict[int, str], mask_id: int) -> list[str]:
    """The user's fixed runs of text, in order (what must come out untouched)."""
    pieces, current = [], []
    for token in given_ids.tolist():
        if token == mask_id:
            if current:
                pieces.append("".join(current))
                current = []
        else:
            current.append(texts.get(int(token), ""))
    if current:
        pieces.append("".join(current))
    return pieces
