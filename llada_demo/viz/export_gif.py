"""The animated GIF of a run's grid: palette frames that redraw only the cells a step changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..characters import CellText
from ..trace import Trace
from .state import (
    COLOR_MODES,
    CONFIDENCE_SCALE,
    STEP_SCALE,
    AnswerState,
    answer_state,
    scale_color,
    split_edge_spaces,
    step_fraction,
    stop_label,
    visible_text,
)
from .token_grid import CONTINUES, cell_display_texts

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


def _gif_label(trace: Trace, state: AnswerState, position: int, shown: CellText) -> str:
    if state.masked[position]:
        return ""
    token = int(state.tokens[position])
    if state.stop[position]:
        return stop_label(trace, token)
    if shown.continues:  # the rest of a character drawn whole on an earlier cell, as in the grid
        return CONTINUES
    lead, middle, trail = split_edge_spaces(visible_text(shown.text))
    return "·" * lead + middle + "·" * trail or "∅"


def frame_labels(trace: Trace, state: AnswerState) -> list[str]:
    """Each cell's label in one frame: whole characters, a split one drawn on its first cell (token_grid's rule)."""
    return [look[2] for look in _frame_looks(trace, state, COLOR_MODES[0])]


def _frame_looks(trace: Trace, state: AnswerState, color_by: str) -> list[tuple]:
    """Every cell's look in one frame (`_cell_look`), its text decided over the whole row."""
    shown = cell_display_texts(trace, state.tokens, state.masked | state.stop)
    return [_cell_look(trace, state, position, color_by, shown[position]) for position in range(trace.gen_length)]


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


def _cell_look(trace: Trace, state: AnswerState, position: int, color_by: str, shown: CellText) -> tuple:
    """(fill, text colour, label, new?, in block?): everything that decides how a cell is drawn."""
    if state.masked[position]:
        fill, ink = MASKED_FILL, FAINT
    elif state.stop[position]:
        fill, ink = STOP_FILL, FAINT
    else:
        fill, ink = _gif_fill(color_by, state, position), TEXT
    in_block = bool(state.block_range and state.block_range[0] <= position < state.block_range[1])
    return fill, ink, _gif_label(trace, state, position, shown), bool(state.new[position]), in_block


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
        looks = _frame_looks(trace, state, color_by)
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
