"""ZeroGPU: every piece of model work the app streams or scores runs inside `@spaces.GPU` on a ZeroGPU Space.

On ZeroGPU a GPU is attached only while a `@spaces.GPU` function runs. The app's GPU work is either a
sync generator of StepRecords (a diffusion or autoregressive run), whose every yield is plain NumPy
that ZeroGPU pickles back to the CPU process as it streams, or one call whose result is plain data
(scoring: perplexities, likelihood bounds). The requested duration is computed from the settings, so
short runs queue for less GPU time. Off Spaces every function here is a plain call. The decorated
functions are made at import, as ZeroGPU expects; `ON_GPU` holds them so a test can stand in for it.
"""

from __future__ import annotations

from ..models.device import on_zero_gpu, spaces
from ..sampling import iterate
from ..sampling.autoregressive import iterate_autoregressive
from ..sampling.settings import SamplingSettings

SECONDS_PER_STEP = 0.12  # LLaDA-8B bf16 forward on a shared H200 slice, with margin (bench: 25 ms on an H100)
BASE_SECONDS = 15  # moving weights onto the GPU and warm-up
SCORING_SECONDS = 60  # a few scoring passes over short answers
MAX_SECONDS = 300


def gpu_seconds(settings: SamplingSettings, autoregressive: bool = False) -> int:
    """GPU time to ask ZeroGPU for: the worst case of the run's forward passes (CFG doubles the batch)."""
    passes = settings.gen_length if autoregressive or settings.strategy == "threshold" else settings.steps
    cost = passes * SECONDS_PER_STEP * (2 if settings.cfg_scale > 0 and not autoregressive else 1)
    return int(min(BASE_SECONDS + cost, MAX_SECONDS))


def _diffusion(model, input_ids, settings, answer=None, forbid=None):
    """A diffusion run's records, as CPU data (never CUDA tensors)."""
    yield from iterate(model, input_ids, settings, answer=answer, forbid=forbid)


def _autoregressive(model, input_ids, settings, mask_id=None, stop_ids=()):
    """An autoregressive run's records, as CPU data."""
    yield from iterate_autoregressive(model, input_ids, settings, mask_id=mask_id, stop_ids=stop_ids)


def _scoring(fn, args, kwargs):
    """One scoring call (plain data in and out)."""
    return fn(*args, **kwargs)


def _scoring_stream(fn, args, kwargs):
    """A scoring generator's items (plain data per forward pass, e.g. a likelihood estimate's batches)."""
    yield from fn(*args, **kwargs)


def decorated(spaces_module) -> dict:
    """The app's GPU functions wrapped by `spaces_module.GPU` (the real package, or a test's stand-in)."""
    def wrap(fn, duration):
        return spaces_module.GPU(duration=duration)(fn) if spaces_module is not None else fn

    return {
        "diffusion": wrap(_diffusion, lambda model, input_ids, settings, answer=None, forbid=None:
                          gpu_seconds(settings)),
        "autoregressive": wrap(_autoregressive, lambda model, input_ids, settings, *rest:
                               gpu_seconds(settings, autoregressive=True)),
        "scoring": wrap(_scoring, lambda fn, args, kwargs: SCORING_SECONDS),
        "scoring_stream": wrap(_scoring_stream, lambda fn, args, kwargs: SCORING_SECONDS),
    }


ON_GPU = decorated(spaces)


def diffusion_records(model, input_ids, settings: SamplingSettings, answer=None, forbid=None):
    """`sampling.iterate`, under `@spaces.GPU` on a ZeroGPU Space."""
    if on_zero_gpu():
        return ON_GPU["diffusion"](model, input_ids, settings, answer, forbid)
    return _diffusion(model, input_ids, settings, answer, forbid)


def autoregressive_records(model, input_ids, settings: SamplingSettings, mask_id=None, stop_ids=()):
    """`sampling.autoregressive.iterate_autoregressive`, under `@spaces.GPU` on a ZeroGPU Space."""
    if on_zero_gpu():
        return ON_GPU["autoregressive"](model, input_ids, settings, mask_id, tuple(stop_ids))
    return _autoregressive(model, input_ids, settings, mask_id, stop_ids)


def gpu_call(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` for model work that is not a run (scoring), under `@spaces.GPU` on ZeroGPU."""
    if on_zero_gpu():
        return ON_GPU["scoring"](fn, args, kwargs)
    return fn(*args, **kwargs)


def gpu_stream(fn, *args, **kwargs):
    """The items of generator `fn(*args, **kwargs)` (scoring that streams, one forward pass per item), under one
    `@spaces.GPU` on ZeroGPU: the GPU is held across the stream, not asked for again at every item."""
    if on_zero_gpu():
        return ON_GPU["scoring_stream"](fn, args, kwargs)
    return fn(*args, **kwargs)
