"""entropy: rank positions by negative entropy of the predictive distribution (least uncertain first)."""

import torch

from .base import Candidates, Strategy


class Entropy(Strategy):
    name = "entropy"
    description = "Commit where the whole predicted distribution is sharpest (lowest entropy)."

    def scores(self, candidates: Candidates) -> torch.Tensor:
        probs = candidates.probs
        return (probs * torch.log(probs.clamp_min(1e-300))).sum(dim=-1)  # = -entropy
