"""The token grid: one fixed-size HTML cell per answer position, showing a run at any step."""

from __future__ import annotations

from html import escape

import numpy as np

from ..characters import CellText, cell_texts
from ..trace import Trace
from .candidates import CellCandidates, candidates_attr, cell_candidates
from .state import (
    CONFIDENCE_SCALE,
    MASK_GLYPH,
    STEP_SCALE,
    AnswerState,
    answer_state,
    cell_color,
    quoted_text,
    revises,
    split_edge_spaces,
    stop_label,
    visible_text,
)

# Everything is scoped under .llada-view so nothing leaks into the rest of the page. The grid
# keeps its own light panel so it reads the same in Gradio's light and dark themes. The column
# count is fixed and every cell has the same size, so positions never move between frames; cells
# narrow (down to 2.4em) only when the page is too narrow, then the grid scrolls.
GRID_CSS = """
.llada-view { --cell-w: 4.6em; --cell-h: 1.9em; font: 12px/1.2 ui-monospace, SFMono-Regular, Menlo,
  Consolas, "DejaVu Sans Mono", monospace; color: #111827; background: #ffffff; border: 1px solid #e5e7eb;
  border-radius: 12px; padding: 10px 12px; width: fit-content; max-width: 100%; box-sizing: border-box; }
.llada-view .llada-head { display: flex; gap: 14px; flex-wrap: wrap; margin: 0 0 8px; color: #374151; }
.llada-view .llada-head b { color: #111827; font-weight: 600; }
.llada-view .llada-grid { display: grid; grid-template-columns: repeat(var(--cols), minmax(2.4em, var(--cell-w)));
  grid-auto-rows: var(--cell-h); gap: 3px; overflow-x: auto; }
.llada-view .cell { box-sizing: border-box; width: 100%; height: var(--cell-h); padding: 0 4px;
  border-radius: 6px; border: 1px solid rgba(17, 24, 39, 0.08); background: #f9fafb;
  line-height: calc(var(--cell-h) - 2px);
  white-space: pre; overflow: hidden; text-overflow: ellipsis; text-align: center; cursor: default; }
.llada-view .cell.masked { background: #e5e7eb; color: #9ca3af; letter-spacing: 1px; }
.llada-view .cell.in-block { box-shadow: inset 0 -3px 0 #6366f1; }
.llada-view .cell.masked.in-block { background: #e0e7ff; color: #818cf8; }
.llada-view .cell.new { border: 2px solid #f59e0b; box-shadow: 0 0 0 3px rgba(245, 158, 11, 0.35);
  font-weight: 700; }
.llada-view .cell.stop { opacity: 0.5; font-style: italic; color: #6b7280; }
.llada-view .cell .ws { color: #9ca3af; }
.llada-view .cell[data-k] { cursor: pointer; }
.llada-view .cell.kept { background: #ffffff; }
.llada-view .cell.edited { outline: 2px dashed #7c3aed; outline-offset: -2px; color: #4c1d95; font-weight: 700; }
.llada-view .cell.kfocus { box-shadow: 0 0 0 3px #2563eb; }
.llada-view .llada-grid:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
.llada-view .cell.revised, .llada-view .cell.rechecked { position: relative; border: 2px solid #db2777; }
.llada-view .cell.rechecked { border-style: dotted; }
.llada-view .cell.revised::after, .llada-view .cell.rechecked::after { content: "↺" attr(data-remasks);
  position: absolute; top: -1px; right: 1px; font-size: 8px; line-height: 1; color: #be185d; font-weight: 700; }
.llada-view .llada-legend { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; margin-top: 8px;
  color: #4b5563; font-size: 11px; }
.llada-view .llada-legend .bar { display: inline-block; width: 96px; height: 10px; border-radius: 5px;
  vertical-align: middle; margin: 0 4px; border: 1px solid rgba(17, 24, 39, 0.1); }
.llada-view .llada-legend .swatch { display: inline-block; width: 1.6em; height: 1.1em; line-height: 1.1em;
  vertical-align: middle; margin-right: 4px; font-size: 10px; text-align: center; }
"""


CONTINUES = "◂"  # a cell whose bytes finish the character on the cell before it


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _faint_dots(count: int) -> str:
    """Edge spaces of a token as faint dots, so " the" and "the" look different."""
    return f'<span class="ws">{"·" * count}</span>' if count else ""


def cell_display_texts(trace: Trace, tokens, hidden) -> list[CellText]:
    """What each cell's text is, decided over the whole row: a character split over several byte-level tokens is
    drawn whole on its first cell and the cells after are marked as its continuation (`hidden`: cells that show
    no token text, masks and end labels, which no character spans)."""
    return cell_texts([None if hidden[i] else trace.token_bytes(int(t)) for i, t in enumerate(tokens)])


def _cell_text(trace: Trace, state: AnswerState, position: int, shown: CellText | None = None) -> str:
    """The inner HTML of one cell: the mask glyph, an end label, the token's visible text, or a continuation mark."""
    token = int(state.tokens[position])
    if state.masked[position]:
        return MASK_GLYPH * 2
    if state.stop[position]:
        return _attr(stop_label(trace, token))
    if shown is not None and shown.continues:  # the rest of the character drawn on an earlier cell
        return f'<span class="ws cont">{CONTINUES}</span>'
    text = shown.text if shown is not None else trace.texts.get(token, "")
    lead, middle, trail = split_edge_spaces(visible_text(text))
    if not (lead or middle or trail):
        return '<span class="ws">∅</span>'  # a token whose text decodes to nothing
    return _faint_dots(lead) + _attr(middle) + _faint_dots(trail)


def _cell_hover(trace: Trace, state: AnswerState, position: int, shown: CellText | None = None) -> str:
    """Hover text: what the cell holds, where it is, when and how confidently it was decided."""
    if state.masked[position]:
        if state.guess is None:
            return f"position {position} · masked\nno forward pass yet"
        guess = int(state.guess[position])
        if guess == trace.mask_id:  # the autoregressive baseline guesses only where it has reached
            return f"position {position} · masked\nno guess yet"
        probability = float(state.guess_confidence[position])
        return (
            f"position {position} · masked\n"
            f"best guess {quoted_text(trace.texts.get(guess, '?'))} (p = {probability:.3f})"
        )
    token = int(state.tokens[position])
    text = quoted_text(trace.texts.get(token, "?"))
    if shown is not None and shown.continues:
        text += f" · the rest of {quoted_text(shown.of)}, drawn on the cell before"
    elif shown is not None and shown.text != trace.texts.get(token, shown.text):
        text += f" · the cell shows {quoted_text(shown.text)} (a character split over tokens)"
    if state.stop[position]:
        text += " · end of answer"
    step = int(state.commit_step[position])
    when = f"committed at step {step}" if step else "committed"
    confidence = float(state.commit_confidence[position])
    probability = f"\np = {confidence:.3f}" if np.isfinite(confidence) else ""
    return f"{text}\nposition {position} · {when}{probability}"


def _origin_class(trace: Trace, state: AnswerState, position: int) -> str:
    """A branch's marks: "edited" where the person changed the cell, "kept" for a token carried over unchanged."""
    if trace.origin is None:
        return ""
    if position in trace.origin["edits"]:
        return "edited"
    kept = not state.masked[position] and state.commit_step[position] == 0 and not state.stop[position]
    return "kept" if kept else ""


def _cell_classes(state: AnswerState, position: int) -> str:
    classes = ["cell"]
    if state.masked[position]:
        classes.append("masked")
    else:
        classes.append("done")
        if state.new[position]:
            classes.append("new")
        if state.stop[position]:
            classes.append("stop")
    if state.block_range and state.block_range[0] <= position < state.block_range[1]:
        classes.append("in-block")
    if state.remasks is not None and state.remasks[position]:  # a revising strategy took it back
        classes.append("revised" if state.revisions[position] else "rechecked")
    return " ".join(classes)


def _revision_attr(state: AnswerState, position: int) -> str:
    """data-remasks (the times the cell went back to [MASK]): the corner badge of a revised cell."""
    remasks = 0 if state.remasks is None else int(state.remasks[position])
    return f' data-remasks="{remasks}"' if remasks else ""


def _revision_hover(state: AnswerState, position: int) -> str:
    """How often a revising strategy returned the cell to [MASK], and whether the token it got again differed."""
    remasks = 0 if state.remasks is None else int(state.remasks[position])
    if not remasks:
        return ""
    changed = int(state.revisions[position])
    return f"\nreturned to [MASK] {remasks}× · the next token differed {changed}×"


def _origin_hover(trace: Trace, position: int, mark: str) -> str:
    if mark == "kept":
        return f"\nkept from the run you branched from (its step {trace.origin['step']})"
    token = trace.origin["edits"][position]
    return "\nyou put the mask back here" if token == trace.mask_id else \
        f"\nyou changed this cell to {quoted_text(trace.texts.get(token, '?'))}"


def cell_html(trace: Trace, state: AnswerState, position: int, color_by: str,
              candidates: CellCandidates | None = None, shown: CellText | None = None) -> str:
    """One answer position as a grid cell: its text, state classes, colour and escaped hover.

    `candidates` (the model's top-k there) go in a compact data-k attribute that the page's script shows on
    hover and click (viz/candidates.js); only cells that have them carry one, to keep frames small.
    """
    style, mark = "", _origin_class(trace, state, position)
    classes = _cell_classes(state, position) + (f" {mark}" if mark else "")
    hover = _cell_hover(trace, state, position, shown) + (_origin_hover(trace, position, mark) if mark else "")
    hover += _revision_hover(state, position)
    extra = ""
    if candidates is not None:  # JSON in a single-quoted attribute: only & and ' need escaping there
        extra = " data-k='" + candidates_attr(trace, candidates).replace("&", "&amp;").replace("'", "&#39;") + "'"
    # A token a branch started with (kept or put there by the person) was not decided in this run: no colour.
    given = mark and state.commit_step[position] == 0
    if not given and not state.masked[position] and not state.stop[position]:
        color = cell_color(
            color_by, state.commit_confidence[position], int(state.commit_step[position]), state.total_steps
        )
        style = f' style="background:{color}"'
    return (
        f'<div class="{classes}"{style} data-pos="{position}"{_revision_attr(state, position)}{extra} '
        f'title="{_attr(hover)}">{_cell_text(trace, state, position, shown)}</div>'
    )


def header_html(trace: Trace, state: AnswerState) -> str:
    """The line above the grid: step, forward passes and the like."""
    parts = [
        f"step <b>{state.step}/{state.total_steps}</b>",
        f"NFE <b>{state.nfe}</b>",
        f"masks left <b>{state.masks_left}</b>",
        f"<b>{state.elapsed:.1f}</b> s",
    ]
    if trace.kind == "autoregressive":
        parts.append("autoregressive")
    return '<div class="llada-head">' + " · ".join(f"<span>{p}</span>" for p in parts) + "</div>"


def _gradient(scale: tuple[str, ...]) -> str:
    return f'<span class="bar" style="background:linear-gradient(90deg,{",".join(scale)})"></span>'


def legend_html(color_by: str, total_steps: int, show_block: bool = True, branch: bool = False,
                revised: bool = False) -> str:
    """The grid's legend: the colour scale in use, then what masked / new / end / block cells look like."""
    if color_by == "confidence":
        scale = f"confidence at commit 0{_gradient(CONFIDENCE_SCALE)}1"
    else:
        scale = f"committed at step 1{_gradient(STEP_SCALE)}{max(total_steps, 1)}"
    items = [
        f"<span>{scale}</span>",
        f'<span><span class="cell masked swatch">{MASK_GLYPH * 2}</span>masked</span>',
        '<span><span class="cell done new swatch">a</span>new this step</span>',
        '<span><span class="cell done stop swatch">⏎</span>end of answer</span>',
    ]
    if show_block:
        items.append('<span><span class="cell masked in-block swatch"></span>current block</span>')
    if revised:
        items.append('<span><span class="cell done revised swatch" data-remasks="1">a</span>taken back, then '
                     'changed</span>')
        items.append('<span><span class="cell done rechecked swatch" data-remasks="1">a</span>taken back, same token '
                     'again</span>')
    if branch:
        items.append('<span><span class="cell done edited swatch">a</span>you changed it</span>')
        items.append('<span><span class="cell done kept swatch">a</span>kept from the original</span>')
    return f'<div class="llada-legend" data-color-by="{_attr(color_by)}">' + "".join(items) + "</div>"


def render_grid(trace: Trace, step: int | None = None, color_by: str = "confidence", columns: int = 16) -> str:
    """HTML for a gr.HTML component: the answer after `step` steps as a fixed grid of cells.

    Step convention: `step=k` shows the state after the first k recorded steps, so 0 is the
    all-masked start and len(trace.steps) the last state; None means the last recorded step
    and negative values count back from it (-1 = last). Steps shown to people count from 1:
    a token from the record with `StepRecord.step == r` is "committed at step r + 1", and it
    is drawn as new (class "new") at k = r + 1.

    color_by: "confidence" colours committed cells by the model's probability at commit,
    "step" by when they were committed. columns: cells per row (the grid never reflows).
    Every piece of token text is HTML-escaped; hovers are `title` attributes.
    """
    if color_by not in ("confidence", "step"):
        raise ValueError(f"color_by must be 'confidence' or 'step', got {color_by!r}.")
    columns = max(int(columns), 1)
    state = answer_state(trace, step)
    found = cell_candidates(trace, state.step)
    shown = cell_display_texts(trace, state.tokens, state.masked | state.stop)
    cells = "".join(cell_html(trace, state, position, color_by, found.get(position), shown[position])
                    for position in range(trace.gen_length))
    # The grid takes keyboard focus (arrows move between cells, Enter opens a cell's candidates).
    focus = ' tabindex="0" aria-label="answer cells: arrows move, Enter shows candidates"' if found else ""
    legend = legend_html(color_by, state.total_steps, state.block_range is not None, trace.origin is not None,
                         revises(trace))
    return (
        f'<div class="llada-view" data-step="{state.step}" data-color-by="{color_by}">'
        f"{header_html(trace, state)}"
        f'<div class="llada-grid" style="--cols:{columns}"{focus}>{cells}</div>'
        f"{legend}</div>"
    )
