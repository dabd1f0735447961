"""The chat's conversation: what the person sees and what the model reads (modes/chat.py fits it into the context).

The chat history travels through the browser (and API callers) as display messages. A display answer
may carry notes meant for the person only (stopped, failed, empty answer): they follow the answer's text
after NOTE_SEPARATOR, an invisible marker, so `model_messages` can always take them off again. Mask
glyphs of a stopped answer are display-only too: the model reads a stopped answer up to its first gap.
"""

from __future__ import annotations

import html

from ..errors import SettingsError
from ..viz.state import MASK_GLYPH

# U+2063 (invisible separator) starts a note: never typed by people nor written by the models here.
NOTE_SEPARATOR = "\u2063"
STREAMING_PLACEHOLDER = "…"  # the bubble before the first token is committed
# What a conversation sent with a message may hold at most: far more than a person types in a session
# (the model reads only what fits its context), far less than would cost seconds to read.
MAX_HISTORY_MESSAGES = 400
MAX_HISTORY_CHARS = 400_000


def check_history(history) -> list:
    """The chat history an API caller (or the page) sent, checked before anything reads it, or a SettingsError."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise SettingsError(f"The chat history must be a list of messages, got {type(history).__name__}.")
    if len(history) > MAX_HISTORY_MESSAGES:
        raise SettingsError(f"The conversation has {len(history):,} messages; the limit is {MAX_HISTORY_MESSAGES}: "
                            "press Clear to start a new one.")
    total = 0
    for index, message in enumerate(history):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise SettingsError(f"Chat history message {index + 1} must be a {{'role': 'user' or 'assistant', "
                                "'content': text}} object.")
        total += len(_content(message))
        if total > MAX_HISTORY_CHARS:
            raise SettingsError(f"The conversation is over {MAX_HISTORY_CHARS:,} characters long: press Clear to "
                                "start a new one.")
    return list(history)


def display_answer(text: str, note: str = "") -> str:
    """An assistant bubble: the answer's text, then (for the person only) a note."""
    if not note:
        return text
    return (text + "\n\n" if text else "") + NOTE_SEPARATOR + note


def answer_for_model(content: str) -> str:
    """What the model reads of an earlier answer: notes off, and a stopped answer only up to its first gap."""
    text = content.split(NOTE_SEPARATOR, 1)[0].rstrip()
    if text.strip() == STREAMING_PLACEHOLDER:
        return ""
    return text.split(MASK_GLYPH, 1)[0].rstrip()


def _content(message) -> str:
    content = message.get("content", "") if isinstance(message, dict) else ""
    if isinstance(content, list):  # Gradio may hand content back as parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def model_messages(history) -> list[dict]:
    """Chatbot messages (HTML-escaped for display) as the clean {"role", "content"} turns the model reads.

    Notes and mask glyphs are taken off answers. An exchange whose answer has no text (the run failed,
    was stopped before its first token, or the model ended at once) is left out whole: the model never
    reads a failure, and an unanswered question is asked afresh.
    """
    messages: list[dict] = []
    for message in history or []:
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            continue
        content = html.unescape(_content(message))
        if role == "assistant":
            content = answer_for_model(content)
            if not content.strip():
                if messages and messages[-1]["role"] == "user":
                    messages.pop()
                continue
        messages.append({"role": role, "content": content})
    return messages
