"""A text view of a run for the CLI's live display: the answer with masks, and a status line."""

from __future__ import annotations

import unicodedata

from ..characters import cell_texts
from ..trace import Trace
from .state import MASK_GLYPH, AnswerState, answer_state

STOP_GLYPH = "⏎"
RESET = "\x1b[0m"
# Bold green reads on dark and light terminals alike; masks grey, end tokens dim.
STYLES = {"new": "\x1b[1;32m", "masked": "\x1b[90m", "stop": "\x1b[2m", "plain": ""}


def _safe_char(char: str) -> str:
    """Keep newlines; turn tabs into spaces and any other control character (ESC included, which
    could otherwise drive the terminal from inside a token) into a visible picture."""
    code = ord(char)
    if char == "\n":
        return char
    if char == "\t":
        return "    "
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F or 0x80 <= code <= 0x9F:
        return "�"
    return char


def _char_width(char: str) -> int:
    """Terminal columns a character takes: 2 for wide East Asian, 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _segments(trace: Trace, state: AnswerState) -> list[tuple[str, str]]:
    """(text, kind) per answer position, kind being one of STYLES' keys."""
    segments = []
    # Text decided over runs of tokens: a character split over several tokens is written whole, once.
    shown = cell_texts([None if state.masked[i] or state.stop[i] else trace.token_bytes(int(t))
                        for i, t in enumerate(state.tokens)])
    for position in range(len(state.tokens)):
        if state.masked[position]:
            segments.append((MASK_GLYPH, "masked"))
        elif state.stop[position]:
            segments.append((STOP_GLYPH, "stop"))
        else:
            text = "".join(_safe_char(c) for c in shown[position].text)
            segments.append((text, "new" if state.new[position] else "plain"))
    return segments


def _wrap(segments: list[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """Break the styled text into lines of at most `width` columns, keeping the answer's newlines."""
    lines: list[list[tuple[str, str]]] = [[]]
    column = 0
    for text, kind in segments:
        for char in text:
            if char == "\n":
                lines.append([])
                column = 0
                continue
            size = _char_width(char)
            if column + size > width and column > 0:
                lines.append([])
                column = 0
            line = lines[-1]
            if line and line[-1][1] == kind:
                line[-1] = (line[-1][0] + char, kind)
            else:
                line.append((char, kind))
            column += size
    return lines


def _paint(line: list[tuple[str, str]], color: bool) -> str:
    if not color:
        return "".join(text for text, _ in line)
    # Each run is closed on its own line, so a style never bleeds into the status line.
    return "".join(f"{STYLES[kind]}{text}{RESET}" if STYLES[kind] else text for text, kind in line)


def _status(trace: Trace, state: AnswerState) -> str:
    line = f"step {state.step}/{state.total_steps}  NFE {state.nfe}  masks {state.masks_left}  {state.elapsed:.1f}s"
    return line + ("  (autoregressive)" if trace.kind == "autoregressive" else "")


def status_line(trace: Trace, step: int | None = None) -> str:
    """"step s/N  NFE n  masks m  t.s" for the state after `step` steps (see render_terminal)."""
    return _status(trace, answer_state(trace, step))


def render_terminal(trace: Trace, step: int | None = None, width: int = 80, color: bool = True) -> str:
    """The status line, then the answer wrapped to `width` columns; returns text, prints nothing.

    `step` follows the token grid's convention: the state after the first `step` steps (0 =
    all masked, None = the last recorded step, negative counts back from it). Each masked
    token is one "░", each EOS/EOT one "⏎" (dimmed), tokens committed at this very step are
    bold green when `color` is true. Control characters in token texts are made harmless.
    """
    state = answer_state(trace, step)
    lines = _wrap(_segments(trace, state), max(int(width), 1))
    return "\n".join([_status(trace, state), *(_paint(line, color) for line in lines)])
