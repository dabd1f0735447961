"""Adapters for diffusion LMs with their own code, so the sampler sees LLaDA's contract (`model(x).logits`)."""

from __future__ import annotations

import torch
from torch import nn


class ShiftedLogits(nn.Module):
    """Dream-style models (initialised from an autoregressive LM) predict token i at output i - 1.

    Shifting the logits one position right gives LLaDA's layout, where output i scores token i;
    position 0 (always a prompt token) repeats its own row. `logits_positions` is applied after the shift.
    """

    def __init__(self, model: nn.Module, mask_token_id: int):
        super().__init__()
        self.inner = model
        self.config = model.config
        self.config.mask_token_id = mask_token_id

    def forward(self, input_ids, attention_mask=None, logits_positions=None, **kwargs):
        logits = self.inner(input_ids, attention_mask=attention_mask, **kwargs).logits
        logits = torch.cat([logits[:, :1], logits[:, :-1]], dim=1)
        if logits_positions is not None:
            logits = logits[:, logits_positions]
        return type("Output", (), {"logits": logits})()
