"""The autoregressive baseline: transformers' generate() with a static KV cache, one token per forward pass."""

from __future__ import annotations

import torch


@torch.no_grad()
def autoregressive_generate(model, prompt: torch.Tensor, gen_length: int) -> int:
    """Greedy, exactly gen_length new tokens (no early stop); returns the forward passes used."""
    model.generation_config.pad_token_id = model.config.eos_token_id
    model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=gen_length,
                   min_new_tokens=gen_length, do_sample=False, cache_implementation="static")
    return gen_length  # the prefill yields the first token, then one pass per further token
