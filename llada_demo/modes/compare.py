"""Diffusion vs autoregression: the same prompt through both, raced step by step on one machine."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import autoregressive_records, autoregressive_trace, diffusion_records, diffusion_trace
from ..models.registry import LoadedModel
from ..sampling import SamplingSettings, check_prompt
from ..sampling.autoregressive import autoregressive_settings
from ..trace import Trace
from .common import chat_ids, check_kind, last
from .race import Lane, check_alignment, race


def compare_lanes(diffusion: LoadedModel, autoregressive: LoadedModel, prompt: str,
                  settings: SamplingSettings) -> tuple[Lane, Lane]:
    """A diffusion lane and an autoregressive lane answering `prompt` with `settings.gen_length` tokens.

    The AR model writes greedily (or at the same temperature, with the same seed), one token per
    forward pass; the diffusion model follows `settings`. Each encodes the prompt with its own
    tokenizer, so an AR model with another vocabulary works too.
    """
    check_kind(diffusion, "diffusion")
    check_kind(autoregressive, "autoregressive")
    diffusion_ids = chat_ids(diffusion, prompt)
    ar_ids = chat_ids(autoregressive, prompt)
    ar_settings = autoregressive_settings(settings.gen_length, settings.temperature, settings.seed)
    # Both prompts are checked now, before either run starts (each model has its own context).
    check_prompt(diffusion.model, diffusion_ids, settings)
    check_prompt(autoregressive.model, ar_ids, ar_settings)
    # Creating the iterators runs nothing yet; the first next() checks the prompt against each model.
    return (
        Lane(diffusion_trace(diffusion, diffusion_ids, settings),
             diffusion_records(diffusion.model, diffusion_ids, settings), diffusion.tokenizer),
        Lane(autoregressive_trace(autoregressive, ar_ids, ar_settings),
             autoregressive_records(autoregressive.model, ar_ids, ar_settings, mask_id=autoregressive.special.mask,
                                    stop_ids=autoregressive.special.stops),
             autoregressive.tokenizer),
    )


def compare_stream(diffusion: LoadedModel, autoregressive: LoadedModel, prompt: str,
                   settings: SamplingSettings, align: str = "time") -> Iterator[tuple[Trace, Trace]]:
    """(diffusion trace, AR trace) as they race, lined up by `align` (race.ALIGNMENTS): after every forward
    pass of either given equal compute ("time"), or after each pass both have run ("passes")."""
    check_alignment(align)
    return race(compare_lanes(diffusion, autoregressive, prompt, settings), align)


def compare(diffusion: LoadedModel, autoregressive: LoadedModel, prompt: str,
            settings: SamplingSettings, align: str = "time") -> tuple[Trace, Trace]:
    """Run both to the end (tests, CLI)."""
    return last(compare_stream(diffusion, autoregressive, prompt, settings, align))
