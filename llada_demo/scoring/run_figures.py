"""The figures a teacher compares between runs: forward passes, time, tokens per second, tokens per pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..trace import Trace
from . import throughput
from .order import any_order_share


@dataclass(frozen=True)
class RunFigures:
    """Measured from a trace. `decoded` counts positions the model chose (not given text, not the
    EOS padding an autoregressive run adds for free after it stops); `answer_tokens` the answer's
    tokens before its end marker; `seconds` the run's own compute time. Tokens/s and tokens per pass
    are throughput.py's, the same figures the chat's live stats show. `left_to_right` and `any_order`
    describe the order: left_to_right() here, order.any_order_share."""

    forward_passes: int
    seconds: float
    decoded: int
    answer_tokens: int
    masks_left: int
    finished: bool
    left_to_right: float = float("nan")
    any_order: float = float("nan")

    @property
    def tokens_per_second(self) -> float:
        return throughput.tokens_per_second(self.decoded, self.seconds)

    @property
    def ms_per_pass(self) -> float:
        return 1000 * self.seconds / self.forward_passes if self.forward_passes else 0.0

    @property
    def tokens_per_pass(self) -> float:
        return throughput.tokens_per_pass(self.decoded, self.forward_passes)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 0, ties sharing their average rank (as Spearman's correlation needs)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values))
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def left_to_right(trace: Trace) -> float:
    """Spearman correlation between a position and the step that filled it, over the answer through its end.

    1 is strictly left to right (autoregression), about 0 an order unrelated to position (the
    `random` strategy); positions given by the user and unfilled ones are left out.
    """
    steps = trace.commit_steps()[: trace.answer_end() + 1]
    positions = np.flatnonzero(steps >= 0)
    if len(positions) < 3 or np.all(steps[positions] == steps[positions][0]):
        return float("nan")
    return float(np.corrcoef(_ranks(positions.astype(np.float64)), _ranks(steps[positions].astype(np.float64)))[0, 1])


def run_figures(trace: Trace) -> RunFigures:
    return RunFigures(
        forward_passes=trace.nfe, seconds=trace.elapsed, decoded=throughput.decoded_positions(trace),
        answer_tokens=len(trace.answer_token_ids()), masks_left=int(np.sum(trace.answer_ids == trace.mask_id)),
        finished=trace.finished, left_to_right=left_to_right(trace), any_order=any_order_share(trace),
    )
