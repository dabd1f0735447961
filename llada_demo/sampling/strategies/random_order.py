"""random: commit positions in a uniformly random order (LLaDA's 'random' remasking)."""

import torch

from .base import Candidates, Strategy


class RandomOrder(Strategy):
    name = "random"
    description = "Commit randomly chosen masked positions: the pure reverse process, no ranking."

    def scores(self, candidates: Candidates) -> torch.Tensor:
        n = candidates.tokens.shape[0]
        return torch.rand(n, generator=candidates.generator, device=candidates.tokens.device, dtype=torch.float64)
