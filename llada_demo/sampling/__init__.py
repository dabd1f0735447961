"""The sampler: settings, strategies, the denoising loop. No UI imports here."""

from .cache import CACHE_MODES
from .sampler import check_prompt, generate, iterate, new_trace
from .settings import SamplingSettings, nearest_valid
from .strategies import STRATEGIES

__all__ = ["CACHE_MODES", "STRATEGIES", "SamplingSettings", "check_prompt", "generate", "iterate", "nearest_valid", "new_trace"]
