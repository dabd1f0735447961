"""Run several traces side by side on one machine, each given the same share of compute, so they progress together."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..trace import StepRecord, Trace
from .common import add_texts


@dataclass
class Lane:
    """One run in a race: the trace it grows, its step records, and the compute it has used so far."""

    trace: Trace
    records: Iterator[StepRecord]
    tokenizer: object
    own_time: float = 0.0
    done: bool = False

    def advance(self) -> None:
        """One forward pass (one record); marks the lane done when its run has ended."""
        start = time.perf_counter()
        try:
            record = next(self.records)
        except StopIteration:
            self._finish()
            return
        self.own_time += time.perf_counter() - start
        # The lane's own compute time, not the wall clock: lanes take turns on the same CPU.
        record.elapsed = self.own_time
        add_texts(self.trace, self.tokenizer, record.tokens, record.predicted)
        self.trace.steps.append(record)
        if not bool((record.tokens == self.trace.mask_id).any()):
            # Nothing left to fill: the run is over (any remaining records cost no forward pass).
            for extra in self.records:
                extra.elapsed = self.own_time
                self.trace.steps.append(extra)
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.trace.finished = True

    def close(self) -> None:
        close = getattr(self.records, "close", None)
        if close:
            close()


def race(lanes: Sequence[Lane]) -> Iterator[tuple[Trace, ...]]:
    """Advance the lane that has used the least compute so far, one forward pass at a time.

    Yields the traces (the same objects, growing) after every step, first before any step.
    Each record's `elapsed` becomes its lane's own compute time, so the figures are what each
    run would take alone although they share the machine, and at every frame each panel shows
    how far its model got with the same amount of compute as the others.
    """
    traces = tuple(lane.trace for lane in lanes)
    try:
        yield traces
        while True:
            active = [lane for lane in lanes if not lane.done]
            if not active:
                return
            min(active, key=lambda lane: lane.own_time).advance()
            yield traces
    finally:
        for lane in lanes:
            lane.close()


def snapshot(traces: Sequence[Trace]) -> tuple[Trace, ...]:
    """Stable views of growing traces (the worker may append while a frame is drawn)."""
    return tuple(trace.prefix(len(trace.steps)) for trace in traces)


def masks_left(trace: Trace) -> int:
    return int(np.sum(trace.answer_ids == trace.mask_id))
