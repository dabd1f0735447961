"""Measured figures of one run as a compact card, and a side-by-side table of two runs, for the teaching modes."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations
    from ..scoring.run_figures import RunFigures

CARD_CSS = """
.run-card { display: flex; flex-wrap: wrap; gap: 6px; align-items: stretch; margin: 2px 0 6px; }
.run-card .title { flex-basis: 100%; font: 600 13px ui-sans-serif, system-ui, sans-serif; color: #111827; }
.run-card .title .sub { font-weight: 400; color: #6b7280; margin-left: 6px; }
.run-card .stat { background: #f3f4f6; border-radius: 8px; padding: 3px 9px; min-width: 64px; }
.run-card .stat.key { background: #eef2ff; box-shadow: inset 0 0 0 1px #c7d2fe; }
.run-card .label { font-size: 10px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; }
.run-card .value { font: 600 13px ui-monospace, Menlo, Consolas, monospace; color: #111827; }
.run-compare { border-collapse: collapse; font: 13px ui-sans-serif, system-ui, sans-serif; color: #111827;
  background: #ffffff; border-radius: 10px; overflow: hidden; min-width: 60%; }
.run-compare th, .run-compare td { padding: 5px 12px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.run-compare th:first-child, .run-compare td:first-child { text-align: left; color: #374151; }
.run-compare thead th { background: #f9fafb; font-weight: 600; }
.run-compare td.ratio { color: #4338ca; font-weight: 600; }
.run-compare caption { caption-side: bottom; text-align: left; color: #6b7280; font-size: 12px; padding-top: 6px; }
"""


def _number(value: float, digits: int = 2) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def figure_rows(figures: RunFigures) -> list[tuple[str, str]]:
    return [
        ("forward passes", str(figures.forward_passes)),
        ("time (own compute)", f"{figures.seconds:.2f} s"),
        ("tokens / s", _number(figures.tokens_per_second, 1)),
        ("tokens / forward pass", _number(figures.tokens_per_pass)),
        ("ms / forward pass", _number(figures.ms_per_pass, 1)),
        ("left-to-right order", _number(figures.left_to_right)),
        ("any-order share", _number(figures.any_order)),
    ]


def render_run_card(title: str, figures: RunFigures | None, subtitle: str = "", status: str = "") -> str:
    """A titled row of measured figures (HTML-escaped); `status` e.g. "running", "done"."""
    head = f'<div class="title">{escape(title)}<span class="sub">{escape(subtitle)}</span></div>'
    if figures is None:
        return f'<div class="run-card">{head}<div class="stat"><div class="value">not run yet</div></div></div>'
    rows = [("status", status or ("done" if figures.finished else "running"))] + figure_rows(figures)
    cells = "".join(
        f'<div class="stat{" key" if label == "tokens / forward pass" else ""}"><div class="label">{escape(label)}'
        f'</div><div class="value">{escape(value)}</div></div>' for label, value in rows)
    return f'<div class="run-card">{head}{cells}</div>'


def render_comparison(names: tuple[str, str], figures: tuple[RunFigures, RunFigures], extra=(), note: str = "") -> str:
    """Two runs' figures side by side with the ratio first / second. `extra`: (label, a, b) rows of text."""
    a, b = figures

    def ratio(x: float, y: float) -> str:
        return f"{x / y:.2f}×" if y and math.isfinite(x) and math.isfinite(y) else "–"

    rows = [
        ("forward passes", str(a.forward_passes), str(b.forward_passes), ratio(a.forward_passes, b.forward_passes)),
        ("time (own compute)", f"{a.seconds:.2f} s", f"{b.seconds:.2f} s", ratio(a.seconds, b.seconds)),
        ("tokens / s", _number(a.tokens_per_second, 1), _number(b.tokens_per_second, 1),
         ratio(a.tokens_per_second, b.tokens_per_second)),
        ("tokens / forward pass", _number(a.tokens_per_pass), _number(b.tokens_per_pass),
         ratio(a.tokens_per_pass, b.tokens_per_pass)),
        ("ms / forward pass", _number(a.ms_per_pass, 1), _number(b.ms_per_pass, 1),
         ratio(a.ms_per_pass, b.ms_per_pass)),
        ("left-to-right order (1 = strictly)", _number(a.left_to_right), _number(b.left_to_right), ""),
        ("any-order share (0 = never past a gap)", _number(a.any_order), _number(b.any_order), ""),
        ("answer tokens", str(a.answer_tokens), str(b.answer_tokens), ""),
        *[(label, x, y, "") for label, x, y in extra],
    ]
    body = "".join(
        f"<tr><td>{escape(r[0])}</td><td>{escape(r[1])}</td><td>{escape(r[2])}</td>"
        f'<td class="ratio">{escape(r[3])}</td></tr>' for r in rows)
    caption = f"<caption>{escape(note)}</caption>" if note else ""
    return (f'<table class="run-compare">{caption}<thead><tr><th></th><th>{escape(names[0])}</th>'
            f"<th>{escape(names[1])}</th><th>ratio</th></tr></thead><tbody>{body}</tbody></table>")
