"""ZeroGPU support: the sampler's GPU work runs inside `@spaces.GPU` on a ZeroGPU Space, a no-op elsewhere.

On ZeroGPU a GPU is attached only while a `@spaces.GPU` function runs. Our GPU work is one sync
generator (the denoising loop) whose every yield is a StepRecord of plain NumPy arrays, which
ZeroGPU pickles back to the CPU process as it streams. Its requested duration is computed from the
settings, so short runs queue for less GPU time. torch.compile is never used there.
"""

from __future__ import annotations

import os

try:  # on Spaces `spaces` must be imported before anything touches CUDA (app.py imports us first)
    import spaces
except ImportError:  # not on Spaces: plain function calls
    spaces = None

from .sampling import iterate
from .sampling.settings import SamplingSettings

SECONDS_PER_STEP = 0.12  # LLaDA-8B bf16 forward on a shared H200 slice, with margin (bench: 25 ms on an H100)
BASE_SECONDS = 15  # moving weights onto the GPU and warm-up
MAX_SECONDS = 300


def on_zero_gpu() -> bool:
    return spaces is not None and os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "true")


def gpu_seconds(settings: SamplingSettings) -> int:
    """GPU time to ask ZeroGPU for: the worst case of the run's forward passes (CFG doubles the batch)."""
    passes = settings.gen_length if settings.strategy == "threshold" else settings.steps
    cost = passes * SECONDS_PER_STEP * (2 if settings.cfg_scale > 0 else 1)
    return int(min(BASE_SECONDS + cost, MAX_SECONDS))


def _duration(model, input_ids, settings, answer=None) -> int:
    return gpu_seconds(settings)


def _iterate_on_gpu(model, input_ids, settings, answer=None):
    """The GPU part of a run: yields CPU StepRecords (NumPy), never CUDA tensors."""
    yield from iterate(model, input_ids, settings, answer=answer)


if spaces is not None:
    _iterate_on_gpu = spaces.GPU(duration=_duration)(_iterate_on_gpu)


def gpu_iterate(model, input_ids, settings, answer=None):
    """`sampling.iterate`, run under `@spaces.GPU` when this process is on a ZeroGPU Space."""
    if on_zero_gpu():
        return _iterate_on_gpu(model, input_ids, settings, answer)
    return iterate(model, input_ids, settings, answer=answer)


def compile_allowed() -> bool:
    """torch.compile / CUDA graphs are unsupported on ZeroGPU; elsewhere the speed work may use them."""
    return not on_zero_gpu()
