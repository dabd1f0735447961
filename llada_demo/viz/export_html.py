"""The standalone HTML replay: one page with the run's data inline and a small player script."""

from __future__ import annotations

from html import escape
from importlib.resources import files

from ..trace import Trace
from .candidates import CANDIDATES_CSS, CANDIDATES_JS
from .player_data import replay_data, script_json
from .state import COLOR_MODES, total_steps
from .token_grid import GRID_CSS, legend_html

# The player's script and styles are package data (they ship with the package and the Space
# bundle), read once here. The player only ever writes text with textContent / title and colours
# it computes itself, so no token text is ever parsed as HTML.
PLAYER_JS = files(__package__).joinpath("player.js").read_text(encoding="utf-8")
PLAYER_CSS = files(__package__).joinpath("player.css").read_text(encoding="utf-8")


def _prompt_text(trace: Trace) -> str | None:
    """The prompt as text, when the trace carries the text of every prompt token."""
    ids = [int(i) for i in trace.prompt_ids]
    if not ids or any(i not in trace.texts for i in ids):
        return None
    return trace.decode(ids)


def _description(trace: Trace) -> str:
    s = trace.settings
    parts = [trace.model_name or "model", trace.kind, f"strategy {s.strategy}", f"{s.gen_length} tokens",
             f"{s.steps} steps", f"block {s.block_length}", f"temperature {s.temperature:g}"]
    if s.cfg_scale:
        parts.append(f"CFG {s.cfg_scale:g}")
    if trace.stopped_text():
        parts.append(trace.stopped_text().upper())
    return " · ".join(parts)


def animation_html(trace: Trace, color_by: str = "confidence", columns: int = 16, include_guesses: bool = True) -> str:
    """A standalone HTML page that replays the run: play/pause, a step slider, colour toggle.

    No network resources: CSS, data and a small player script are inline. The slider has
    len(trace.steps) + 1 positions (0 = all masked), the same convention as `render_grid`.
    Token texts travel as JSON inside <script type="application/json"> with <, > and &
    escaped, and the player writes them with textContent only. `include_guesses` adds each
    masked cell's best guess to its hover (about half of the page for long runs).
    """
    if color_by not in COLOR_MODES:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_MODES)}, got {color_by!r}.")
    columns = max(int(columns), 1)
    count, total = len(trace.steps), total_steps(trace)
    data = replay_data(trace, columns, include_guesses)
    options = "".join(
        f'<option value="{mode}"{" selected" if mode == color_by else ""}>{mode}</option>' for mode in COLOR_MODES
    )
    speeds = "".join(
        f'<option value="{ms}"{" selected" if ms == 100 else ""}>{label}</option>'
        for ms, label in ((300, "slow"), (100, "normal"), (30, "fast"))
    )
    legends = "".join(legend_html(mode, total, trace.settings.num_blocks > 1, trace.origin is not None)
                      for mode in COLOR_MODES)
    prompt = _prompt_text(trace)
    prompt_html = f"<details><summary>Prompt</summary><pre>{escape(prompt)}</pre></details>" if prompt else ""
    title = escape(f"LLaDA replay · {trace.model_name or trace.kind}")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{GRID_CSS}\n{CANDIDATES_CSS}\n{PLAYER_CSS}</style></head><body>"
        f'<main class="llada-page"><h1>{title}</h1><p class="meta">{escape(_description(trace))}</p>{prompt_html}'
        f'<div class="llada-player" data-frames="{count + 1}">'
        '<div class="llada-controls"><button id="llada-play" type="button">▶ Play</button>'
        f'<input id="llada-slider" type="range" min="0" max="{count}" step="1" value="{count}" aria-label="step">'
        f'<label>colour by <select id="llada-color">{options}</select></label>'
        f'<label>speed <select id="llada-speed">{speeds}</select></label></div>'
        f'<div class="llada-view"><div class="llada-head" id="llada-head"></div>'
        f'<div class="llada-grid" id="llada-grid" style="--cols:{columns}" tabindex="0" '
        f'aria-label="answer cells: arrows move, Enter shows candidates"></div>{legends}</div></div>'
        f"<h2>Answer</h2><pre>{escape(trace.answer_text())}</pre>"
        "<noscript>The replay needs JavaScript; the answer is above.</noscript></main>"
        f'<script type="application/json" id="llada-trace-data">{script_json(data)}</script>'
        f"<script>\n{PLAYER_JS}\n{CANDIDATES_JS}</script></body></html>"
    )
