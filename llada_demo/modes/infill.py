"""Fill in anywhere: text with [MASK] gaps becomes a prompt + answer template; both models take the request."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..engine import add_texts, autoregressive_records, autoregressive_trace, diffusion_records, diffusion_trace
from ..errors import SettingsError
from ..models.context import context_limit
from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids, neutralize_special_tokens
from ..prompt import clean_message
from ..sampling import SamplingSettings
from ..scoring.judge import same_vocabulary
from ..trace import StepRecord, Trace
from .common import chat_ids, check_kind, clean_prompt
from .placed_words import ASK_IN_PROMPT, with_words
from .race import Lane, race

MAX_MASKS = 256
MAX_TEXT_CHARS = 2000
# [MASK] = one token; [MASK*N] (also ×N or xN) or just [N] = N tokens. Case and inner spaces don't matter.
MASK_MARK = re.compile(r"\[\s*(?:mask\s*(?:[*×x]\s*(?P<times>\d+))?|(?P<count>\d+))\s*\]", re.IGNORECASE)
# Anything else that opens like a mask is a typo, not text to keep: "[MASK*]", "[mask 3]", "[MASK".
MASK_LIKE = re.compile(r"\[\s*mask\b[^\]\n]{0,20}\]?", re.IGNORECASE)
SYNTAX_HELP = "Write [MASK] for one missing token, [MASK*5] or [5] for five."


def parse_masks(text: str) -> list[str | int]:
    """Split text into literal pieces (str) and gaps (int: how many masked tokens).

    Raises SettingsError for empty text, no gap, a malformed marker, a gap of 0, or more than
    MAX_MASKS masked tokens in all.
    """
    if not str(text or "").strip():
        raise SettingsError(f"The text is empty: write some text with gaps. {SYNTAX_HELP}")
    text = clean_message(str(text))
    if len(text) > MAX_TEXT_CHARS:
        raise SettingsError(f"The text is {len(text)} characters long; keep it under {MAX_TEXT_CHARS}.")
    pieces: list[str | int] = []
    position = 0
    for match in MASK_MARK.finditer(text):
        literal = text[position:match.start()]
        _check_literal(literal)
        count = int(match.group("times") or match.group("count") or 1)
        if count < 1:
            raise SettingsError(f"{match.group(0)!r} asks for no tokens: a gap needs at least one. {SYNTAX_HELP}")
        if count > MAX_MASKS:
            raise SettingsError(f"{match.group(0)!r} asks for {count} tokens; at most {MAX_MASKS} masked in all.")
        if literal:
            pieces.append(literal)
        if pieces and isinstance(pieces[-1], int):
            pieces[-1] += count  # two adjacent gaps are one gap
        else:
            pieces.append(count)
        position = match.end()
    rest = text[position:]
    _check_literal(rest)
    if rest:
        pieces.append(rest)
    total = sum(p for p in pieces if isinstance(p, int))
    if total == 0:
        raise SettingsError(f"There is no gap to fill. {SYNTAX_HELP}")
    if total > MAX_MASKS:
        raise SettingsError(f"The gaps ask for {total} tokens in all; at most {MAX_MASKS}.")
    return pieces


def _check_literal(literal: str) -> None:
    bad = MASK_LIKE.search(literal)
    if bad:
        raise SettingsError(f"Cannot read the gap marker {bad.group(0)!r}. {SYNTAX_HELP}")


@dataclass(frozen=True)
class InfillTemplate:
    """A fill-in request as the sampler takes it.

    prompt_ids: [1, P] what the model reads first (BOS, or a chat turn with the instruction);
    answer: [L] ids, the mask id in the gaps; given: [L] bool, the user's fixed tokens;
    prefix_length: tokens before the first gap (all an autoregressive model can continue from).
    """

    prompt_ids: torch.LongTensor
    answer: torch.LongTensor
    given: np.ndarray
    prefix_length: int
    mask_id: int

    @property
    def length(self) -> int:
        return int(self.answer.numel())

    @property
    def masks(self) -> int:
        return int((~self.given).sum())

    def given_ids(self) -> np.ndarray:
        """[L] the user's token where given, the mask id in the gaps (what views compare with)."""
        return self.answer.numpy().astype(np.int32)


def build_template(loaded: LoadedModel, pieces: list[str | int], instruction: str = "") -> InfillTemplate:
    """Tokenize the pieces into an answer template.

    With an instruction, the prompt is that chat turn and the template ends with the end-of-turn
    token (the answer is the whole text); without, the prompt is just BOS (plain text, as in
    pretraining). A space before a gap is left out of the text before it: the words the model
    writes carry their own leading space, as the byte-level tokens after a gap do.
    """
    tokenizer, special = loaded.tokenizer, loaded.special
    ids: list[int] = []
    for index, piece in enumerate(pieces):
        if isinstance(piece, int):
            ids += [special.mask] * piece
            continue
        if index + 1 < len(pieces):
            piece = piece.rstrip(" ")
        if piece:  # typed "<|eot_id|>" and the like stay text, never control tokens
            ids += tokenizer(neutralize_special_tokens(piece), add_special_tokens=False)["input_ids"]
    if str(instruction or "").strip():
        prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": clean_prompt(instruction)}])
        ids.append(special.eot if special.eot is not None else special.eos)
    else:
        prompt = torch.tensor([[special.bos if special.bos is not None else special.eos]], dtype=torch.long)
    answer = torch.tensor(ids, dtype=torch.long)
    given = (answer != special.mask).numpy()
    limit = context_limit(loaded.model)
    if limit is not None and prompt.shape[1] + len(ids) > limit:
        raise SettingsError(f"The text with its gaps is {len(ids)} tokens and the prompt {prompt.shape[1]}; "
                            f"{loaded.spec.name} reads at most {limit} in all: shorten the text or the gaps.")
    return InfillTemplate(prompt_ids=prompt, answer=answer, given=given, prefix_length=int(np.argmin(given)),
                          mask_id=special.mask)


def infill_settings(template: InfillTemplate, steps: int | None = None, strategy: str = "low_confidence",
                    temperature: float = 0.0, seed: int | None = 0, threshold: float = 0.9) -> SamplingSettings:
    """One block over the whole text; `steps` (default: one per masked token) capped at the number of masks."""
    steps = template.masks if steps in (None, 0) else min(int(steps), template.masks)
    return SamplingSettings(gen_length=template.length, steps=max(steps, 1), block_length=template.length,
                            strategy=strategy, temperature=temperature, seed=seed, threshold=threshold)


def diffusion_lane(loaded: LoadedModel, template: InfillTemplate, settings: SamplingSettings) -> Lane:
    trace = diffusion_trace(loaded, template.prompt_ids, settings, answer=template.answer)
    records = diffusion_records(loaded.model, template.prompt_ids, settings, answer=template.answer)
    return Lane(trace, records, loaded.tokenizer)


def _shifted(records: Iterator[StepRecord], prefix: np.ndarray) -> Iterator[StepRecord]:
    """AR records over the text after the prefix, re-indexed over the whole text (the prefix as given)."""
    ones = np.ones(len(prefix), dtype=np.float32)
    for record in records:
        yield StepRecord(
            step=record.step, block=0, tokens=np.concatenate([prefix, record.tokens]),
            committed=record.committed + len(prefix), committed_confidence=record.committed_confidence,
            predicted=np.concatenate([prefix, record.predicted]),
            predicted_confidence=np.concatenate([ones, record.predicted_confidence]),
            nfe=record.nfe, elapsed=record.elapsed,
        )


def autoregressive_lane(loaded: LoadedModel, template: InfillTemplate, temperature: float = 0.0,
                        seed: int | None = 0, prompt_ids: torch.LongTensor | None = None) -> Lane:
    """What an AR model can do with the request: continue from the text before the first gap, to the same length.

    It never sees the text after the gap, so it writes over it (the view shows where). `prompt_ids`
    replaces the template's prompt (the words it must use, asked for in the chat turn).
    """
    prompt_ids = template.prompt_ids if prompt_ids is None else prompt_ids
    prefix = template.answer[: template.prefix_length]
    ar_input = torch.cat([prompt_ids[0], prefix])[None]
    length = template.length - template.prefix_length
    # One block over the whole text and one step per written token: the grid aligns with the diffusion one.
    settings = SamplingSettings(gen_length=template.length, steps=length, block_length=template.length,
                                temperature=temperature, seed=seed)
    trace = autoregressive_trace(loaded, prompt_ids, settings)
    trace.initial = np.concatenate([prefix.numpy(), np.full(length, template.mask_id)]).astype(np.int32)
    add_texts(trace, loaded.tokenizer, template.given_ids())
    own = SamplingSettings(gen_length=length, steps=length, block_length=1, temperature=temperature, seed=seed)
    records = autoregressive_records(loaded.model, ar_input, own, mask_id=loaded.special.mask,
                                     stop_ids=loaded.special.stops)
    return Lane(trace, _shifted(records, prefix.numpy().astype(np.int32)), loaded.tokenizer)


def words_prompt(loaded: LoadedModel, instruction: str, words: Sequence[str]) -> torch.LongTensor:
    """[1, P] the chat turn that asks for the words (after the instruction, if any): all an AR model can be given."""
    return chat_ids(loaded, with_words(str(instruction or ""), words))


def infill_stream(diffusion: LoadedModel, autoregressive: LoadedModel | None, text: str, instruction: str = "",
                  steps: int | None = None, strategy: str = "low_confidence", temperature: float = 0.0,
                  seed: int | None = 0, words: Sequence[str] = ()) -> tuple[InfillTemplate, Iterator[tuple[Trace, ...]]]:
    """Parse, build the template, and race the diffusion fill-in against the AR continuation (if given).

    `words` the answer must use (placed in the text by placed_words, or typed there): the AR model is asked
    for them in its prompt; the diffusion model too where it has an instruction and ASK_IN_PROMPT says so.
    """
    check_kind(diffusion, "diffusion")
    told = with_words(str(instruction), words) if words and ASK_IN_PROMPT and str(instruction or "").strip() \
        else instruction
    template = build_template(diffusion, parse_masks(text), told)
    settings = infill_settings(template, steps, strategy, temperature, seed)
    lanes = [diffusion_lane(diffusion, template, settings)]
    if autoregressive is not None:
        check_kind(autoregressive, "autoregressive")
        if not same_vocabulary(diffusion, autoregressive):
            raise SettingsError(f"{autoregressive.spec.name} uses another tokenizer than {diffusion.spec.name}: "
                                "the fill-in comparison needs the same tokens in both grids.")
        prompt = words_prompt(autoregressive, instruction, words) if words else None
        lanes.append(autoregressive_lane(autoregressive, template, temperature, seed, prompt))
    return template, race(lanes)
