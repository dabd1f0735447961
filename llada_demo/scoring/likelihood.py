"""Likelihoods for validation and evaluation: the diffusion model's NLL bound, the twin's exact NLL."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def stratified_mask_counts(counts: torch.Tensor, samples: int, generator: torch.Generator | None) -> torch.Tensor:
    """[B, K] numbers of tokens to mask, spread evenly over 1..n with one random offset per row.

    Stratifying the count across the K Monte Carlo samples (as LLaDA's likelihood code does)
    lowers the variance of the estimate without changing its expectation.
    """
    counts = counts.long().cpu().clamp(min=1)
    offsets = torch.floor(torch.rand(counts.shape, generator=generator) * counts).long()  # 0..n-1
    strata = torch.floor(torch.arange(samples)[None, :] * counts[:, None].double() / samples).long()
    return (offsets[:, None] + strata) % counts[:, None] + 1


@torch.no_grad()
def diffusion_nll_bound(model, input_ids: torch.LongTensor, scored: torch.Tensor, samples: int = 8,
                        generator: torch.Generator | None = None, batch_size: int = 64) -> torch.Tensor:
    """Per-row upper bound on -log p(scored tokens | the rest) / n, estimated with K Monte Carlo samples.

    The paper's bound in its low-variance form: draw l uniformly in 1..n, mask l of the n scored
    positions uniformly, and take (n / l) * sum of cross-entropies over them; divided by n this
    is the mean cross-entropy over the masked positions. Unscored positions stay visible.
    generator: a CPU generator (all draws happen on the host, so results do not depend on the device).
    """
    device = next(model.parameters()).device
    rows, length = input_ids.shape
    scored = scored.bool().cpu()
    counts = stratified_mask_counts(scored.sum(dim=1), samples, generator).reshape(-1)  # [B*K]
    keys = torch.rand((rows, samples, length), generator=generator)
    keys = keys.masked_fill(~scored[:, None, :], 2.0).reshape(rows * samples, length)  # unscored: never picked
    ranks = keys.argsort(dim=1).argsort(dim=1)
    masked = (ranks < counts[:, None]) & scored.repeat_interleave(samples, dim=0)  # a row with none gives NaN
    targets = input_ids.cpu().repeat_interleave(samples, dim=0)
    values = torch.empty(rows * samples, dtype=torch.float64)
    for lo in range(0, rows * samples, batch_size):
        chunk_targets = targets[lo:lo + batch_size].to(device)
        chunk_masked = masked[lo:lo + batch_size].to(device)
        noisy = chunk_targets.masked_fill(chunk_masked, model.config.mask_token_id)
        logits = model(noisy).logits.float()
        loss = F.cross_entropy(logits.transpose(1, 2), chunk_targets, reduction="none")
        loss = (loss * chunk_masked).sum(dim=1) / chunk_masked.sum(dim=1)
        values[lo:lo + batch_size] = loss.double().cpu()
    return values.reshape(rows, samples).mean(dim=1)


@torch.no_grad()
def autoregressive_nll(model, input_ids: torch.LongTensor, scored: torch.Tensor,
                       batch_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row: (sum of -log p(token | tokens before) over scored positions, number scored).

    Position 0 has no context and is never scored.
    """
    device = next(model.parameters()).device
    scored = scored.bool().clone()
    scored[:, 0] = False
    totals, counts = [], []
    for lo in range(0, len(input_ids), batch_size):
        ids = input_ids[lo:lo + batch_size].to(device)
        logits = model(input_ids=ids, use_cache=False).logits[:, :-1].float()
        loss = F.cross_entropy(logits.transpose(1, 2), ids[:, 1:], reduction="none")
        weight = scored[lo:lo + batch_size, 1:].to(device)
        totals.append((loss * weight).sum(dim=1).double().cpu())
        counts.append(weight.sum(dim=1).cpu())
    return torch.cat(totals), torch.cat(counts)
