"""Live figures of a run (steps, forward passes, time, tokens/s, cache, model, device) and the chat preview text."""

from __future__ import annotations

import math
from html import escape

from ..scoring.order import any_order_share
from ..scoring.throughput import decoded_positions, tokens_per_pass, tokens_per_second
from ..trace import Trace
from .state import MASK_GLYPH, answer_state, revises


def render_stats(trace: Trace | None, status: str = "") -> str:
    """A row of labelled figures, HTML-escaped; `status` is a short word such as "running"."""
    if trace is None:
        return '<div class="llada-stats"><span>No run yet: send a message.</span></div>'
    state = answer_state(trace)
    planned = f"≤ {trace.gen_length}" if trace.settings.strategy == "threshold" and not trace.finished \
        else str(state.total_steps)
    decoded = decoded_positions(trace)
    figures = [
        ("status", status or ("done" if trace.finished else "running")),
        ("step", f"{state.step} / {planned}"),
        ("forward passes", str(trace.nfe)),
        ("masks left", str(state.masks_left)),
        ("elapsed", f"{trace.elapsed:.2f} s"),
        ("tokens/s", f"{tokens_per_second(decoded, trace.elapsed):.1f}"),
        ("tokens / pass", f"{tokens_per_pass(decoded, trace.nfe):.2f}"),
        # What autoregression cannot do, as one number: 0 % is strictly left to right (scoring/order.py).
        ("out of order", _percent(any_order_share(trace))),
        ("KV cache", "none (exact)" if trace.settings.cache == "none" else trace.settings.cache),
        ("model", trace.model_name),
        ("device", trace.device),
    ]
    if revises(trace):  # LLaDA's sampler never takes a token back; this strategy does
        figures.insert(4, ("taken back", f"{int(state.remasks.sum())} · {int(state.revisions.sum())} changed"))
    cells = "".join(
        f'<div class="stat"{_hint(k)}><div class="label">{escape(k)}</div><div class="value">{escape(v)}</div></div>'
        for k, v in figures
    )
    return f'<div class="llada-stats">{cells}</div>'


HINTS = {"out of order": "Share of the answer's tokens written while a position to their left was still masked. "
                         "0 % is strictly left to right, the only order an autoregressive model has."}


def _hint(label: str) -> str:
    hint = HINTS.get(label)
    return f' title="{escape(hint)}"' if hint else ""


def _percent(share: float) -> str:
    return "–" if math.isnan(share) else f"{100 * share:.0f} %"  # NaN: nothing written yet


def preview_text(trace: Trace) -> str:
    """The answer as text while it diffuses: committed tokens, a mask glyph per masked position, cut at EOS/EOT."""
    if trace.finished:
        return trace.answer_text()
    parts, run = [], []
    for token in [*trace.answer_ids[: trace.answer_end()].tolist(), None]:
        if token is None or token == trace.mask_id:
            parts.append(trace.decode(run))  # each run of committed tokens as a whole: split characters stay whole
            parts.append(MASK_GLYPH if token is not None else "")
            run = []
        else:
            run.append(int(token))
    return "".join(parts)


STATS_CSS = """
.llada-stats { display: flex; flex-wrap: wrap; gap: 8px; }
.llada-stats .stat { background: #f3f4f6; border-radius: 8px; padding: 4px 10px; min-width: 70px; }
.llada-stats .label { font-size: 10px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; }
.llada-stats .value { font: 600 13px ui-monospace, Menlo, Consolas, monospace; color: #111827; }
"""
