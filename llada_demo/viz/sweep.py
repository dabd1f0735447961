"""Views of a settings sweep: cost against measured quality as one Plotly figure, and the runs as table rows."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import FONT

if TYPE_CHECKING:  # annotations only: modes.sweep loads the engine, sampler and models, which drawing never needs
    from ..modes.sweep import SweepPoint

COLORS = ("#6366f1", "#f59e0b", "#10b981", "#ef4444", "#0ea5e9", "#a855f7", "#64748b", "#ec4899")
TABLE_HEADERS = ["#", "steps", "block", "strategy", "passes", "time (s)", "tok/pass", "AR ppl", "NLL bound",
                 "mean log p", "answer"]
PANELS = (
    ("seconds", "Latency (s)", "lower is faster"),
    ("twin_perplexity", "AR twin's perplexity of the answer", "lower reads more fluent"),
    ("nll_bound", "Diffusion NLL bound / token", "lower: more likely under its own model"),
    ("mean_log_prob", "Mean log p at commit", "higher: the sampler was surer"),
)


def _finite(value: float) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def sweep_figure(points: list[SweepPoint], planned: int = 0) -> go.Figure:
    """Four small panels sharing x = forward passes: latency and three quality measures, one line per
    (strategy, block length). Grows as points arrive; `planned` is the sweep's run count (for the title)."""
    title = f"Cost vs quality: {len(points)}" + (f" of {planned}" if planned else "") + " runs"
    figure = make_subplots(rows=1, cols=len(PANELS), horizontal_spacing=0.07,
                           subplot_titles=[f"{name}<br><sup>{hint}</sup>" for _, name, hint in PANELS])
    groups: dict[str, list[SweepPoint]] = {}
    for point in points:
        groups.setdefault(point.label, []).append(point)
    for index, (label, members) in enumerate(groups.items()):
        members = sorted(members, key=lambda p: p.forward_passes)
        color = COLORS[index % len(COLORS)]
        hover = [f"steps {p.settings.steps} · {escape(label)}<br>{p.forward_passes} forward passes · "
                 f"{p.seconds:.2f} s<br>{escape(p.answer[:80])}…" for p in members]
        for column, (field, _, _) in enumerate(PANELS, start=1):
            figure.add_trace(go.Scatter(
                x=[p.forward_passes for p in members], y=[_finite(getattr(p, field)) for p in members],
                mode="lines+markers", name=label, legendgroup=label, showlegend=column == 1,
                line=dict(color=color, width=2), marker=dict(size=8), text=hover,
                hovertemplate="%{text}<br>%{y:.3f}<extra></extra>",
            ), row=1, col=column)
    # Log x (steps are usually swept in doubling), ticked only at the values run; perplexity spans
    # orders of magnitude between few and many steps, so its axis is log too.
    ticks = sorted({p.forward_passes for p in points})
    for column, (field, _, _) in enumerate(PANELS, start=1):
        figure.update_xaxes(title_text="forward passes", type="log", tickmode="array", tickvals=ticks,
                            ticktext=[str(t) for t in ticks], row=1, col=column, gridcolor="#f1f5f9")
        log = field == "twin_perplexity"
        figure.update_yaxes(type="log" if log else "linear", dtick=1 if log else None, row=1, col=column,
                            gridcolor="#f1f5f9", zeroline=False)
    figure.update_layout(
        template="none", font=FONT, height=380, title=dict(text=title, x=0.01, font=dict(size=14)),
        margin=dict(l=50, r=20, t=90, b=90), paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        legend=dict(orientation="h", x=0, y=-0.28), hoverlabel=dict(font=FONT),
    )
    figure.update_annotations(font=dict(size=12))
    return figure


def _cell(value: float, digits: int) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def sweep_rows(points: list[SweepPoint]) -> list[list]:
    """One row per run for a gr.Dataframe (plain text cells: the table escapes them itself)."""
    return [
        [index, p.settings.steps, p.settings.block_length,
         p.settings.strategy + (f" + {p.settings.cache} cache" if p.settings.cache != "none" else ""),
         p.forward_passes,
         _cell(p.seconds, 2), _cell(p.tokens_per_pass, 2), _cell(p.twin_perplexity, 2), _cell(p.nll_bound, 3),
         _cell(p.mean_log_prob, 3), p.answer]
        for index, p in enumerate(points, start=1)
    ]
