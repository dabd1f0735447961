"""Evaluation, part 1: both models' per-token NLL of held-out text (the diffusion model's is a bound)."""

from __future__ import annotations

import math

import numpy as np
import torch
from tqdm.auto import tqdm

from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound

from .eval_options import EvalOptions


def mean_and_error(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    error = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")
    return {"mean": float(values.mean()), "stderr": error, "n": int(len(values))}


def heldout_likelihood(diffusion_model, ar_model, windows: torch.LongTensor, bos: int | None, options: EvalOptions
                       ) -> dict:
    """Per-token NLL of each window after a BOS: the diffusion model's bound, the twin's exact value.

    Both score the same tokens given the same (empty) context, so the two numbers compare; the
    bound is an upper bound, so the diffusion model's true NLL is at most its value.
    """
    if bos is not None:
        windows = torch.cat([torch.full((len(windows), 1), bos, dtype=torch.long), windows], dim=1)
    scored = torch.ones_like(windows, dtype=torch.bool)
    if bos is not None:
        scored[:, 0] = False
    generator = torch.Generator().manual_seed(options.seed)
    bounds, nlls = [], []
    chunk = max(1, options.batch_size // max(options.samples, 1))
    for lo in tqdm(range(0, len(windows), chunk), desc="held-out windows", disable=not options.progress):
        ids, mask = windows[lo:lo + chunk], scored[lo:lo + chunk]
        bounds += diffusion_nll_bound(diffusion_model, ids, mask, options.samples, generator, options.batch_size
                                      ).tolist()
        total, count = autoregressive_nll(ar_model, ids, mask, options.batch_size)
        nlls += (total / count).tolist()
    diffusion, autoregressive = mean_and_error(bounds), mean_and_error(nlls)
    return {
        "windows": len(windows), "tokens_per_window": int(scored[0].sum()), "mc_samples": options.samples,
        "diffusion_nll_bound": diffusion, "diffusion_perplexity_bound": math.exp(diffusion["mean"]),
        "autoregressive_nll": autoregressive, "autoregressive_perplexity": math.exp(autoregressive["mean"]),
    }
