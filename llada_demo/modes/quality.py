"""Quality of an answer, measured: the AR twin's perplexity of it and the diffusion model's own log-probabilities."""

from __future__ import annotations

import math

import numpy as np
import torch

from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids
from ..trace import Trace
from ..train.likelihood import autoregressive_nll, diffusion_nll_bound
from .common import same_vocabulary


def answer_through_stop(trace: Trace) -> list[int]:
    """The answer's ids through its first end marker (kept: stopping is part of the answer), masks left out."""
    ids = trace.answer_ids
    end = trace.answer_end()
    kept = ids[: end + 1] if end < len(ids) else ids
    return [int(i) for i in kept if i != trace.mask_id]


def twin_perplexity(judge: LoadedModel, source: LoadedModel, prompt: str, trace: Trace) -> tuple[float, float]:
    """(perplexity, NLL per token) of the answer under an autoregressive judge, given the same chat prompt.

    With a shared vocabulary the answer's own ids are scored; otherwise its text is re-encoded
    with the judge's tokenizer (then the end marker is the judge's end-of-turn token).
    """
    if same_vocabulary(judge, source):
        prompt_ids = trace.prompt_ids.astype(np.int64)
        answer = answer_through_stop(trace)
    else:
        prompt_ids = chat_prompt_ids(judge.tokenizer, [{"role": "user", "content": prompt}])[0].numpy()
        answer = judge.tokenizer(trace.answer_text(), add_special_tokens=False)["input_ids"]
        answer += [judge.special.stops[-1]] if trace.answer_end() < trace.gen_length else []
    if not answer:
        return float("nan"), float("nan")
    ids = torch.from_numpy(np.concatenate([prompt_ids, np.asarray(answer, dtype=np.int64)]))[None]
    scored = torch.zeros_like(ids, dtype=torch.bool)
    scored[0, len(prompt_ids):] = True
    total, count = autoregressive_nll(judge.model, ids, scored)
    nll = float(total[0]) / max(int(count[0]), 1)
    return math.exp(nll), nll


def diffusion_bound(loaded: LoadedModel, trace: Trace, samples: int = 4, seed: int = 0) -> float:
    """The diffusion model's NLL bound per token of its whole answer region (EOS padding included),
    estimated with `samples` Monte Carlo maskings in one batch."""
    ids = torch.from_numpy(np.concatenate([trace.prompt_ids, trace.answer_ids]).astype(np.int64))[None]
    scored = torch.zeros_like(ids, dtype=torch.bool)
    scored[0, len(trace.prompt_ids):] = True
    if bool((ids[scored] == trace.mask_id).any()):
        return float("nan")  # an unfinished answer has nothing to score at its masks
    generator = torch.Generator().manual_seed(seed)
    return float(diffusion_nll_bound(loaded.model, ids, scored, samples=max(int(samples), 1), generator=generator)[0])


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
