"""The sampler: settings, strategies, the denoising loop. No UI imports here."""

from .cache import CACHE_MODES
from .sampler import check_prompt, generate, iterate, new_trace
from .settings import Bounds, SamplingSettings, clamped, nearest_valid, out_of_range
from .strategies import STRATEGIES

__all__ = ["CACHE_MODES", "STRATEGIES", "Bounds", "SamplingSettings", "check_prompt", "clamped", "generate", "iterate",
           "nearest_valid", "new_trace", "out_of_range"]
