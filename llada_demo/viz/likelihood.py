"""Views of a likelihood comparison: each candidate's estimate converging with its 95% band, the ranking by each
model (AR exact beside), and the names' preferences with error bars. Pure functions of a ScoreProgress."""

from __future__ import annotations

import math
from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..scoring.preference import ar_ranking, diffusion_ranking, settled
from .figures import FONT

COLOURS = ("#2563eb", "#dc2626", "#059669", "#d97706")
BANDS = ("rgba(37,99,235,0.15)", "rgba(220,38,38,0.15)", "rgba(5,150,105,0.15)", "rgba(217,119,6,0.15)")
Z95 = 1.96

LIKELIHOOD_CSS = """
.lik-table { border-collapse: collapse; font: 13px ui-sans-serif, system-ui, sans-serif; color: #111827;
  background: #ffffff; margin: 4px 0 10px; width: 100%; }
.lik-table th, .lik-table td { padding: 5px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
.lik-table th.answer, .lik-table td.answer { text-align: left; }
.lik-table thead th { background: #f9fafb; }
.lik-table caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
.lik-settled { display: inline-block; padding: 2px 8px; border-radius: 8px; font-weight: 600; }
.lik-settled.yes { background: #dcfce7; color: #14532d; }
.lik-settled.no { background: #fef3c7; color: #78350f; }
.lik-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.lik-note { font: 12px ui-sans-serif, system-ui, sans-serif; color: #4b5563; margin: 2px 0 8px; }
"""


def _short(text: str, most: int = 38) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(template="none", title={"text": title, "x": 0.01, "font": {"size": 14}}, font=FONT,
                         height=height, margin={"l": 70, "r": 20, "t": 50, "b": 45}, paper_bgcolor="#ffffff",
                         hoverlabel={"font": FONT}, legend={"orientation": "h", "y": -0.2})
    return figure


def convergence_figure(progress) -> go.Figure:
    """Per candidate: the running mean of the bound against draws, a 95% band around it, and the AR model's exact
    log-likelihood as a dotted line in the same colour (one panel per group)."""
    groups = progress.groups()
    figure = make_subplots(rows=1, cols=len(groups), subplot_titles=[escape(g) for g in groups] if len(groups) > 1
                           else None, horizontal_spacing=0.08)
    index = 0
    for column, group in enumerate(groups, start=1):
        for estimate in progress.members(group):
            colour, band = COLOURS[index % len(COLOURS)], BANDS[index % len(BANDS)]
            index += 1
            name = escape(_short(estimate.entry.answer), quote=True)
            history = np.array(estimate.history, dtype=np.float64).reshape(-1, 3)
            draws, means, errors = history[:, 0], history[:, 1], history[:, 2]
            ok = np.isfinite(errors)
            if ok.any():
                x = draws[ok].astype(np.float32)
                low, high = (means[ok] - Z95 * errors[ok]), (means[ok] + Z95 * errors[ok])
                figure.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                                            y=np.concatenate([high, low[::-1]]).astype(np.float32), mode="lines",
                                            fill="toself", fillcolor=band, line={"width": 0}, hoverinfo="skip", showlegend=False),
                                 row=1, col=column)
            if len(draws):
                figure.add_trace(go.Scatter(x=draws.astype(np.float32), y=means.astype(np.float32), mode="lines",
                                            line={"color": colour, "width": 2}, name=name,
                                            hovertemplate=f"{name}<br>%{{x}} draws: %{{y:.2f}} nats<extra></extra>"),
                                 row=1, col=column)
            if estimate.ar_log_likelihood is not None:
                right = max(float(draws[-1]) if len(draws) else 1.0, 1.0)
                figure.add_trace(go.Scatter(x=[0.0, right], y=[estimate.ar_log_likelihood] * 2, mode="lines",
                                            line={"color": colour, "width": 1.5, "dash": "dot"}, showlegend=False,
                                            name=f"AR: {name}", hovertemplate=f"AR exact, {name}: "
                                            f"{estimate.ar_log_likelihood:.2f} nats<extra></extra>"),
                                 row=1, col=column)
    figure.update_xaxes(title_text="Monte Carlo draws")
    figure.update_yaxes(title_text="log-likelihood (nats)", col=1)
    return _layout(figure, "Diffusion bound converging (line, 95% band) · AR exact (dotted)", 380)


def _figure(value: float | None, digits: int = 2) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _verdict(members) -> str:
    if settled(members):
        return '<span class="lik-settled yes">settled: the intervals do not overlap</span>'
    return '<span class="lik-settled no">not settled yet: the leader\'s interval overlaps another</span>'


def ranking_html(progress, status: str = "") -> str:
    """Per group a table: the candidates in the diffusion model's order, bound ± 95% half-width, draws, the AR
    model's exact log-likelihood and its rank, and whether the diffusion ranking is settled. status: "stopped"
    for a job stopped before its end."""
    tables, index = [], 0
    for group in progress.groups():
        members = progress.members(group)
        colours = {}
        for estimate in members:
            colours[id(estimate)] = COLOURS[index % len(COLOURS)]
            index += 1
        ar_rank = {id(e): i + 1 for i, e in enumerate(ar_ranking(members)) if e.ar_log_likelihood is not None}
        rows = []
        for rank, e in enumerate(diffusion_ranking(members), start=1):
            half = Z95 * e.standard_error
            rows.append(
                f'<tr><td>{rank if e.samples else "–"}</td><td class="answer"><span class="lik-swatch" '
                f'style="background:{colours[id(e)]}"></span>{escape(e.entry.answer)}</td>'
                f'<td>{_figure(e.mean)} ± {_figure(half)}</td><td>{e.samples}</td><td>{e.tokens}</td>'
                f'<td>{_figure(e.ar_log_likelihood)}</td><td>{ar_rank.get(id(e), "–")}</td></tr>')
        caption = (f"{escape(group)} · " if group else "") + _verdict(members)
        tables.append(f'<table class="lik-table"><caption>{caption}</caption><thead><tr><th>rank</th>'
                      f'<th class="answer">answer</th><th>diffusion bound (nats, ±95%)</th><th>draws</th>'
                      f'<th>tokens</th><th>AR exact (nats)</th><th>AR rank</th></tr></thead>'
                      f'<tbody>{"".join(rows)}</tbody></table>')
    state = "done" if progress.finished else (status or "running")
    note = (f'<div class="lik-note">{state}: {progress.forward_passes} forward passes of the diffusion model '
            f'({progress.settings.batch_size} draws each) in {progress.seconds:.1f} s · diffusion: '
            f'{escape(progress.diffusion_model)} · AR: {escape(progress.ar_model or "none")}. Higher is more '
            f'likely; the diffusion figure is a lower bound on log p(answer | prompt), the AR figure is exact.</div>')
    return "".join(tables) + note


def preference_figure(progress) -> go.Figure:
    """Per group (direction), each name's diffusion bound as a dot with its 95% error bar and the AR model's exact
    figure as a diamond: which name each model prefers, at a glance."""
    groups = progress.groups()
    figure = make_subplots(rows=1, cols=len(groups), subplot_titles=[escape(g) for g in groups],
                           horizontal_spacing=0.18)
    for column, group in enumerate(groups, start=1):
        members = progress.members(group)
        names = [escape(_short(e.entry.answer.split()[-1] if e.entry.answer.split() else "", 16), quote=True)
                 for e in members]
        with_draws = [(n, e) for n, e in zip(names, members) if e.samples]
        if with_draws:
            figure.add_trace(go.Scatter(
                x=[e.mean for _, e in with_draws], y=[n for n, _ in with_draws], mode="markers",
                marker={"color": COLOURS[0], "size": 9}, name="diffusion bound ± 95%", showlegend=column == 1,
                error_x={"type": "data", "array": [Z95 * e.standard_error for _, e in with_draws], "color": COLOURS[0]},
                hovertemplate="%{y}: %{x:.2f} nats (diffusion bound)<extra></extra>"), row=1, col=column)
        with_ar = [(n, e) for n, e in zip(names, members) if e.ar_log_likelihood is not None]
        if with_ar:
            figure.add_trace(go.Scatter(
                x=[e.ar_log_likelihood for _, e in with_ar], y=[n for n, _ in with_ar], mode="markers",
                marker={"color": COLOURS[1], "size": 10, "symbol": "diamond"}, name="AR exact", showlegend=column == 1,
                hovertemplate="%{y}: %{x:.2f} nats (AR exact)<extra></extra>"), row=1, col=column)
        figure.update_yaxes(autorange="reversed", row=1, col=column)
    figure.update_xaxes(title_text="log-likelihood (nats), higher = preferred")
    figure = _layout(figure, "Which name each model prefers", 340)
    return figure.update_layout(legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.2})
