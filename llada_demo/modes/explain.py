"""The explainer's material, all from one short real run: reverse snapshots, one remasking step, forward masking."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from ..engine import diffusion_run, run_to_end
from ..models.registry import LoadedModel
from ..sampling import SamplingSettings
from ..trace import Trace
from .common import chat_ids, check_kind

EXPLAIN_PROMPT = "Write a story about a cat and a ball."
# Short and cheap (16 forward passes of a 9M model: well under 2 s on a CPU), two blocks so
# the semi-autoregressive order shows.
EXPLAIN_SETTINGS = SamplingSettings(gen_length=32, steps=16, block_length=16, seed=0)
SNAPSHOT_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
MASKING_LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Explainer:
    """A finished trace and what the diagrams show of it.

    snapshots: (steps done, fraction) pairs for the reverse process; remask_step: the index of the
    record drawn as "predict all, keep some, remask the rest"; forward: (t, answer ids with each
    token masked at level t; the draws are nested, so a token masked at t stays masked above t).
    """

    trace: Trace
    snapshots: tuple[tuple[int, float], ...]
    remask_step: int
    forward: tuple[tuple[float, np.ndarray], ...]


def snapshot_steps(total: int, fractions=SNAPSHOT_FRACTIONS) -> tuple[tuple[int, float], ...]:
    return tuple((int(round(f * total)), f) for f in fractions)


def forward_masking(answer: np.ndarray, mask_id: int, levels=MASKING_LEVELS, seed: int = 0
                    ) -> tuple[tuple[float, np.ndarray], ...]:
    """The forward (noising) process on a real answer: each token independently masked with probability t."""
    draws = np.random.default_rng(seed).random(len(answer))
    return tuple((float(t), np.where(draws < t, mask_id, answer).astype(np.int32)) for t in levels)


def remask_record(trace: Trace) -> int:
    """A quarter into the run: some tokens are written, the model's guesses for the rest are worth reading."""
    return min(len(trace.steps) // 4, max(len(trace.steps) - 1, 0))


_cache: dict[tuple[str, str, int], Explainer] = {}
_lock = threading.Lock()


def explain(loaded: LoadedModel, prompt: str = EXPLAIN_PROMPT, seed: int = 0) -> Explainer:
    """Run (once per model, prompt and seed: the run is deterministic) and pick the pictures."""
    check_kind(loaded, "diffusion")
    key = (loaded.spec.name, prompt, seed)
    with _lock:
        if key in _cache:
            return _cache[key]
    settings = EXPLAIN_SETTINGS.replace(seed=seed)
    input_ids = chat_ids(loaded, prompt)
    # On the model thread, through the ZeroGPU path, like every other run (the handler waits for it).
    trace = run_to_end(diffusion_run(loaded, input_ids, settings))
    result = Explainer(trace=trace, snapshots=snapshot_steps(len(trace.steps)), remask_step=remask_record(trace),
                       forward=forward_masking(trace.answer_ids, trace.mask_id, seed=seed))
    with _lock:
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = result
    return result
