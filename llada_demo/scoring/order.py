"""How freely a run chose its order: the share of tokens it wrote while a position to their left was still masked."""

from __future__ import annotations

import numpy as np

from ..trace import Trace


def written_past_a_gap(trace: Trace) -> np.ndarray:
    """Per answer position (bool): the model committed it while some position to its left was still masked.

    Only positions the model wrote through the answer's end marker can be True. A left neighbour committed
    in the same forward pass is no gap (it was no longer masked after the pass); positions the user gave
    are never gaps; positions still masked (a run in progress) are gaps, since they will be filled later.
    """
    commit = trace.commit_steps().astype(np.float64)
    masked = trace.answer_ids == trace.mask_id
    written = (commit >= 0) & ~masked
    when = np.where(masked, np.inf, np.where(written, commit, -np.inf))
    # The latest step among the positions to the left of each position (-inf for the first).
    left_latest = np.concatenate(([-np.inf], np.maximum.accumulate(when[:-1])))
    end = min(trace.answer_end() + 1, trace.gen_length)
    flags = written & (when < left_latest)
    flags[end:] = False
    return flags


def any_order_share(trace: Trace) -> float:
    """Share of the answer's model-written tokens (through its end marker) that were written past a gap.

    0 for an autoregressive run, which never writes past a gap; a diffusion run that fills its answer
    from both ends, or scattered, scores up to about 1. NaN before any token is written.
    """
    commit = trace.commit_steps()
    end = min(trace.answer_end() + 1, trace.gen_length)
    counted = int(np.sum((commit[:end] >= 0) & (trace.answer_ids[:end] != trace.mask_id)))
    if not counted:
        return float("nan")
    return float(written_past_a_gap(trace).sum() / counted)
