"""The explainer's diagrams, drawn from a real run: forward masking, reverse snapshots, one remasking step, blocks."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np

from ..characters import CellText
from ..trace import Trace
from .state import CONFIDENCE_SCALE, MASK_GLYPH, answer_state, quoted_text, scale_color, split_edge_spaces, visible_text
from .token_grid import CONTINUES, cell_display_texts

if TYPE_CHECKING:  # annotations only: modes.explain loads the engine, sampler and models, which drawing never needs
    from ..modes.explain import Explainer

DIAGRAM_CSS = """
.explainer { font: 14px/1.55 ui-sans-serif, system-ui, sans-serif; color: #111827; background: #ffffff;
  border: 1px solid #e5e7eb; border-radius: 12px; padding: 14px 18px; }
.explainer h3 { font-size: 16px; margin: 18px 0 4px; color: #111827; }
.explainer h3:first-child { margin-top: 0; }
.explainer p { margin: 2px 0 8px; color: #374151; max-width: 62em; }
.explainer .rows { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; align-items: center; }
.explainer .row-label { font: 12px ui-monospace, Menlo, Consolas, monospace; color: #4b5563; text-align: right; }
.explainer .mini { display: grid; grid-template-columns: repeat(var(--cols), minmax(2.2em, 3.6em)); gap: 2px; }
.explainer .c { font: 11px/1.7em ui-monospace, Menlo, Consolas, monospace; height: 1.7em; padding: 0 3px;
  border-radius: 4px; background: #f3f4f6; border: 1px solid rgba(17, 24, 39, 0.08); white-space: pre;
  overflow: hidden; text-overflow: ellipsis; text-align: center; }
.explainer .c.m { background: #e5e7eb; color: #9ca3af; }
.explainer .c.new { border: 2px solid #f59e0b; font-weight: 700; }
.explainer .c.guess { background: #ffffff; border: 1px dashed #9ca3af; color: #374151; font-style: italic; }
.explainer .c.kept { border: 2px solid #059669; font-style: normal; font-weight: 700; }
.explainer .c.later { opacity: 0.45; }
.explainer .ws { color: #9ca3af; }
.explainer .key { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: #4b5563; margin: 6px 0 2px; }
.explainer .key .c { display: inline-block; min-width: 1.8em; margin-right: 4px; }
"""

COLUMNS = 16


def _token_html(trace: Trace, token: int, shown: CellText | None = None) -> str:
    if token in trace.stop_ids:
        return "⏎"
    if shown is not None and shown.continues:  # the rest of a character drawn whole on the cell before
        return f'<span class="ws">{CONTINUES}</span>'
    text = shown.text if shown is not None else trace.texts.get(int(token), "")
    lead, middle, trail = split_edge_spaces(visible_text(text))
    dots = lambda n: f'<span class="ws">{"·" * n}</span>' if n else ""  # noqa: E731
    return dots(lead) + escape(middle) + dots(trail)


def _cell(trace: Trace, token: int, classes: str = "", hover: str = "", style: str = "",
          shown: CellText | None = None) -> str:
    masked = token == trace.mask_id
    inner = MASK_GLYPH * 2 if masked else _token_html(trace, token, shown)
    title = f' title="{escape(hover, quote=True)}"' if hover else ""
    style = f' style="{style}"' if style else ""
    return f'<div class="c{" m" if masked else ""} {classes}"{title}{style}>{inner}</div>'


def _whole(trace: Trace, tokens) -> list[CellText]:
    """Each cell's text decided over the whole row, so a character split over tokens shows whole (token_grid)."""
    tokens = np.asarray(tokens)
    return cell_display_texts(trace, tokens, (tokens == trace.mask_id) | np.isin(tokens, trace.stop_ids))


def _mini(trace: Trace, tokens: np.ndarray, new: np.ndarray | None = None) -> str:
    shown = _whole(trace, tokens)
    cells = [_cell(trace, int(t), "new" if new is not None and new[i] else "", shown=shown[i])
             for i, t in enumerate(tokens)]
    return f'<div class="mini" style="--cols:{COLUMNS}">{"".join(cells)}</div>'


def _rows(rows: list[tuple[str, str]]) -> str:
    return '<div class="rows">' + "".join(
        f'<div class="row-label">{escape(label)}</div><div>{content}</div>' for label, content in rows) + "</div>"


def forward_section(explainer: Explainer) -> str:
    trace = explainer.trace
    rows = [(f"t = {t:.2f}", _mini(trace, tokens)) for t, tokens in explainer.forward]
    return (
        "<h3>1 · Forward process: masking (how the model is trained)</h3>"
        "<p>Take a real answer (below: the one this model just wrote) and hide each token independently "
        "with probability <b>t</b>. At t = 0 nothing is hidden, at t = 1 everything is. In training, t is "
        "drawn at random and the Transformer learns to guess <i>every</i> hidden token from all the visible "
        "ones, on both sides; its loss is the cross-entropy on hidden tokens only, weighted by 1/t.</p>"
        + _rows(rows)
    )


def reverse_section(explainer: Explainer) -> str:
    trace = explainer.trace
    rows = []
    for count, fraction in explainer.snapshots:
        state = answer_state(trace, count)
        label = f"step {count}/{len(trace.steps)} ({fraction:.0%})"
        rows.append((label, _mini(trace, state.tokens, state.new)))
    s = trace.settings
    return (
        "<h3>2 · Reverse process: unmasking (how it writes)</h3>"
        f"<p>Writing runs the other way: start with all {s.gen_length} positions masked and, at every step, "
        "predict all masked positions at once in <b>one forward pass</b>, then commit some of the guesses. "
        f"Here {s.gen_length} tokens took {trace.nfe} forward passes ({s.gen_length / max(trace.nfe, 1):.1f} "
        "tokens per pass): the cost follows the number of steps, not the number of tokens. Orange borders: "
        "committed at the step shown.</p>" + _rows(rows)
    )


def remask_section(explainer: Explainer) -> str:
    trace = explainer.trace
    index = explainer.remask_step
    record = trace.steps[index]
    before = answer_state(trace, index).tokens
    lo, hi = record.block * trace.settings.block_length, (record.block + 1) * trace.settings.block_length
    committed = {int(p) for p in record.committed}
    cells = []
    # The row as drawn (committed tokens, and the guesses where masked), its characters decided over the whole row.
    shown = _whole(trace, np.where(before == trace.mask_id, record.predicted[: len(before)], before))
    for position, token in enumerate(before.tolist()):
        if token != trace.mask_id:
            cells.append(_cell(trace, token, shown=shown[position]))
            continue
        guess = int(record.predicted[position])
        probability = float(record.predicted_confidence[position])
        hover = f"guess {quoted_text(trace.texts.get(guess, '?'))}, p = {probability:.2f}"
        if position in committed:
            classes, hover = "guess kept", hover + " · kept (committed)"
        elif lo <= position < hi:
            classes, hover = "guess", hover + " · not sure enough: masked again"
        else:
            classes, hover = "guess later", hover + " · outside the current block: not allowed yet"
        color = scale_color(CONFIDENCE_SCALE, probability)
        cells.append(_cell(trace, guess, classes, hover, style=f"background:{color}", shown=shown[position]))
    kept = len(committed)
    in_block = sum(1 for p in range(lo, hi) if before[p] == trace.mask_id)
    key = ('<div class="key"><span><span class="c guess kept">ab</span>kept: committed this step</span>'
           '<span><span class="c guess">ab</span>guessed, then masked again</span>'
           '<span><span class="c guess later">ab</span>guessed outside the current block</span>'
           '<span>colour: confidence, red (low) to green (high)</span></div>')
    return (
        f"<h3>3 · One step up close: predict everything, keep the surest, remask the rest</h3>"
        f"<p>Step {index + 1}: the model guessed every masked position (dashed, in italics; hover for the "
        f"probability). Of the {in_block} masked positions in the current block, the sampler kept the {kept} "
        "it was most confident about and put the others back to [MASK] (<i>low-confidence remasking</i>); "
        "they will be guessed again next step, with more context. A committed token is never changed.</p>"
        + _rows([(f"step {index + 1}", f'<div class="mini" style="--cols:{COLUMNS}">{"".join(cells)}</div>')])
        + key
    )


def blocks_section(explainer: Explainer) -> str:
    s = explainer.trace.settings
    return (
        "<h3>4 · Semi-autoregressive blocks</h3>"
        f"<p>This run split its {s.gen_length} tokens into {s.num_blocks} blocks of {s.block_length} (one row "
        f"each above) with {s.steps_per_block} steps per block. The first block is finished before the second "
        "starts, so the answer grows left to right block by block, while inside a block the order is the "
        "model's own choice. Block length = answer length gives pure diffusion; block length 1 is "
        "autoregression (one token per forward pass).</p>"
    )


def render_explainer(explainer: Explainer) -> str:
    """The whole explainer as one HTML block; every token text is escaped."""
    trace = explainer.trace
    answer = escape(trace.answer_text())
    header = (f'<p><b>The run drawn here</b> ({escape(trace.model_name)}, {trace.nfe} forward passes, '
              f"{trace.elapsed:.2f} s): <i>{answer}</i></p>")
    return ('<div class="explainer">' + header + forward_section(explainer) + reverse_section(explainer)
            + remask_section(explainer) + blocks_section(explainer) + "</div>")
