"""Timing helpers shared by the benchmarks: one result row, a timed call with the device idle, the host's name."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass

import torch

from llada_demo.scoring.throughput import tokens_per_pass, tokens_per_second


@dataclass
class Row:
    variant: str
    steps: int
    gen_length: int
    block_length: int
    seconds: float
    nfe: int
    ms_per_step: float
    tokens_per_s: float
    tokens_per_pass: float
    vs_naive: float | None
    agreement: float | None  # share of answer tokens identical to the exact sampler's
    twin_perplexity: float | None  # the autoregressive twin's perplexity of the answers (real weights only)
    peak_memory_gb: float | None  # None where the device has no allocator statistics (CPU)


def make_row(variant, steps, gen_length, block_length, seconds, nfe, tokens, peak, vs_naive=None) -> Row:
    """A row with the per-pass and per-second figures (throughput.py's) from time, passes and `tokens` decoded:
    every answer position, since no text is given and the AR baseline must write all of them (min_new_tokens)."""
    return Row(variant, steps, gen_length, block_length, seconds, nfe, 1000 * seconds / nfe,
               tokens_per_second(tokens, seconds), tokens_per_pass(tokens, nfe), vs_naive, None, None, peak)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(device, fn, clock=time.perf_counter):
    """(seconds, result, peak GB) of one call, with the device idle before and after. `clock=time.process_time`
    counts this process's CPU seconds instead of wall time: on a CPU shared with other jobs, with one torch
    thread, that is the work done, whatever the others' load."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    sync(device)
    start = clock()
    result = fn()
    sync(device)
    seconds = clock() - start
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None
    return seconds, result, peak


def best(device, fn, repeats):
    """The fastest of `repeats` timed calls."""
    return min((timed(device, fn) for _ in range(repeats)), key=lambda r: r[0])


def host() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            name = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        name = platform.processor() or platform.machine()
    return f"{name}, {torch.get_num_threads()} threads"


def environment(device: torch.device) -> dict:
    """What every result file records about where it was measured."""
    from llada_demo.models.device import describe_device

    return {"device": describe_device(device), "host": host(), "torch": torch.__version__,
            "python": platform.python_version()}
