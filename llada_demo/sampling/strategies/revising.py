"""revising: low_confidence commits plus ReMDM-style remasking of the least confident earlier drafts (not LLaDA's)."""

import torch

from .base import Candidates, Drafts, Strategy

# A draft is doubtful below this probability at commit: under it the model thought another token at least
# as likely as the one it kept.
DOUBT = 0.5


class Revising(Strategy):
    name = "revising"
    description = (
        "Not in LLaDA's published sampler, which never takes a committed token back. Commits like low_confidence; "
        f"then each step returns the least confident earlier token of the block (p at commit < {DOUBT:g} and below "
        "every token committed this step) to [MASK], so the next pass predicts it again with more context. "
        "At most 1 a step, 2 per position, none on a block's last step: same forward passes."
    )
    remask_budget = 1
    remask_cap = 2

    def scores(self, candidates: Candidates) -> torch.Tensor:
        return candidates.token_probs

    def remask(self, drafts: Drafts) -> torch.Tensor:
        # The model is now surer of what it just committed than it was of these drafts: doubt them, least sure first.
        bar = min(DOUBT, float(drafts.fresh.min())) if drafts.fresh.numel() else DOUBT
        doubtful = torch.nonzero(drafts.confidence < bar).flatten()
        return doubtful[torch.argsort(drafts.confidence[doubtful], stable=True)]
