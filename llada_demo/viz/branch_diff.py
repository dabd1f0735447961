"""What a branch changed: the original answer and the branch's, word by word, as one escaped HTML diff."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

from ..trace import Trace
from .stats import preview_text

DIFF_CSS = """
.llada-diff { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; background: #ffffff;
  border: 1px solid #e5e7eb; border-radius: 10px; padding: 10px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.llada-diff .llada-diff-head { color: #4b5563; font-size: 12px; margin-bottom: 6px; white-space: normal; }
.llada-diff del { background: #fee2e2; color: #991b1b; text-decoration: line-through; }
.llada-diff ins { background: #dcfce7; color: #166534; text-decoration: none; font-weight: 600; }
"""

_WORDS = re.compile(r"\s+|\S+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def word_diff(original: str, branch: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: "same", "del" (only in the original) or "ins" (only in the branch), in order."""
    a, b = _words(original), _words(branch)
    pieces = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def render_branch_diff(original: Trace, branch: Trace) -> str:
    """The branch's answer against the original's: words only in the original struck out, the branch's new
    words highlighted (masks still open are shown as ░ while the branch runs)."""
    pieces = word_diff(preview_text(original), preview_text(branch))
    changed = sum(len(text.split()) for kind, text in pieces if kind == "ins")
    body = "".join(escape(text) if kind == "same" else f"<{kind}>{escape(text)}</{kind}>" for kind, text in pieces)
    head = (f"Original → branch: {changed} word(s) new in the branch (struck out: only in the original; "
            "highlighted: only in the branch).")
    return f'<div class="llada-diff"><div class="llada-diff-head">{head}</div>{body}</div>'
