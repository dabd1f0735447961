"""threshold: Fast-dLLM's parallel decoding, committing every position whose confidence reaches tau."""

import torch

from .base import Candidates, Strategy


class Threshold(Strategy):
    name = "threshold"
    description = "Commit every masked position of the block with confidence >= tau (at least one): fewer steps."
    fixed_schedule = False

    def scores(self, candidates: Candidates) -> torch.Tensor:
        return candidates.token_probs

    def select(self, candidates: Candidates, count: int, threshold: float) -> torch.Tensor:
        scores = self.scores(candidates)
        chosen = scores >= threshold
        chosen[torch.argmax(scores)] = True  # always progress by at least one token
        return torch.nonzero(chosen).flatten()
