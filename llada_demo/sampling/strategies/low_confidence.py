"""low_confidence: commit the tokens the model is surest of (LLaDA's default remasking)."""

import torch

from .base import Candidates, Strategy


class LowConfidence(Strategy):
    name = "low_confidence"
    description = "Commit the most probable predictions first; the least confident stay masked."

    def scores(self, candidates: Candidates) -> torch.Tensor:
        return candidates.token_probs
