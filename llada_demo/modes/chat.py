"""The chat's run, UI-free: a message (with the earlier turns and any placed words) fitted into the model's context,
then sampled into a trace, as the other modes' runs are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from ..engine import stream_trace
from ..errors import SettingsError
from ..models.context import context_limit
from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids
from ..sampling import SamplingSettings, nearest_valid
from ..trace import Trace
from .placed_words import ASK_IN_PROMPT, Placement, WordRequest, place_words, with_words

# A history message longer than this is left out without tokenizing it (it could not fit any context
# the app offers, and tokenizing megabytes would stall the run before it starts).
MAX_HISTORY_MESSAGE_CHARS = 40_000


def reads_earlier_turns(spec, remember) -> bool:
    """The "Remember earlier turns" box, or the model's own flag where a caller leaves the box out (None)."""
    return spec.reads_earlier_turns if remember is None else bool(remember)


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


@dataclass(frozen=True)
class ChatPlan:
    """A chat turn ready to run: the user's message as the model reads it, the prompt ids fitted into the
    context, the settings, and the words placed in the answer (None without)."""

    message: str
    fitted: FittedPrompt
    settings: SamplingSettings
    placement: Placement | None

    @property
    def words(self) -> tuple[str, ...]:
        """The words placed in the answer (checked in its text at the end)."""
        return self.placement.words if self.placement else ()


def plan_chat(loaded: LoadedModel, message: str, earlier: list[dict], settings: SamplingSettings,
              requests: Sequence[WordRequest] = ()) -> ChatPlan:
    """The turn for `message` after the `earlier` turns the model reads ({"role", "content"}, oldest first), or a
    SettingsError saying what to change (a word that does not fit, a message too long for the context).

    `requests` are fixed at spread positions of the answer before it starts; where the prompt asks for them too
    (placed_words.ASK_IN_PROMPT), the message says so.
    """
    placement = place_words(loaded.tokenizer, requests, settings.gen_length, loaded.special.mask) \
        if requests else None
    if placement is not None and ASK_IN_PROMPT:
        message = with_words(message, placement.words)  # the bubble shows what the model reads
    fitted = fit_context(loaded.tokenizer, earlier + [{"role": "user", "content": message}], settings,
                         context_limit(loaded.model))
    return ChatPlan(message=message, fitted=fitted, settings=settings, placement=placement)


def chat_stream(loaded: LoadedModel, plan: ChatPlan) -> Iterator[Trace]:
    """The turn's run: the growing trace of its answer, the placed words fixed from the start."""
    placement = plan.placement
    return stream_trace(loaded, plan.fitted.ids, plan.settings, answer=placement.template if placement else None,
                        forbid=placement.forbid(loaded.tokenizer) if placement else None)
