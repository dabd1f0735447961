"""LLaDA's masked-diffusion training loss: the forward (masking) process, pretraining and SFT losses."""

from __future__ import annotations

import torch
import torch.nn.functional as F

# t is drawn from U(0, 1] as eps + (1 - eps) * U[0, 1): the floor keeps the 1/t weight finite.
EPSILON = 1e-3
RANDOM_LENGTH_SHARE = 0.01


def forward_process(input_ids: torch.LongTensor, mask_id: int, generator: torch.Generator | None = None,
                    maskable: torch.Tensor | None = None, eps: float = EPSILON):
    """Mask each token independently with probability t (one t per sequence).

    Returns (noisy ids, masked [B, L] bool, p_mask [B, 1] = t). Positions outside `maskable`
    (the prompt in SFT, padding) are never masked.
    """
    batch, length = input_ids.shape
    device = input_ids.device
    t = torch.rand(batch, generator=generator, device=device)
    p_mask = ((1 - eps) * t + eps)[:, None]
    masked = torch.rand((batch, length), generator=generator, device=device) < p_mask
    if maskable is not None:
        masked &= maskable
    noisy = torch.where(masked, torch.full_like(input_ids, mask_id), input_ids)
    return noisy, masked, p_mask


def masked_diffusion_loss(logits: torch.Tensor, targets: torch.LongTensor, masked: torch.Tensor,
                          p_mask: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """sum over masked positions of CE / t, each sequence divided by its length, averaged over the batch.

    `lengths` [B] is the sequence length in pretraining and the answer length in SFT (the paper's
    normalisers). This is the upper bound on the per-token negative log-likelihood.
    """
    batch = targets.shape[0]
    cross_entropy = F.cross_entropy(logits[masked].float(), targets[masked], reduction="none")
    weights = (1.0 / (p_mask * lengths[:, None].to(p_mask.dtype))).expand_as(masked)[masked]
    return (cross_entropy * weights).sum() / batch


def pretrain_loss(model, input_ids: torch.LongTensor, generator: torch.Generator | None = None,
                  random_length_share: float = RANDOM_LENGTH_SHARE, eps: float = EPSILON) -> torch.Tensor:
    """Pretraining loss of a batch of packed windows.

    A share of the sequences (1% as in the paper) is cut to a random length in [1, L], so the
    model also sees short inputs; the cut-off tail is hidden from attention and from the loss.
    """
    batch, length = input_ids.shape
    device = input_ids.device
    # Lengths are drawn on the host (the given CPU generator, else torch's seeded global one), so
    # deciding whether a batch needs an attention mask never waits for the GPU.
    host = generator if generator is not None and generator.device.type == "cpu" else None
    short = torch.rand(batch, generator=host) < random_length_share
    lengths = torch.where(short, torch.randint(1, length + 1, (batch,), generator=host), length).to(device)
    kept = torch.arange(length, device=device)[None, :] < lengths[:, None]
    noisy, masked, p_mask = forward_process(input_ids, model.config.mask_token_id, generator, kept, eps)
    attention_mask = kept.long() if bool(short.any()) else None  # most batches need none
    logits = model(noisy, attention_mask=attention_mask).logits
    return masked_diffusion_loss(logits, input_ids, masked, p_mask, lengths)


def response_positions(input_ids: torch.LongTensor, prompt_lengths: torch.LongTensor) -> torch.Tensor:
    """[B, L] True on the answer (everything after the prompt, EOS padding included)."""
    positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None, :]
    return positions >= prompt_lengths[:, None]


def sft_loss(model, input_ids: torch.LongTensor, prompt_lengths: torch.LongTensor,
             generator: torch.Generator | None = None, eps: float = EPSILON) -> torch.Tensor:
    """SFT loss: only answer tokens are masked (the prompt stays clean), normalised by the answer length."""
    response = response_positions(input_ids, prompt_lengths)
    noisy, masked, p_mask = forward_process(input_ids, model.config.mask_token_id, generator, response, eps)
    logits = model(noisy).logits
    return masked_diffusion_loss(logits, input_ids, masked, p_mask, response.sum(dim=1))
