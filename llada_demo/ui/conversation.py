"""The chat's conversation: what the person sees, what the model reads, and fitting it into the context.

The chat history travels through the browser (and API callers) as display messages. A display answer
may carry notes meant for the person only (stopped, failed, empty answer): they follow the answer's text
after NOTE_SEPARATOR, an invisible marker, so `model_messages` can always take them off again. Mask
glyphs of a stopped answer are display-only too: the model reads a stopped answer up to its first gap.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch

from ..errors import SettingsError
from ..models.tokenizer import chat_prompt_ids
from ..sampling import SamplingSettings, nearest_valid
from ..viz.state import MASK_GLYPH

# U+2063 (invisible separator) starts a note: never typed by people nor written by the models here.
NOTE_SEPARATOR = "\u2063"
STREAMING_PLACEHOLDER = "…"  # the bubble before the first token is committed
# A history message longer than this is left out without tokenizing it (it could not fit any context
# the app offers, and tokenizing megabytes would stall the run before it starts).
MAX_HISTORY_MESSAGE_CHARS = 40_000
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


@dataclass(frozen=True)
class FittedPrompt:
    """The prompt ids the run will use and how many earlier exchanges were left out to fit the context."""

    ids: torch.LongTensor
    left_out: int
    limit: int | None

    def notice(self) -> str:
        if not self.left_out:
            return ""
        turns = "turn" if self.left_out == 1 else "turns"
        return f"ℹ️ {self.left_out} earlier {turns} left out to fit the {self.limit}-token context."


def _exchanges(messages: list[dict]) -> list[list[dict]]:
    """Earlier messages grouped as exchanges (a user turn and the answers after it), oldest first."""
    groups: list[list[dict]] = []
    for message in messages:
        if message["role"] == "user" or not groups:
            groups.append([message])
        else:
            groups[-1].append(message)
    return groups


def fit_context(tokenizer, messages: list[dict], settings: SamplingSettings, limit: int | None,
                answer_step: int = 8) -> FittedPrompt:
    """Prompt ids for `messages` (the newest last) that leave room for the answer of `settings`.

    The oldest exchanges are left out until the rest fits. Only when the newest message alone cannot
    fit is it refused, before any run, with the nearest settings whose answer fits (a length that is a
    multiple of `answer_step`, the answer slider's step).
    """
    gen_length = settings.gen_length
    newest, earlier = messages[-1:], _exchanges(messages[:-1])
    ids = chat_prompt_ids(tokenizer, newest)
    if limit is not None and ids.shape[1] + gen_length > limit:
        room = limit - ids.shape[1]
        # Keep the block length where it can stay (a multiple of it), else the slider's step.
        unit = settings.block_length if settings.block_length <= room and settings.num_blocks > 1 else answer_step
        fitting = room // unit * unit
        if fitting < answer_step:
            raise SettingsError(
                f"The message alone takes {ids.shape[1]} tokens of the model's {limit}-token context, which "
                f"leaves no room for an answer: shorten the message.")
        raise SettingsError(
            f"The message takes {ids.shape[1]} tokens; with an answer of {gen_length} it exceeds the model's "
            f"{limit}-token context: set the answer length to {fitting} or less, or shorten the message.",
            suggestion=nearest_valid(settings, gen_length=fitting))
    kept: list[list[dict]] = []
    for exchange in reversed(earlier):  # newest first: stop at the first exchange that no longer fits
        if any(len(m["content"]) > MAX_HISTORY_MESSAGE_CHARS for m in exchange):
            break
        candidate = chat_prompt_ids(tokenizer, [m for e in [exchange, *kept] for m in e] + newest)
        if limit is not None and candidate.shape[1] + gen_length > limit:
            break
        kept.insert(0, exchange)
        ids = candidate
    return FittedPrompt(ids=ids, left_out=len(earlier) - len(kept), limit=limit)
