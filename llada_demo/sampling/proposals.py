"""What each masked position of the block would commit this step: the (Gumbel-noised) argmax token, never [MASK]
nor a forbidden id, and its probability under the full float64 softmax, as the official sampler computes it."""

from __future__ import annotations

import torch

from ..errors import SettingsError
from .strategies import Candidates


def gumbel_argmax(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> torch.Tensor:
    """argmax of exp(logits) / (-log U)^temperature in float64, as the official sampler does.

    temperature 0 is plain argmax (greedy, deterministic).
    """
    if temperature == 0:
        return torch.argmax(logits, dim=-1)
    logits = logits.to(torch.float64)
    noise = torch.rand(logits.shape, generator=generator, device=logits.device, dtype=torch.float64)
    return torch.argmax(logits.exp() / (-torch.log(noise)) ** temperature, dim=-1)


def propose(logits: torch.Tensor, mask_id: int, temperature: float, generator: torch.Generator | None,
            forbidden: tuple[torch.Tensor, torch.Tensor] | None = None) -> Candidates:
    """Candidates for rows of `logits` ([n, V], one per masked position of the block).

    [MASK] is never proposed: committing it would leave the position masked for good (the official loop can do
    that with untrained weights). Nor are `forbidden` (row indices, token ids) pairs. Probabilities stay those of
    the full softmax, so trained models decode exactly as the official code does.
    """
    proposals = logits.clone()
    proposals[:, mask_id] = -torch.inf
    if forbidden is not None:
        proposals[forbidden] = -torch.inf
    tokens = gumbel_argmax(proposals, temperature, generator)
    probs = torch.softmax(logits.to(torch.float64), dim=-1)  # only the rows a strategy ranks
    token_probs = probs.gather(-1, tokens[:, None]).squeeze(-1)
    return Candidates(logits, tokens, probs, token_probs, generator)


def check_forbid(forbid: dict | None, gen_length: int, vocab_size: int) -> dict[int, torch.Tensor]:
    """`forbid` ({answer position: token ids never proposed there}) checked, as 1-D long tensors."""
    checked = {}
    for position, ids in (forbid or {}).items():
        if not 0 <= int(position) < gen_length:
            raise SettingsError(f"Forbidden tokens at answer position {position}: the answer has positions "
                                f"0 to {gen_length - 1}.")
        ids = torch.as_tensor(ids, dtype=torch.long).flatten()
        if ids.numel() and not (0 <= int(ids.min()) and int(ids.max()) < vocab_size):
            raise SettingsError(f"Forbidden tokens at answer position {position} are outside the vocabulary "
                                f"(0 to {vocab_size - 1}).")
        checked[int(position)] = ids
    return checked


def forbidden_rows(forbid: dict[int, torch.Tensor], positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(row indices, token ids) of the pairs `forbid` rules out for rows holding these answer positions."""
    rows, ids = [], []
    for row, position in enumerate(positions.tolist()):
        if position in forbid:
            banned = forbid[position].to(positions.device)
            rows.append(torch.full_like(banned, row))
            ids.append(banned)
    return (torch.cat(rows), torch.cat(ids)) if rows else None
