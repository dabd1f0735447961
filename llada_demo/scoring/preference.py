"""Which candidate each model prefers: rankings by the diffusion bound and by the AR log-likelihood, and whether
the diffusion ranking is settled (its leader's interval overlaps no other candidate's).

Works on any estimates with `mean`, `samples`, `low`, `high` (the 95% interval) and `ar_log_likelihood`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def diffusion_ranking(estimates: Sequence) -> list:
    """Highest bound first (candidates without draws last)."""
    return sorted(estimates, key=lambda e: -e.mean if e.samples else math.inf)


def ar_ranking(estimates: Sequence) -> list:
    """Highest exact log-likelihood first (candidates without an AR figure last)."""
    return sorted(estimates, key=lambda e: -e.ar_log_likelihood if e.ar_log_likelihood is not None else math.inf)


def settled(estimates: Sequence) -> bool:
    """The diffusion model's preference is settled: the leader's 95% interval overlaps no other candidate's."""
    ranked = diffusion_ranking(estimates)
    if len(ranked) < 2 or any(e.samples < 2 for e in ranked):
        return False
    return all(ranked[0].low > other.high for other in ranked[1:])
