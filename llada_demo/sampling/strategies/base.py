"""What a remasking strategy sees (Candidates) and must do (choose which ones to commit)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Candidates:
    """The still-masked positions of the current block at one step.

    logits: [n, V] model logits (after CFG); tokens: [n] the proposed token per position
    (argmax, or Gumbel-noised argmax when temperature > 0); probs: [n, V] float64 softmax of
    the logits; token_probs: [n] probability of each proposed token; generator: the run's RNG.
    """

    logits: torch.Tensor
    tokens: torch.Tensor
    probs: torch.Tensor
    token_probs: torch.Tensor
    generator: torch.Generator | None = None


class Strategy:
    """Maps candidates and a step budget to the indices (into the candidates) to commit.

    Fixed-schedule strategies commit exactly `count` per step (LLaDA's linear schedule)
    and only rank positions via `scores`; others (threshold) decide the count themselves.
    """

    name: str = ""
    description: str = ""
    fixed_schedule: bool = True

    def scores(self, candidates: Candidates) -> torch.Tensor:
        raise NotImplementedError

    def select(self, candidates: Candidates, count: int, threshold: float) -> torch.Tensor:
        return torch.topk(self.scores(candidates), k=count).indices
