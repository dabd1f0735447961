"""Speed of a run, defined once: positions the model decoded, per second of compute and per forward pass."""

from __future__ import annotations

from ..trace import Trace


def decoded_positions(trace: Trace) -> int:
    """Positions the model filled by choice: one per step for autoregression, every commit for diffusion.

    Not counted: text the user gave (infilling) and the EOS padding an autoregressive run adds for
    free once it stops. For a chat run (all masks at the start) this is the number of unmasked positions.
    """
    if trace.kind == "autoregressive":
        return len(trace.steps)
    # A token a revising strategy took back and committed again fills one position, not two.
    return int(sum(len(record.committed) - len(record.remasked) for record in trace.steps))


def tokens_per_second(decoded: int, seconds: float) -> float:
    """Tokens/s: decoded positions (`decoded_positions`) per second of the run's own compute; 0 before any time."""
    return decoded / seconds if seconds > 0 else 0.0


def tokens_per_pass(decoded: int, forward_passes: int) -> float:
    """Decoded positions per forward pass (1 for autoregression, more when diffusion commits several); 0 before any."""
    return decoded / forward_passes if forward_passes else 0.0
