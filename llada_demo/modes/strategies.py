"""Strategy comparison: two settings (e.g. two remasking strategies) on the same prompt and seed, raced side by side."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import diffusion_records, diffusion_trace
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..sampling import SamplingSettings
from ..trace import Trace
from .common import chat_ids, check_kind, last
from .race import Lane, race


def paired_settings(first: SamplingSettings, second: SamplingSettings) -> tuple[SamplingSettings, SamplingSettings]:
    """The two settings with one shared seed (the first's), so only the chosen differences differ."""
    if first.seed is None:
        raise SettingsError("Give a seed: both runs must share it for the comparison to be fair.")
    return first, second.replace(seed=first.seed)


def strategies_stream(loaded: LoadedModel, prompt: str, first: SamplingSettings,
                      second: SamplingSettings) -> Iterator[tuple[Trace, Trace]]:
    """(trace A, trace B) after every forward pass of either, each given equal compute."""
    check_kind(loaded, "diffusion")
    first, second = paired_settings(first, second)
    input_ids = chat_ids(loaded, prompt)
    lanes = [Lane(diffusion_trace(loaded, input_ids, s), diffusion_records(loaded.model, input_ids, s),
                  loaded.tokenizer) for s in (first, second)]
    return race(lanes)


def compare_strategies(loaded: LoadedModel, prompt: str, first: SamplingSettings,
                       second: SamplingSettings) -> tuple[Trace, Trace]:
    """Run both to the end (tests, CLI)."""
    return last(strategies_stream(loaded, prompt, first, second))
