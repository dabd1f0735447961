"""margin: rank positions by top-1 minus top-2 probability (how clearly the model prefers one token)."""

import torch

from .base import Candidates, Strategy


class Margin(Strategy):
    name = "margin"
    description = "Commit where the best token beats the runner-up by the widest probability margin."

    def scores(self, candidates: Candidates) -> torch.Tensor:
        top2 = torch.topk(candidates.probs, k=2, dim=-1).values
        return top2[:, 0] - top2[:, 1]
