"""Quality of an answer, measured: the AR twin's perplexity of it and the diffusion model's own log-probabilities."""

from __future__ import annotations

import math

import numpy as np
import torch

from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids
from ..trace import Trace
from .answer import cut_at_stop
from .judge import answer_bound, answer_nll, reencoded, same_vocabulary


def answer_through_stop(trace: Trace) -> list[int]:
    """The answer's ids through its first end marker (kept: stopping is part of the answer), masks left out."""
    return cut_at_stop(trace.answer_ids, trace.stop_ids, keep_stop=True, mask_id=trace.mask_id).ids


def twin_perplexity(judge: LoadedModel, source: LoadedModel, prompt: str, trace: Trace) -> tuple[float, float]:
    """(perplexity, NLL per token) of the answer under an autoregressive judge, given the same chat prompt.

    With a shared vocabulary the answer's own ids are scored; otherwise its text is re-encoded
    with the judge's tokenizer (then the end marker is the judge's last stop token).
    """
    if same_vocabulary(judge, source):
        prompt_ids = trace.prompt_ids
        answer = answer_through_stop(trace)
    else:
        prompt_ids = chat_prompt_ids(judge.tokenizer, [{"role": "user", "content": prompt}])[0]
        finished = trace.answer_end() < trace.gen_length
        answer = reencoded(judge.tokenizer, trace.answer_text(), judge.special.stops[-1] if finished else None)
    if not answer:
        return float("nan"), float("nan")
    total, count = answer_nll(judge.model, prompt_ids, answer)
    nll = total / max(count, 1)
    return math.exp(nll), nll


def diffusion_bound(loaded: LoadedModel, trace: Trace, samples: int = 4, seed: int = 0) -> float:
    """The diffusion model's NLL bound per token of its whole answer region (EOS padding included),
    estimated with `samples` Monte Carlo maskings in one batch."""
    if bool(np.any(trace.answer_ids == trace.mask_id)):
        return float("nan")  # an unfinished answer has nothing to score at its masks
    generator = torch.Generator().manual_seed(seed)
    return answer_bound(loaded.model, trace.prompt_ids, trace.answer_ids, max(int(samples), 1), generator)


def mean_commit_log_prob(trace: Trace) -> float:
    """Mean log of the probability each answer token had when the sampler committed it (through the end marker).

    The sampler's own confidence in what it wrote: it falls when too few steps force it to
    commit tokens it was unsure of.
    """
    end = trace.answer_end()
    confidences = trace.commit_confidences()[: end + 1]
    confidences = confidences[np.isfinite(confidences)]
    if confidences.size == 0:
        return float("nan")
    return float(np.mean(np.log(np.clip(confidences, 1e-12, 1.0))))
