"""What a remasking strategy sees (Candidates, Drafts) and must do (choose which ones to commit, and, for a
revising strategy, which committed ones to return to [MASK])."""

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


@dataclass
class Drafts:
    """The tokens this run committed in the current block before this step, which a revising strategy may
    return to [MASK] (given text and tokens committed at this very step are never among them).

    positions: [n] answer positions; confidence: [n] float64, the probability each token had when it was
    last committed (a model trained only on masked positions has no fresh opinion of an unmasked token, so
    this stored figure is all there is until the token is masked again); revisions: [n] times each was
    already returned; fresh: float64 probabilities of the tokens committed at this step.
    """

    positions: torch.Tensor
    confidence: torch.Tensor
    revisions: torch.Tensor
    fresh: torch.Tensor


class Strategy:
    """Maps candidates and a step budget to the indices (into the candidates) to commit.

    Fixed-schedule strategies commit exactly `count` per step (LLaDA's linear schedule)
    and only rank positions via `scores`; others (threshold) decide the count themselves.
    """

    name: str = ""
    description: str = ""
    fixed_schedule: bool = True
    # A revising strategy returns at most remask_budget drafts per step to [MASK], and one position at most
    # remask_cap times; 0 (every strategy but `revising`) is LLaDA's sampler, which never does.
    remask_budget: int = 0
    remask_cap: int = 0

    def scores(self, candidates: Candidates) -> torch.Tensor:
        raise NotImplementedError

    def select(self, candidates: Candidates, count: int, threshold: float) -> torch.Tensor:
        return torch.topk(self.scores(candidates), k=count).indices

    def remask(self, drafts: Drafts) -> torch.Tensor:
        """Indices (into drafts) to return to [MASK], most doubtful first; the sampler keeps the budget and cap."""
        return torch.zeros(0, dtype=torch.long, device=drafts.positions.device)
