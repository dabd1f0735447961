"""What a person reads when something needs their attention: settings to change, a failed or stopped run."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import torch

from ..config import limits
from ..errors import SettingsError

if TYPE_CHECKING:
    from ..engine import BackgroundRun


# The quoted values in a message ('…', "…", “…”: what the person typed, echoed back) and its own code spans
# (`12 = dog`), found left to right so that a backtick typed inside a quote stays part of the quote.
_PIECE = re.compile(r"""(?P<quoted>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|“[^”\n]*”)|(?P<code>`[^`\n]*`)""")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def as_text(message: str) -> str:
    """A message for a Markdown notice in which what the person typed shows as text, never as HTML or Markdown.

    Everything but the message's own code spans is HTML-escaped (a typed `<img onerror=…>` shows as those
    characters), and the Markdown characters inside quoted values are backslash-escaped (a typed `**x**` or
    `[a](b)` shows as typed). Lone surrogates (which no page can show) become "?".
    """
    message = message.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(message) else message
    parts, cursor = [], 0
    for match in _PIECE.finditer(message):
        parts.append(html.escape(message[cursor:match.start()], quote=False))
        if match.group("code"):
            parts.append(match.group("code"))
        else:
            parts.append(_MARKDOWN.sub(r"\\\1", html.escape(match.group("quoted"), quote=False)))
        cursor = match.end()
    parts.append(html.escape(message[cursor:], quote=False))
    return "".join(parts)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def error_notice(error: SettingsError) -> str:
    """A settings or input problem: what to change, and the nearest valid settings when there are some."""
    text = f"⚠️ {as_text(str(error))}"
    if error.suggestion is not None:
        s = error.suggestion
        text += (f"\n\nNearest valid: answer length **{s.gen_length}**, steps **{s.steps}**, "
                 f"block length **{s.block_length}** (press *Use nearest valid settings*).")
    return text


def failure_notice(error: BaseException) -> str:
    """What a user sees when a run fails: what to change, never a stack trace."""
    if isinstance(error, SettingsError):
        return error_notice(error)
    if isinstance(error, torch.OutOfMemoryError):
        return ("⚠️ The device ran out of memory during this run (memory has been freed). Try a shorter answer, "
                "no CFG, or a smaller model.")
    return f"⚠️ The run failed ({type(error).__name__}). Try again, or a shorter answer or fewer steps."


def end_notice(run: BackgroundRun, stopped: bool) -> str:
    """The notice under a run that ended: empty when it finished, else why it stopped."""
    if run.timed_out:
        return (f"⏱ The run stopped at its time budget of {limits()['run_seconds']} s: try fewer steps, a shorter "
                "answer or fewer settings.")
    return "⏹ Stopped." if stopped else ""
