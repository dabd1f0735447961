"""One answer after its prompt, scored: an autoregressive judge's NLL of it, the diffusion model's bound on it."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..models.registry import LoadedModel
from .likelihood import autoregressive_nll, diffusion_nll_bound


def _after_prompt(prompt_ids, answer_ids) -> tuple[torch.LongTensor, torch.Tensor]:
    """[1, L + A] prompt then answer (on the prompt's device), and which positions are the answer's."""
    prompt = torch.as_tensor(prompt_ids).reshape(-1).long()
    answer = torch.as_tensor(answer_ids, dtype=torch.long, device=prompt.device).reshape(-1)
    ids = torch.cat([prompt, answer])[None]
    scored = torch.zeros_like(ids, dtype=torch.bool)
    scored[0, len(prompt):] = True
    return ids, scored


def answer_nll(judge, prompt_ids, answer_ids) -> tuple[float, int]:
    """(sum of the judge's -log p over the answer's tokens given the prompt, number of tokens).

    An empty answer scores (0.0, 0) without a forward pass; pool answers by summing both before dividing.
    """
    if len(answer_ids) == 0:
        return 0.0, 0
    total, count = autoregressive_nll(judge, *_after_prompt(prompt_ids, answer_ids))
    return float(total[0]), int(count[0])


def answer_bound(model, prompt_ids, region, samples: int, generator: torch.Generator | None,
                 batch_size: int = 64) -> float:
    """The diffusion model's NLL bound per token of a whole answer region (all gen_length tokens, EOS padding
    included: the diffusion model wrote the padding too) given the prompt."""
    return float(diffusion_nll_bound(model, *_after_prompt(prompt_ids, region), samples, generator, batch_size)[0])


def reencoded(tokenizer, text: str, end_id: int | None) -> list[int]:
    """An answer's text in a judge's own tokens (another vocabulary), then `end_id` when the answer finished."""
    return tokenizer(text, add_special_tokens=False)["input_ids"] + ([end_id] if end_id is not None else [])


def same_vocabulary(a: LoadedModel, b: LoadedModel) -> bool:
    """Can token ids of one model be fed to the other (the embedded twins share one tokenizer)?"""
    return a.tokenizer is b.tokenizer or (
        len(a.tokenizer) == len(b.tokenizer) and a.special == b.special
        and a.tokenizer.get_vocab() == b.tokenizer.get_vocab())


def pooled(scores: Sequence[tuple[float, int]]) -> tuple[float, int]:
    """(total NLL, tokens) of several answers: per-token NLL over all of them is total / tokens."""
    return sum(total for total, _ in scores), sum(count for _, count in scores)
