"""Registry of remasking strategies: one file each, one line here to add another."""

from .base import Candidates, Drafts, Strategy
from .entropy import Entropy
from .low_confidence import LowConfidence
from .margin import Margin
from .random_order import RandomOrder
from .revising import Revising
from .threshold import Threshold

STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    LowConfidence(), RandomOrder(), Margin(), Entropy(), Threshold(), Revising())}

__all__ = ["STRATEGIES", "Candidates", "Drafts", "Strategy"]
