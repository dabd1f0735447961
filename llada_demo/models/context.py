"""How many tokens (prompt + answer) a model reads at most: the one place that knows where configs keep it."""

from __future__ import annotations


def context_limit(model) -> int | None:
    """LLaDA's `max_sequence_length`, else an autoregressive model's `max_position_embeddings`; None if unknown."""
    config = getattr(model, "config", None)
    return getattr(config, "max_sequence_length", None) or getattr(config, "max_position_embeddings", None)
