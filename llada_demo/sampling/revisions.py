"""What a revising strategy needs between steps (LLaDA's own sampler never takes a committed token back)."""

from __future__ import annotations

import torch

from .guesses import Guesses
from .schedule import transfer_schedule
from .strategies import Drafts


class Revisions:
    """Which answer positions hold this run's drafts, the probability each had when committed, and how often
    each was returned to [MASK] already."""

    def __init__(self, strategy, length: int, mask_id: int, device: torch.device):
        self.strategy, self.mask_id = strategy, mask_id
        self.drafted = torch.zeros(length, dtype=torch.bool, device=device)
        self.confidence = torch.zeros(length, dtype=torch.float64, device=device)
        self.count = torch.zeros(length, dtype=torch.int32, device=device)

    def choose(self, lo: int, hi: int, committed: torch.Tensor, fresh: torch.Tensor, last: bool) -> torch.Tensor:
        """Note this step's commits, then the positions of [lo, hi) to return to [MASK] (none on a block's last
        step, so every block ends filled; at most the budget, never a position at its cap)."""
        self.drafted[committed], self.confidence[committed] = True, fresh.to(torch.float64)
        eligible = self.drafted[lo:hi] & (self.count[lo:hi] < self.strategy.remask_cap)
        eligible[committed - lo] = False  # just predicted with this context: nothing new to learn from it
        positions = lo + torch.nonzero(eligible).flatten()
        if last or not positions.numel():
            return positions[:0]
        drafts = Drafts(positions, self.confidence[positions], self.count[positions], fresh.to(torch.float64))
        chosen = positions[self.strategy.remask(drafts)[: self.strategy.remask_budget]]
        self.drafted[chosen] = False
        self.count[chosen] += 1
        return chosen

    def revise(self, answer: torch.Tensor, guesses: Guesses, schedule: list[int], block_step: int, lo: int, hi: int,
               committed: torch.Tensor, fresh: torch.Tensor) -> torch.Tensor:
        """Return the chosen drafts to [MASK] and reschedule the block's remaining steps to commit them again, so
        the run keeps its forward passes. Returns the positions taken back."""
        remasked = self.choose(lo, hi, committed, fresh, last=block_step == len(schedule) - 1)
        if remasked.numel():
            # This pass saw these tokens unmasked, so it has no guess there: the hover shows the token taken back
            # and its probability when committed until the next pass predicts it again.
            guesses.hold(remasked, answer[remasked], self.confidence[remasked])
            answer[remasked] = self.mask_id
            later = len(schedule) - block_step - 1
            schedule[block_step + 1:] = transfer_schedule(int((answer[lo:hi] == self.mask_id).sum()), later)
        return remasked
