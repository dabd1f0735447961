"""Run several traces side by side on one machine, lined up by compute time or by forward passes."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..engine import grow_trace
from ..errors import SettingsError
from ..trace import StepRecord, Trace

# How lanes are lined up: value -> what a person reads (the compare tab's radio, the /compare endpoint's input).
ALIGNMENTS = {"passes": "equal forward passes", "time": "equal wall time"}


def check_alignment(value) -> str:
    """`value` if it is one of ALIGNMENTS, else a SettingsError that names the choices."""
    if not isinstance(value, str) or value not in ALIGNMENTS:
        raise SettingsError(f"Line the runs up by {' or '.join(repr(a) for a in ALIGNMENTS)} "
                            f"({' or '.join(ALIGNMENTS.values())}), got {str(value)[:40]!r}.")
    return value


@dataclass
class Lane:
    """One run in a race: the trace it grows from its step records, and the compute it has used so far."""

    trace: Trace
    records: Iterator[StepRecord]
    tokenizer: object
    own_time: float = 0.0
    done: bool = False
    _growth: Iterator[Trace] = field(init=False, repr=False)

    def __post_init__(self):
        self._growth = grow_trace(self.trace, self.records, self.tokenizer)

    def advance(self) -> None:
        """One forward pass (one record); marks the lane done when its run has ended."""
        start = time.perf_counter()
        try:
            next(self._growth)
        except StopIteration:
            self._finish()
            return
        self.own_time += time.perf_counter() - start
        # The lane's own compute time, not the wall clock: lanes take turns on the same CPU.
        record = self.trace.steps[-1]
        record.elapsed = self.own_time
        if not bool((record.tokens == self.trace.mask_id).any()):
            # Nothing left to fill: the run is over (any remaining records cost no forward pass).
            for _ in self._growth:
                self.trace.steps[-1].elapsed = self.own_time
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.trace.finished = True

    def close(self) -> None:
        self._growth.close()  # closes the records' generator too


def race(lanes: Sequence[Lane], align: str = "time") -> Iterator[tuple[Trace, ...]]:
    """Advance the lanes one forward pass at a time, lined up by compute time or by passes.

    align="time": the lane that has used the least compute so far runs next, and the traces are
    yielded after every step, so at every frame each panel shows how far its model got with the same
    amount of compute as the others. align="passes": every unfinished lane runs one pass in turn (the
    ones behind first) and the traces are yielded once they are level, so at every frame the unfinished
    lanes have run the same number of forward passes (a finished lane stays at its total).
    Yields the traces, first before any step: the same objects, growing, with "time"; with "passes",
    snapshots taken when the lanes are level (a frame drawn from the live objects while another thread
    runs the next round could catch one lane a pass ahead). Each record's `elapsed`
    becomes its lane's own compute time, so the figures are what each run would take alone although
    they share the machine.
    """
    check_alignment(align)
    traces = tuple(lane.trace for lane in lanes)
    level = align == "passes"
    try:
        yield snapshot(traces) if level else traces
        while True:
            active = [lane for lane in lanes if not lane.done]
            if not active:
                return
            if align == "time":
                min(active, key=lambda lane: lane.own_time).advance()
            else:
                fewest = min(lane.trace.nfe for lane in active)
                for lane in active:
                    if lane.trace.nfe == fewest:
                        lane.advance()
            yield snapshot(traces) if level else traces
    finally:
        for lane in lanes:
            lane.close()


def snapshot(traces: Sequence[Trace]) -> tuple[Trace, ...]:
    """Stable views of growing traces (the worker may append while a frame is drawn)."""
    return tuple(trace.prefix(len(trace.steps)) for trace in traces)


def masks_left(trace: Trace) -> int:
    return int(np.sum(trace.answer_ids == trace.mask_id))
