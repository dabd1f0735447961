"""Exports of a run: the trace as JSON, a standalone HTML replay with a small player, an animated GIF."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .state import (
    CONFIDENCE_SCALE,
    COLOR_MODES,
    STEP_SCALE,
    AnswerState,
    answer_state,
    quoted_text,
    scale_color,
    split_edge_spaces,
    stop_label,
    step_fraction,
    total_steps,
    visible_text,
)
from .token_grid import GRID_CSS, legend_html

if TYPE_CHECKING:  # only for annotations: importing trace first would loop through sampling
    from ..trace import Trace


def trace_to_json_file(trace: Trace, path: str | Path) -> Path:
    """Write the trace as UTF-8 JSON (`Trace.from_json` reads it back); returns the path."""
    path = Path(path)
    path.write_text(trace.to_json(), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Standalone HTML replay


def script_json(data) -> str:
    """JSON that is safe inside a <script> element: <, >, & and the JS line separators escaped.

    Those characters can only occur inside JSON strings, where the \\u escapes mean the same,
    so a token text of "</script>" can never end the element early.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, replacement in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                              ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, replacement)
    return text


def _token_table(trace: Trace, ids: set[int]) -> dict[str, list]:
    """id -> [leading spaces, text, trailing spaces, hover text, is-end-token] as the cells draw them."""
    table = {}
    for token in sorted(ids):
        text = trace.texts.get(token, "")
        if token in trace.stop_ids:
            table[str(token)] = [0, stop_label(trace, token), 0, quoted_text(text or "?") + " · end of answer", 1]
        else:
            lead, middle, trail = split_edge_spaces(visible_text(text))
            table[str(token)] = [lead, middle, trail, quoted_text(text or "?"), 0]
    return table


def _step_entry(trace: Trace, index: int, previous: np.ndarray, include_guesses: bool) -> dict:
    """One step, compactly: committed positions (k) with confidence x1000 (p); the ids the
    answer changed to (v) at k, or at c when other positions changed too (re-masking); the
    best guess (g) and its probability x1000 (q) of each still-masked position, in order."""
    record = trace.steps[index]
    changed = np.flatnonzero(record.tokens != previous)
    entry = {
        "b": int(record.block), "nfe": int(record.nfe), "t": round(float(record.elapsed), 3),
        "k": record.committed.tolist(),
        "p": np.round(np.asarray(record.committed_confidence, dtype=np.float64) * 1000).astype(int).tolist(),
    }
    if np.array_equal(changed, record.committed):
        entry["v"] = record.tokens[record.committed].tolist()
    else:
        entry["c"] = changed.tolist()
        entry["v"] = record.tokens[changed].tolist()
    if include_guesses:
        masked = np.flatnonzero(record.tokens == trace.mask_id)
        entry["g"] = record.predicted[masked].tolist()
        entry["q"] = np.round(record.predicted_confidence[masked].astype(np.float64) * 1000).astype(int).tolist()
    return entry


def replay_data(trace: Trace, columns: int = 16, include_guesses: bool = True) -> dict:
    """Everything the HTML player needs, with all text already in its displayed form."""
    previous = np.full(trace.gen_length, trace.mask_id, dtype=np.int32)
    steps, ids = [], set(trace.stop_ids)
    for index, record in enumerate(trace.steps):
        entry = _step_entry(trace, index, previous, include_guesses)
        ids.update(entry["v"])
        ids.update(entry.get("g", ()))
        steps.append(entry)
        previous = record.tokens
    return {
        "length": trace.gen_length, "columns": columns, "total": total_steps(trace), "mask": trace.mask_id,
        "kind": trace.kind, "blockLength": trace.settings.block_length, "numBlocks": trace.settings.num_blocks,
        "scales": {"confidence": list(CONFIDENCE_SCALE), "step": list(STEP_SCALE)},
        "tokens": _token_table(trace, ids), "steps": steps,
    }


PLAYER_CSS = """
body { margin: 0; background: #f3f4f6; color: #111827;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.llada-page { max-width: 1100px; margin: 0 auto; padding: 24px; }
.llada-page h1 { font-size: 20px; margin: 0 0 4px; }
.llada-page .meta { color: #4b5563; margin: 0 0 12px; }
.llada-page pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #e5e7eb;
  border-radius: 8px; padding: 10px; }
.llada-controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
.llada-controls button { font: inherit; padding: 6px 14px; border-radius: 8px; border: 1px solid #6366f1;
  background: #6366f1; color: #fff; cursor: pointer; min-width: 6.5em; }
.llada-controls input[type=range] { flex: 1; min-width: 200px; accent-color: #6366f1; }
.llada-controls select { font: inherit; padding: 3px 6px; border-radius: 6px; }
"""

# The player only ever writes text with textContent / title and colours it computes itself, so
# no token text is ever parsed as HTML.
PLAYER_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("llada-trace-data").textContent);
  var steps = data.steps, count = steps.length, length = data.length;
  var grid = document.getElementById("llada-grid"), head = document.getElementById("llada-head");
  var slider = document.getElementById("llada-slider"), playButton = document.getElementById("llada-play");
  var colorSelect = document.getElementById("llada-color"), speedSelect = document.getElementById("llada-speed");
  var cells = [];
  for (var i = 0; i < length; i++) {
    var cell = document.createElement("div");
    cell.className = "cell masked";
    grid.appendChild(cell);
    cells.push(cell);
  }
  function rgb(hex) { return [1, 3, 5].map(function (o) { return parseInt(hex.substr(o, 2), 16); }); }
  function scaleColor(scale, value) {
    if (value === null || !isFinite(value)) value = 0;
    value = Math.min(Math.max(value, 0), 1) * (scale.length - 1);
    var index = Math.min(Math.floor(value), scale.length - 2), f = value - index;
    var a = rgb(scale[index]), b = rgb(scale[index + 1]);
    return "rgb(" + a.map(function (x, j) { return Math.round(x + (b[j] - x) * f); }).join(",") + ")";
  }
  function token(id) { return data.tokens[String(id)] || [0, "?", 0, "\u201c?\u201d", 0]; }
  function dots(n) {
    var span = document.createElement("span");
    span.className = "ws";
    span.textContent = "\u00b7".repeat(n);
    return span;
  }
  function stateAt(k) {
    var tokens = new Array(length).fill(data.mask), commit = new Array(length).fill(0);
    var conf = new Array(length).fill(null);
    for (var s = 0; s < k; s++) {
      var st = steps[s], where = st.c || st.k, j;
      for (j = 0; j < where.length; j++) tokens[where[j]] = st.v[j];
      for (j = 0; j < st.k.length; j++) { commit[st.k[j]] = s + 1; conf[st.k[j]] = st.p[j] / 1000; }
    }
    return { tokens: tokens, commit: commit, conf: conf };
  }
  function render(k) {
    var state = stateAt(k), latest = k > 0 ? steps[k - 1] : null, colorBy = colorSelect.value;
    var isNew = {}, guess = {}, block = null, masks = 0, j;
    if (latest) {
      for (j = 0; j < latest.k.length; j++) isNew[latest.k[j]] = true;
      if (latest.g) {
        var m = 0;
        for (j = 0; j < length; j++) if (state.tokens[j] === data.mask) { guess[j] = [latest.g[m], latest.q[m]]; m++; }
      }
    }
    if (data.numBlocks > 1 && count > 0) {
      var b = (latest || steps[0]).b;
      block = [b * data.blockLength, Math.min((b + 1) * data.blockLength, length)];
    }
    for (var p = 0; p < length; p++) {
      var cell = cells[p], id = state.tokens[p], classes = ["cell"], tip;
      var inBlock = block && p >= block[0] && p < block[1];
      cell.textContent = "";
      cell.style.background = "";
      if (id === data.mask) {
        masks++;
        classes.push("masked");
        cell.textContent = "\u2591\u2591";
        if (!latest) tip = "position " + p + " \u00b7 masked\nno forward pass yet";
        else if (guess[p] && guess[p][0] !== data.mask) {
          tip = "position " + p + " \u00b7 masked\nbest guess " + token(guess[p][0])[3] +
            " (p = " + (guess[p][1] / 1000).toFixed(3) + ")";
        } else tip = "position " + p + " \u00b7 masked\nno guess yet";
      } else {
        var t = token(id);
        classes.push("done");
        if (isNew[p]) classes.push("new");
        if (t[4]) {
          classes.push("stop");
          cell.textContent = t[1];
        } else {
          if (t[0]) cell.appendChild(dots(t[0]));
          if (t[1]) cell.appendChild(document.createTextNode(t[1]));
          if (t[2]) cell.appendChild(dots(t[2]));
          if (!t[0] && !t[1] && !t[2]) { var e = dots(0); e.textContent = "\u2205"; cell.appendChild(e); }
          var v = colorBy === "confidence" ? state.conf[p]
            : (data.total <= 1 ? 0 : (state.commit[p] - 1) / (data.total - 1));
          cell.style.background = scaleColor(data.scales[colorBy], v);
        }
        tip = t[3] + "\nposition " + p + " \u00b7 " +
          (state.commit[p] ? "committed at step " + state.commit[p] : "committed");
        if (state.conf[p] !== null) tip += "\np = " + state.conf[p].toFixed(3);
      }
      if (inBlock) classes.push("in-block");
      cell.className = classes.join(" ");
      cell.title = tip;
    }
    head.textContent = "step " + k + "/" + data.total + " \u00b7 NFE " + (latest ? latest.nfe : 0) +
      " \u00b7 masks left " + masks + " \u00b7 " + (latest ? latest.t : 0).toFixed(1) + " s" +
      (data.kind === "autoregressive" ? " \u00b7 autoregressive" : "");
    document.querySelectorAll(".llada-legend").forEach(function (el) {
      el.style.display = el.getAttribute("data-color-by") === colorBy ? "" : "none";
    });
  }
  var timer = null;
  function stop() { if (timer) clearInterval(timer); timer = null; playButton.textContent = "\u25b6 Play"; }
  function play() {
    if (Number(slider.value) >= count) slider.value = 0;
    render(Number(slider.value));
    playButton.textContent = "\u23f8 Pause";
    timer = setInterval(function () {
      var k = Number(slider.value) + 1;
      if (k > count) { stop(); return; }
      slider.value = k;
      render(k);
    }, Number(speedSelect.value));
  }
  playButton.addEventListener("click", function () { if (timer) stop(); else play(); });
  slider.addEventListener("input", function () { stop(); render(Number(slider.value)); });
  colorSelect.addEventListener("change", function () { render(Number(slider.value)); });
  speedSelect.addEventListener("change", function () { if (timer) { stop(); play(); } });
  render(Number(slider.value));
})();
"""


def _prompt_text(trace: Trace) -> str | None:
    """The prompt as text, when the trace carries the text of every prompt token."""
    ids = [int(i) for i in trace.prompt_ids]
    if not ids or any(i not in trace.texts for i in ids):
        return None
    return "".join(trace.texts[i] for i in ids)


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
    legends = "".join(legend_html(mode, total, trace.settings.num_blocks > 1) for mode in COLOR_MODES)
    prompt = _prompt_text(trace)
    prompt_html = f"<details><summary>Prompt</summary><pre>{escape(prompt)}</pre></details>" if prompt else ""
    title = escape(f"LLaDA replay · {trace.model_name or trace.kind}")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{GRID_CSS}{PLAYER_CSS}</style></head><body>"
        f'<main class="llada-page"><h1>{title}</h1><p class="meta">{escape(_description(trace))}</p>{prompt_html}'
        f'<div class="llada-player" data-frames="{count + 1}">'
        '<div class="llada-controls"><button id="llada-play" type="button">▶ Play</button>'
        f'<input id="llada-slider" type="range" min="0" max="{count}" step="1" value="{count}" aria-label="step">'
        f'<label>colour by <select id="llada-color">{options}</select></label>'
        f'<label>speed <select id="llada-speed">{speeds}</select></label></div>'
        f'<div class="llada-view"><div class="llada-head" id="llada-head"></div>'
        f'<div class="llada-grid" id="llada-grid" style="--cols:{columns}"></div>{legends}</div></div>'
        f"<h2>Answer</h2><pre>{escape(trace.answer_text())}</pre>"
        "<noscript>The replay needs JavaScript; the answer is above.</noscript></main>"
        f'<script type="application/json" id="llada-trace-data">{script_json(data)}</script>'
        f"<script>{PLAYER_JS}</script></body></html>"
    )


# ---------------------------------------------------------------------------------------------
# Animated GIF

CELL_W, CELL_H, GAP, MARGIN, HEADER_H = 64, 26, 4, 12, 30
MASKED_FILL, STOP_FILL, NEW_OUTLINE, BLOCK_BAR = "#e5e7eb", "#f3f4f6", "#f59e0b", "#6366f1"
TEXT, FAINT = "#111827", "#9ca3af"


def _font(size: int) -> ImageFont.ImageFont:
    """DejaVu Sans Mono where installed (it has ↵ and ⏎), else Pillow's built-in font."""
    for name in ("DejaVuSansMono.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def frame_steps(count: int, max_frames: int) -> list[int]:
    """Which states (0..count) become frames: all, or `max_frames` evenly spaced, first and last kept."""
    max_frames = max(int(max_frames), 2)
    if count + 1 <= max_frames:
        return list(range(count + 1))
    return sorted({int(round(x)) for x in np.linspace(0, count, max_frames)})


def _fit(text: str, font, width: int) -> str:
    """Shorten `text` with an ellipsis until it fits `width` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _gif_label(trace: Trace, state: AnswerState, position: int) -> str:
    if state.masked[position]:
        return ""
    token = int(state.tokens[position])
    if state.stop[position]:
        return stop_label(trace, token)
    lead, middle, trail = split_edge_spaces(visible_text(trace.texts.get(token, "")))
    return "·" * lead + middle + "·" * trail or "∅"


class _Palette:
    """A shared GIF palette built as colours are asked for, so frames need no quantizing."""

    def __init__(self):
        self.index: dict[str, int] = {}

    def __call__(self, color: str) -> int:
        if color not in self.index:
            self.index[color] = len(self.index)
        return self.index[color]

    def flat(self) -> list[int]:
        rgb = [int(c[i:i + 2], 16) for c in self.index for i in (1, 3, 5)]
        return rgb + [0] * (768 - len(rgb))


def _gif_fill(color_by: str, state: AnswerState, position: int) -> str:
    """A committed cell's colour, its scale value rounded to 1/48 so the palette stays small."""
    if color_by == "confidence":
        value = state.commit_confidence[position]
        value = 0.0 if not np.isfinite(value) else float(value)
    else:
        value = step_fraction(int(state.commit_step[position]), state.total_steps)
    return scale_color(CONFIDENCE_SCALE if color_by == "confidence" else STEP_SCALE, round(value * 48) / 48)


def _cell_look(trace: Trace, state: AnswerState, position: int, color_by: str) -> tuple:
    """(fill, text colour, label, new?, in block?): everything that decides how a cell is drawn."""
    if state.masked[position]:
        fill, ink = MASKED_FILL, FAINT
    elif state.stop[position]:
        fill, ink = STOP_FILL, FAINT
    else:
        fill, ink = _gif_fill(color_by, state, position), TEXT
    in_block = bool(state.block_range and state.block_range[0] <= position < state.block_range[1])
    return fill, ink, _gif_label(trace, state, position), bool(state.new[position]), in_block


def _draw_cell(draw: ImageDraw.ImageDraw, position: int, look: tuple, columns: int, font, palette) -> None:
    fill, ink, label, new, in_block = look
    row, column = divmod(position, columns)
    x = MARGIN + column * (CELL_W + GAP)
    y = HEADER_H + MARGIN // 2 + row * (CELL_H + GAP)
    draw.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), fill=palette("#ffffff"))  # clear the last look
    draw.rounded_rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), radius=5, fill=palette(fill),
                           outline=palette(NEW_OUTLINE) if new else None, width=3 if new else 1)
    if in_block:
        draw.rectangle((x + 4, y + CELL_H - 4, x + CELL_W - 5, y + CELL_H - 3), fill=palette(BLOCK_BAR))
    label = _fit(label, font, CELL_W - 8)
    if label:
        draw.text((x + CELL_W / 2, y + CELL_H / 2), label, fill=palette(ink), font=font, anchor="mm")


def _draw_frames(trace: Trace, steps: list[int], columns: int, color_by: str, size) -> list[Image.Image]:
    """One palette image per state in `steps`. Each frame starts from the previous one and
    redraws only the cells whose look changed (a step changes a few cells, not the grid)."""
    font, palette = _font(12), _Palette()
    frames, image, previous = [], Image.new("P", size, palette("#ffffff")), None
    for step in steps:
        state = answer_state(trace, step)
        image = image.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, size[0], HEADER_H + MARGIN // 2 - 1), fill=palette("#ffffff"))
        header = f"step {state.step}/{state.total_steps} · NFE {state.nfe} · masks left {state.masks_left}"
        if trace.stopped_text() and step == len(trace.steps):
            header += " · " + trace.stopped_text().upper()
        draw.text((MARGIN, MARGIN // 2 + 2), header, fill=palette(TEXT), font=font)
        looks = [_cell_look(trace, state, position, color_by) for position in range(trace.gen_length)]
        for position, look in enumerate(looks):
            if previous is None or previous[position] != look:
                _draw_cell(draw, position, look, columns, font, palette)
        frames.append(image)
        previous = looks
    for frame in frames:  # indices are stable, so every frame takes the final shared palette
        frame.putpalette(palette.flat())
    return frames


def animation_gif(trace: Trace, path: str | Path, max_frames: int = 120, columns: int = 16,
                  color_by: str = "confidence", frame_ms: int = 90) -> Path:
    """Write an animated GIF of the grid: masked cells grey, committed ones coloured by
    confidence (or step), new commits outlined in amber. At most `max_frames` frames,
    evenly spaced over the states 0..len(steps), always the first and the last; the last
    frame is held for two seconds. Returns the path."""
    if color_by not in COLOR_MODES:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_MODES)}, got {color_by!r}.")
    columns = max(int(columns), 1)
    rows = max(-(-trace.gen_length // columns), 1)
    size = (2 * MARGIN + columns * (CELL_W + GAP) - GAP, HEADER_H + MARGIN + rows * (CELL_H + GAP) - GAP)
    frames = _draw_frames(trace, frame_steps(len(trace.steps), max_frames), columns, color_by, size)
    durations = [frame_ms] * len(frames)
    durations[-1] = 2000
    path = Path(path)
    # disposal=1 leaves each frame in place, so Pillow stores only what changed (the rest transparent).
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   disposal=1)
    return path
