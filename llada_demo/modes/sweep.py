"""Trade-off explorer: one prompt under many settings; each run's cost (forward passes, time) and measured quality."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..engine import diffusion_records, diffusion_trace, gpu_call, grow_trace
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..sampling import CACHE_MODES, STRATEGIES, SamplingSettings
from ..scoring.quality import diffusion_bound, mean_commit_log_prob, twin_perplexity
from ..scoring.run_figures import run_figures
from ..trace import Trace
from .common import chat_ids, check_kind, last

MAX_RUNS = 24


def parse_numbers(text, name: str, most: int = 4096) -> list[int]:
    """"8, 16 32" -> [8, 16, 32]: whole numbers separated by commas or spaces, duplicates dropped, order kept.

    Only ASCII digits count ("²" or "٤" are digits to `str.isdigit` but not numbers here), each at most `most`.
    """
    text = str(text or "")
    if len(text) > 1000:
        raise SettingsError(f"{name}: the list is {len(text):,} characters long; give a few numbers, e.g. 8, 16, 32.")
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    if not parts:
        raise SettingsError(f"{name}: give at least one number, e.g. 8, 16, 32.")
    values = []
    for part in parts:
        if not re.fullmatch(r"[0-9]{1,6}", part) or not 1 <= int(part) <= most:
            shown = part if len(part) <= 12 else part[:12] + "…"
            raise SettingsError(f"{name}: {shown!r} is not a whole number from 1 to {most}.")
        values.append(int(part))
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class SweepPlan:
    """The settings to run, in order, and the combinations left out (with why)."""

    runs: tuple[SamplingSettings, ...]
    skipped: tuple[str, ...] = ()


def plan_sweep(gen_length, steps_text, blocks_text, strategies, seed: int = 0, temperature: float = 0.0,
               threshold: float = 0.9, caches=("none",)) -> SweepPlan:
    """Every (strategy, cache, block length, steps) combination that is valid; at least one, at most MAX_RUNS.

    A combination the sampler cannot run (steps not a multiple of the block count, more steps
    than tokens) is skipped and named, not an error, unless nothing is left.
    """
    steps_list = parse_numbers(steps_text, "Steps")
    strategies = [s for s in (strategies or []) if s]
    if not strategies:
        raise SettingsError("Pick at least one strategy to sweep.")
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise SettingsError(f"Unknown strategy {unknown[0]!r}: choose from {', '.join(STRATEGIES)}.")
    caches = [c for c in (caches or []) if c] or ["none"]
    unknown = [c for c in caches if c not in CACHE_MODES]
    if unknown:
        raise SettingsError(f"Unknown cache {unknown[0]!r}: choose from {', '.join(CACHE_MODES)}.")
    # Errors that would hold for every run (answer length, temperature, seed) are raised as they are.
    base = SamplingSettings.from_dict(dict(gen_length=gen_length, steps=1, block_length=gen_length, seed=seed,
                                           temperature=temperature, threshold=threshold))
    blocks = parse_numbers(blocks_text or str(base.gen_length), "Block lengths")
    runs, skipped = [], []
    for strategy in strategies:
        for cache in caches:
            for block_length in blocks:
                for steps in steps_list:
                    try:
                        runs.append(base.replace(steps=steps, block_length=block_length, strategy=strategy,
                                                 cache=cache))
                    except SettingsError as error:
                        if cache == caches[0]:  # the same reason holds for every cache: name it once
                            skipped.append(f"steps {steps}, block {block_length}: {error}")
    if not runs:
        raise SettingsError("No valid combination to run: " + " ".join(skipped[:3]))
    if len(runs) > MAX_RUNS:
        raise SettingsError(f"That is {len(runs)} runs; a sweep runs at most {MAX_RUNS}: drop some values.")
    return SweepPlan(tuple(runs), tuple(skipped))


@dataclass(frozen=True)
class SweepPoint:
    """One finished run of a sweep, measured."""

    settings: SamplingSettings
    forward_passes: int
    seconds: float
    tokens_per_pass: float
    answer: str
    answer_tokens: int
    finished: bool
    twin_perplexity: float
    twin_nll: float
    nll_bound: float
    mean_log_prob: float

    @property
    def label(self) -> str:
        s = self.settings
        cache = f", {s.cache} cache" if s.cache != "none" else ""
        return f"{s.strategy}{cache}, block {s.block_length}"


@dataclass
class SweepProgress:
    """What a sweep has done so far: finished points, and the run in progress (its growing trace)."""

    plan: SweepPlan
    points: list[SweepPoint] = field(default_factory=list)
    current: Trace | None = None
    finished: bool = False


def measure(trace: Trace, diffusion: LoadedModel, judge: LoadedModel | None, prompt: str,
            bound_samples: int) -> SweepPoint:
    figures = run_figures(trace)
    perplexity, nll = twin_perplexity(judge, diffusion, prompt, trace) if judge else (float("nan"),) * 2
    return SweepPoint(
        settings=trace.settings, forward_passes=figures.forward_passes, seconds=figures.seconds,
        tokens_per_pass=figures.tokens_per_pass, answer=trace.answer_text(), answer_tokens=figures.answer_tokens,
        finished=trace.answer_end() < trace.gen_length, twin_perplexity=perplexity, twin_nll=nll,
        nll_bound=diffusion_bound(diffusion, trace, bound_samples, seed=trace.settings.seed or 0)
        if bound_samples > 0 else float("nan"),
        mean_log_prob=mean_commit_log_prob(trace),
    )


def sweep_stream(diffusion: LoadedModel, judge: LoadedModel | None, prompt: str, plan: SweepPlan,
                 bound_samples: int = 4) -> Iterator[SweepProgress]:
    """Run the plan in order; yield progress after every step of every run and after each run is measured.

    Closing the generator (a cancelled sweep) stops after the current forward pass.
    """
    check_kind(diffusion, "diffusion")
    if judge is not None:
        check_kind(judge, "autoregressive")
    input_ids = chat_ids(diffusion, prompt)
    progress = SweepProgress(plan)
    yield progress
    for settings in plan.runs:
        trace = diffusion_trace(diffusion, input_ids, settings)
        progress.current = trace
        for _ in grow_trace(trace, diffusion_records(diffusion.model, input_ids, settings), diffusion.tokenizer):
            yield progress
        progress.points.append(gpu_call(measure, trace, diffusion, judge, prompt, bound_samples))
        progress.current = None
        yield progress
    progress.finished = True
    yield progress


def run_sweep(diffusion: LoadedModel, judge: LoadedModel | None, prompt: str, plan: SweepPlan,
              bound_samples: int = 4) -> list[SweepPoint]:
    """All points (tests, CLI)."""
    return last(sweep_stream(diffusion, judge, prompt, plan, bound_samples)).points
