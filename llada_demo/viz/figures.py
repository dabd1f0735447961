"""Plotly figures of a trace: confidence heatmap, decoding order map, per-step curves; kept small."""

from __future__ import annotations

import math
from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..trace import Trace
from .state import quoted_text, revises, stop_label, total_steps

# gr.Plot sends the whole figure JSON on every update: no template (it alone is ~10 kB),
# float32/int32 arrays (sent as base64 typed arrays), token text only in hovers.
FONT = dict(family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", size=12, color="#111827")
COMMITTED_GREY = "#d1d5db"


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        template="none", title=dict(text=title, x=0.01, font=dict(size=14)), font=FONT, height=height,
        margin=dict(l=60, r=20, t=50, b=45), paper_bgcolor="#ffffff", hoverlabel=dict(font=FONT),
    )
    return figure


def _empty_figure(title: str) -> go.Figure:
    """What every figure shows before the first step: its title and a note, no axes."""
    figure = go.Figure()
    figure.add_annotation(text="No steps yet", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font=dict(size=14, color="#6b7280"))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title, 260)


def _hover_token(trace: Trace, token: int) -> str:
    """A token as hover text: escaped, since Plotly reads hover text as (a subset of) HTML."""
    if token in trace.stop_ids:
        return escape(stop_label(trace, token))
    return escape(quoted_text(trace.texts.get(token, "?")), quote=True)


def _height(rows: int, per_row: float, low: int = 260, high: int = 720) -> int:
    return int(min(max(110 + rows * per_row, low), high))


def shown_steps(count: int, max_steps: int | None) -> np.ndarray:
    """Indices of the steps to draw: all, or at most `max_steps` evenly spaced with the last kept."""
    if max_steps is None or count <= max_steps:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max(int(max_steps), 1)).round().astype(np.int64))


def confidence_matrix(trace: Trace, show_committed: bool = False) -> np.ndarray:
    """[gen_length, steps] float32: each position's best-guess probability at each step.

    Unless `show_committed`, cells after a position's commit step are NaN (drawn as grey), so
    the still-undecided region stands out; the commit step itself keeps the value that won.
    (NaN costs about 12% more JSON than numbers: Plotly escapes the "/" in its base64.)
    """
    if not trace.steps:
        return np.zeros((trace.gen_length, 0), dtype=np.float32)
    matrix = np.stack([record.predicted_confidence for record in trace.steps], axis=1).astype(np.float32)
    if not show_committed:
        # Hidden while the position holds a token this run committed: a token a revising strategy took back
        # shows its guesses again until it is committed anew (the model predicts only masked positions).
        held = np.zeros(trace.gen_length, dtype=bool)
        for column, record in enumerate(trace.steps):
            matrix[held, column] = np.nan
            held[record.committed] = True
            held[record.remasked] = False
    return matrix


def confidence_heatmap(trace: Trace, show_committed: bool = False, max_steps: int | None = None) -> go.Figure:
    """Heatmap: x = step (from 1), y = answer position, colour = the model's best-guess probability.

    Grey (no colour) is a position already committed (all cells coloured with
    `show_committed`); a white ring marks the step at which each position was committed
    (hover gives its token and confidence). The z matrix is gen_length x steps; `max_steps`
    keeps only that many evenly spaced step columns, to bound the JSON of long runs
    (about 6.3 bytes of JSON per cell).
    """
    title = "Confidence of the best guess, per position and step"
    # Cached passes (and guesses="block") score only the block after its first step.
    stale = trace.settings.cache != "none" or trace.settings.guesses == "block"
    note = "<br><sup>outside the current block: the guess from the block's first step</sup>" if stale else ""
    if not trace.steps:
        return _empty_figure(title + note)
    keep = shown_steps(len(trace.steps), max_steps)
    matrix = np.ascontiguousarray(confidence_matrix(trace, show_committed)[:, keep])
    steps = np.array([trace.steps[i].step + 1 for i in keep], dtype=np.int32)
    positions = np.arange(trace.gen_length, dtype=np.int32)
    figure = go.Figure(go.Heatmap(
        z=matrix, x=steps, y=positions, zmin=0.0, zmax=1.0, colorscale="Viridis", hoverongaps=False,
        colorbar=dict(title=dict(text="p", side="right"), thickness=12, len=0.8),
        hovertemplate="step %{x} · position %{y}<br>p = %{z:.3f}<extra></extra>", name="confidence",
    ))
    commit = trace.commit_steps()
    done = np.flatnonzero(commit >= 0).astype(np.int32)
    confidences = trace.commit_confidences()
    tokens = trace.answer_ids
    hover = [
        f"{_hover_token(trace, int(tokens[p]))}<br>position {p} · committed at step {commit[p] + 1}"
        f"<br>p = {confidences[p]:.3f}"
        for p in done
    ]
    marker_size = 7 if trace.gen_length <= 64 else 4
    figure.add_trace(go.Scatter(
        x=(commit[done] + 1).astype(np.int32), y=done, mode="markers", name="committed here",
        marker=dict(symbol="circle-open", size=marker_size, color="#ffffff", line=dict(width=1.5)),
        text=hover, hovertemplate="%{text}<extra></extra>",
    ))
    figure.update_xaxes(title_text="step", showgrid=False, zeroline=False)
    figure.update_yaxes(title_text="answer position", autorange="reversed", showgrid=False, zeroline=False)
    figure.update_layout(plot_bgcolor=COMMITTED_GREY, showlegend=False)
    return _layout(figure, title + (" (grey: committed)" if not show_committed else "") + note,
                   _height(trace.gen_length, 2.5))


def decoding_order_map(trace: Trace, columns: int = 16) -> go.Figure:
    """The step (from 1) at which each position was committed, laid out like the token grid.

    Rows of `columns` positions, as in `render_grid`, so left-to-right filling shows as a
    smooth gradient and scattered filling as noise. The values are `trace.commit_steps() + 1`
    (NaN while masked, and in the padding after the last position); hover gives the token.
    """
    title = "Decoding order: the step each position was committed"
    if not trace.steps:
        return _empty_figure(title)
    columns = max(int(columns), 1)
    rows = math.ceil(trace.gen_length / columns)
    commit = trace.commit_steps()
    values = np.full(rows * columns, np.nan, dtype=np.float32)
    values[: trace.gen_length] = np.where(commit >= 0, commit + 1, np.nan)
    tokens = trace.answer_ids
    hover = [""] * (rows * columns)
    for p in range(trace.gen_length):
        when = f"step {commit[p] + 1}" if commit[p] >= 0 else "still masked"
        what = _hover_token(trace, int(tokens[p])) if commit[p] >= 0 else "░"
        hover[p] = f"{what}<br>position {p} · {when}"
    figure = go.Figure(go.Heatmap(
        z=values.reshape(rows, columns), x=np.arange(columns, dtype=np.int32), y=np.arange(rows, dtype=np.int32),
        text=[hover[r * columns:(r + 1) * columns] for r in range(rows)], hovertemplate="%{text}<extra></extra>",
        colorscale="Plasma", zmin=1, zmax=max(total_steps(trace), 1), xgap=2, ygap=2, hoverongaps=False,
        colorbar=dict(title=dict(text="step", side="right"), thickness=12, len=0.8),
    ))
    figure.update_xaxes(title_text="column", showgrid=False, zeroline=False)
    tick_rows = np.arange(0, rows, max(1, math.ceil(rows / 16)))
    figure.update_yaxes(title_text="first position of row", autorange="reversed", showgrid=False, zeroline=False,
                        tickmode="array", tickvals=tick_rows.tolist(), ticktext=[str(r * columns) for r in tick_rows])
    figure.update_layout(plot_bgcolor=COMMITTED_GREY)
    return _layout(figure, title, _height(rows, 22))


def step_series(trace: Trace) -> dict[str, np.ndarray]:
    """Per step: tokens committed, tokens a revising strategy returned to [MASK], masks left after it, mean
    confidence of its commits (NaN if none)."""
    committed = np.array([len(record.committed) for record in trace.steps], dtype=np.int32)
    remasked = np.array([len(record.remasked) for record in trace.steps], dtype=np.int32)
    masks_left = np.array([int((record.tokens == trace.mask_id).sum()) for record in trace.steps], dtype=np.int32)
    mean_confidence = np.array(
        [float(np.mean(r.committed_confidence)) if len(r.committed_confidence) else np.nan for r in trace.steps],
        dtype=np.float32,
    )
    steps = np.array([record.step + 1 for record in trace.steps], dtype=np.int32)
    return {"step": steps, "committed": committed, "remasked": remasked, "masks_left": masks_left,
            "mean_confidence": mean_confidence}


def step_curves(trace: Trace) -> go.Figure:
    """Two panels over the steps: masks left (top); tokens committed (bars) and their mean
    confidence at commit (line, right axis, 0..1) below. A run whose strategy revises also gets, per step, the
    tokens it returned to [MASK] (red bars beside the commits)."""
    revising = revises(trace)
    title = "Per step: masks left, tokens committed" + (" and taken back" if revising else "") + ", their confidence"
    if not trace.steps:
        return _empty_figure(title)
    series = step_series(trace)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.45, 0.55],
                           specs=[[{}], [{"secondary_y": True}]])
    figure.add_trace(go.Scatter(
        x=series["step"], y=series["masks_left"], name="masks left", mode="lines", line=dict(color="#6366f1", width=2),
        fill="tozeroy", fillcolor="rgba(99, 102, 241, 0.12)", hovertemplate="step %{x}: %{y} masks left<extra></extra>",
    ), row=1, col=1)
    figure.add_trace(go.Bar(
        x=series["step"], y=series["committed"], name="tokens committed", marker_color="#f59e0b",
        hovertemplate="step %{x}: %{y} committed<extra></extra>",
    ), row=2, col=1, secondary_y=False)
    if revising:
        figure.add_trace(go.Bar(
            x=series["step"], y=series["remasked"], name="returned to [MASK]", marker_color="#db2777",
            hovertemplate="step %{x}: %{y} returned to [MASK]<extra></extra>",
        ), row=2, col=1, secondary_y=False)
    figure.add_trace(go.Scatter(
        x=series["step"], y=series["mean_confidence"], name="mean confidence", mode="lines+markers",
        marker=dict(size=4), line=dict(color="#10b981", width=2),
        hovertemplate="step %{x}: mean p = %{y:.3f}<extra></extra>",
    ), row=2, col=1, secondary_y=True)
    figure.update_yaxes(title_text="masks left", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="committed", rangemode="tozero", row=2, col=1, secondary_y=False)
    figure.update_yaxes(title_text="mean p", range=[0, 1.02], tickvals=[0, 0.5, 1], row=2, col=1,
                       secondary_y=True, showgrid=False)
    figure.update_xaxes(title_text="step", row=2, col=1)
    figure.update_layout(legend=dict(orientation="h", x=0, y=-0.18), bargap=0.15)
    return _layout(figure, title, 420)
