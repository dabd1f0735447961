"""Batched answers for evaluation and the sampling sweep: many prompts in one reverse process (diffusion)
or one `generate` call (the twin), where the app's sampler runs one prompt and records every step.

The diffusion loop is `llada_demo.sampling.sampler.iterate` for many prompts at once, for the fixed-schedule
strategies without cache or guidance: the same schedule, the same proposals (`sampling.proposals.propose`) and
the strategy's own scores (at temperature 0 it commits the same tokens: tested); it records no steps. Prompts
are left-padded and the padding is hidden from attention, which RoPE's relative positions make harmless.
"""

from __future__ import annotations

import numpy as np
import torch

from llada_demo.sampling.proposals import propose
from llada_demo.sampling.schedule import transfer_schedule
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.sampling.strategies import STRATEGIES


def left_pad(prompts: list[torch.LongTensor], pad_id: int, device) -> tuple[torch.LongTensor, torch.LongTensor]:
    """[B, P] ids and attention mask (1 = real token) of [1, L_i] prompts, right-aligned."""
    width = max(p.shape[1] for p in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        ids[row, width - prompt.shape[1]:] = prompt[0]
        attention[row, width - prompt.shape[1]:] = 1
    return ids.to(device), attention.to(device)


@torch.no_grad()
def diffusion_answers(model, prompts: list[torch.LongTensor], settings: SamplingSettings,
                      batch_size: int = 64) -> np.ndarray:
    """[N, gen_length] answer regions, `batch_size` prompts per reverse process."""
    strategy = STRATEGIES[settings.strategy]
    if not strategy.fixed_schedule or strategy.remask_budget or settings.cache != "none" or settings.cfg_scale:
        raise ValueError("batched answers support fixed-schedule strategies that never remask, without cache or "
                         "guidance")
    device = next(model.parameters()).device
    generator = None
    if settings.seed is not None:
        generator = torch.Generator(device=device).manual_seed(settings.seed)
    rows = []
    for lo in range(0, len(prompts), batch_size):
        rows.append(_diffusion_batch(model, prompts[lo:lo + batch_size], settings, strategy, generator, device))
    return np.concatenate(rows)


def _diffusion_batch(model, prompts, settings, strategy, generator, device) -> np.ndarray:
    mask_id = model.config.mask_token_id
    prompt_ids, attention = left_pad(prompts, model.config.eos_token_id, device)
    batch, width = prompt_ids.shape
    answer = torch.full((batch, settings.gen_length), mask_id, dtype=torch.long, device=device)
    x = torch.cat([prompt_ids, answer], dim=1)
    attention = torch.cat([attention, torch.ones_like(answer)], dim=1)
    for block in range(settings.num_blocks):
        lo, hi = width + block * settings.block_length, width + (block + 1) * settings.block_length
        # Every row starts the block with block_length masks and commits the same count per step.
        for count in transfer_schedule(settings.block_length, settings.steps_per_block):
            if count == 0:
                continue
            logits = model(x, attention_mask=attention, logits_positions=slice(lo, hi)).logits  # [B, block, V]
            candidates = propose(logits.reshape(-1, logits.shape[-1]), mask_id, settings.temperature, generator)
            scores = strategy.scores(candidates).reshape(batch, -1)
            still_masked = x[:, lo:hi] == mask_id
            scores = scores.masked_fill(~still_masked, -torch.inf)
            chosen = torch.topk(scores, k=count, dim=1).indices  # [B, count]
            block_tokens = x[:, lo:hi]
            block_tokens.scatter_(1, chosen, candidates.tokens.reshape(batch, -1).gather(1, chosen))
    return x[:, width:].cpu().numpy()


@torch.no_grad()
def autoregressive_answers(model, prompts: list[torch.LongTensor], gen_length: int, stops, pad_id: int,
                           batch_size: int = 64, temperature: float = 0.0, seed: int = 0) -> np.ndarray:
    """[N, gen_length] greedy (or sampled) continuations; after a stop token the row holds `pad_id`."""
    device = next(model.parameters()).device
    torch.manual_seed(seed)
    rows = []
    for lo in range(0, len(prompts), batch_size):
        ids, attention = left_pad(prompts[lo:lo + batch_size], pad_id, device)
        sampling = dict(do_sample=True, temperature=temperature, top_k=0) if temperature > 0 else dict(do_sample=False)
        out = model.generate(input_ids=ids, attention_mask=attention, max_new_tokens=gen_length, min_new_tokens=0,
                             eos_token_id=list(stops), pad_token_id=pad_id, **sampling)
        region = torch.full((len(ids), gen_length), pad_id, dtype=torch.long)
        new = out[:, ids.shape[1]:].cpu()
        region[:, :new.shape[1]] = new
        rows.append(region.numpy())
    return np.concatenate(rows)
