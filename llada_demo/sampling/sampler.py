"""The reverse process: LLaDA's denoising loop as a generator of step records, and generate()."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import torch

from ..errors import SettingsError
from ..models.context import context_limit
from ..trace import StepRecord, Trace
from .cache import make_forward
from .guesses import TOP_K, Guesses, best_guesses, top_guesses
from .proposals import check_forbid, forbidden_rows, gumbel_argmax, propose
from .revisions import Revisions
from .schedule import transfer_schedule
from .settings import SamplingSettings
from .strategies import STRATEGIES, Candidates

# Re-exported: other modules and tests import these from here.
__all__ = ["TOP_K", "best_guesses", "check_prompt", "generate", "gumbel_argmax", "iterate", "new_trace",
           "top_guesses"]


def check_prompt(model, input_ids: torch.Tensor, settings: SamplingSettings) -> None:
    """Prompt checks that need the model: non-empty, one sequence, fits the context (LLaDA's
    `max_sequence_length`, or `max_position_embeddings` for autoregressive models)."""
    if input_ids.dim() != 2 or input_ids.shape[0] != 1:
        raise SettingsError(f"input_ids must have shape [1, L], got {tuple(input_ids.shape)}.")
    if input_ids.shape[1] == 0:
        raise SettingsError("The prompt is empty: type a message first.")
    limit = context_limit(model)
    total = input_ids.shape[1] + settings.gen_length
    if limit is not None and total > limit:
        room = limit - input_ids.shape[1]
        advice = f"shorten the answer to at most {room} tokens" if room > 0 else "shorten the prompt"
        raise SettingsError(
            f"Prompt ({input_ids.shape[1]} tokens) plus answer ({settings.gen_length}) exceeds the "
            f"model's context of {limit} tokens: {advice}."
        )


def _seeded_generator(seed: int | None, device: torch.device) -> torch.Generator | None:
    if seed is None:
        return None
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def _vocab_size(model) -> int | None:
    config = model.config
    return getattr(config, "embedding_size", None) or getattr(config, "vocab_size", None)


def _canvas(model, input_ids: torch.Tensor, settings: SamplingSettings, answer: torch.Tensor | None,
            device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """x = prompt + answer ([1, L + gen_length]: all [MASK], or the given template), and where the prompt is
    (what CFG blanks: never fixed answer tokens)."""
    mask_id = model.config.mask_token_id
    x = torch.full((1, input_ids.shape[1] + settings.gen_length), mask_id, dtype=torch.long, device=device)
    x[:, :input_ids.shape[1]] = input_ids.to(device)
    prompt_index = x != mask_id
    if answer is not None:
        if answer.numel() != settings.gen_length:
            raise SettingsError(f"The answer template has {answer.numel()} tokens; expected {settings.gen_length}.")
        x[0, input_ids.shape[1]:] = answer.to(device).flatten()
    return x, prompt_index


def _block_steps(strategy, schedule: list[int], block: torch.Tensor, mask_id: int) -> Iterator[tuple[int, int]]:
    """(step within the block, tokens to commit) of each step of a block that runs a forward pass.

    Fixed schedules skip steps with nothing to commit (a partly written answer); a revising strategy rewrites
    `schedule` in place as it goes. Others (threshold) step until the block (a view) has no [MASK] left."""
    if strategy.fixed_schedule:
        for block_step in range(len(schedule)):
            if schedule[block_step]:
                yield block_step, schedule[block_step]
    else:
        block_step = 0
        while bool((block == mask_id).any()):
            yield block_step, 0
            block_step += 1


def _commit(strategy, candidates: Candidates, positions: torch.Tensor, count: int, threshold: float,
            answer: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Write the strategy's choice into the answer; returns (positions committed, their probabilities)."""
    chosen = strategy.select(candidates, count, threshold)
    answer[positions[chosen]] = candidates.tokens[chosen]
    return positions[chosen], candidates.token_probs[chosen]


def _host(tensor: torch.Tensor, dtype) -> np.ndarray:
    """A numpy copy (records outlive the step's buffers; on ZeroGPU they are pickled back to the CPU)."""
    return tensor.detach().cpu().numpy().astype(dtype)


def _record(step: int, block: int, answer: torch.Tensor, committed: torch.Tensor, confidence: torch.Tensor,
            guesses: Guesses, masked: torch.Tensor, remasked: torch.Tensor, nfe: int, start: float) -> StepRecord:
    """The step as the views read it; the top-k of the positions that were masked before it (boolean indexing
    copies them out of the buffers)."""
    return StepRecord(
        step=step, block=block, tokens=_host(answer, np.int32), committed=_host(committed, np.int32),
        committed_confidence=_host(confidence, np.float32), predicted=_host(guesses.predicted, np.int32),
        predicted_confidence=_host(guesses.confidence, np.float32), top_ids=guesses.top_ids[masked].cpu().numpy(),
        top_probs=guesses.top_probs[masked].cpu().numpy(), remasked=_host(remasked, np.int32), nfe=nfe,
        elapsed=time.perf_counter() - start,
    )


@torch.no_grad()
def iterate(model, input_ids: torch.LongTensor, settings: SamplingSettings, answer: torch.LongTensor | None = None,
            forbid: dict[int, torch.LongTensor] | None = None) -> Iterator[StepRecord]:
    """Run the reverse process, yielding one StepRecord per forward pass.

    The answer starts as gen_length [MASK] tokens; blocks are filled left to right; in each
    step every masked position of the current block competes and the strategy commits some.
    At temperature 0 with `low_confidence` and no cache this commits the same tokens, at the
    same positions, at the same steps as the official LLaDA generate(). `settings.cache`
    ("prefix", "dual") reuses keys/values within a block (see cache.py): fewer positions per
    pass, an approximation whose agreement the benchmark measures.

    `answer` ([gen_length] ids, [MASK] where to fill) starts the answer partly written, for
    infilling: its other tokens stay fixed, the schedules count only its masks, and a step
    or block with nothing to commit costs no forward pass.

    `forbid` ({answer position: token ids}) keeps those ids out of the proposals there (as [MASK] always is);
    the probabilities reported stay those of the full softmax.

    A revising strategy (`Strategy.remask_budget` > 0; LLaDA's own sampler never does this) returns some of
    the block's committed tokens to [MASK] after a step's commits (`StepRecord.remasked`); the rest of the
    block's schedule is recomputed to commit them again, so the run still takes `settings.steps` passes.
    """
    check_prompt(model, input_ids, settings)
    strategy, mask_id = STRATEGIES[settings.strategy], model.config.mask_token_id
    device = next(model.parameters()).device
    forbid = check_forbid(forbid, settings.gen_length, _vocab_size(model))
    x, prompt_index = _canvas(model, input_ids, settings, answer, device)
    answer = x[0, input_ids.shape[1]:]  # a view: committing into it updates x
    forward = make_forward(settings.cache, model, prompt_index, input_ids.shape[1], settings.cfg_scale,
                           settings.guesses)
    guesses = Guesses(settings.gen_length, mask_id, device)
    revising = strategy.remask_budget > 0 and strategy.fixed_schedule
    revisions = Revisions(strategy, settings.gen_length, mask_id, device) if revising else None
    generator = _seeded_generator(settings.seed, device)
    start, nfe, step = time.perf_counter(), 0, 0

    for block in range(settings.num_blocks):
        lo, hi = block * settings.block_length, (block + 1) * settings.block_length
        forward.start_block(lo, hi)
        schedule = transfer_schedule(int((answer[lo:hi] == mask_id).sum()), settings.steps_per_block)
        for block_step, count in _block_steps(strategy, schedule, answer[lo:hi], mask_id):
            masked = answer == mask_id
            logits, offset = forward(x)  # rows: answer positions offset, offset + 1, ...
            nfe += 1
            guesses.update(logits, offset, masked)
            positions = lo + torch.nonzero(masked[lo:hi]).flatten()  # the block's masked positions compete
            forbidden = forbidden_rows(forbid, positions) if forbid else None
            candidates = propose(logits[positions - offset], mask_id, settings.temperature, generator, forbidden)
            committed, confidence = _commit(strategy, candidates, positions, count, settings.threshold, answer)
            remasked = positions[:0]
            if revisions is not None:
                remasked = revisions.revise(answer, guesses, schedule, block_step, lo, hi, committed, confidence)
            yield _record(step, block, answer, committed, confidence, guesses, masked, remasked, nfe, start)
            step += 1


def new_trace(model, input_ids: torch.LongTensor, settings: SamplingSettings, stop_ids=(),
              answer: torch.LongTensor | None = None, forbid: dict[int, torch.LongTensor] | None = None,
              **info) -> Trace:
    """An empty trace for a run about to start (steps are appended as they come). `forbid` is checked here,
    before the run starts, and not stored: the trace records what was committed, not why."""
    check_forbid(forbid, settings.gen_length, _vocab_size(model))
    config = model.config
    stops = tuple(stop_ids) or tuple(
        i for i in (getattr(config, "eos_token_id", None), getattr(config, "eot_token_id", None)) if i is not None
    )
    return Trace(
        prompt_ids=input_ids[0].cpu().numpy().astype(np.int32),
        settings=settings,
        mask_id=config.mask_token_id,
        stop_ids=stops,
        initial=None if answer is None else answer.flatten().cpu().numpy().astype(np.int32),
        **info,
    )


def generate(model, input_ids: torch.LongTensor, settings: SamplingSettings, stop_ids=(),
             answer: torch.LongTensor | None = None, forbid: dict[int, torch.LongTensor] | None = None,
             **info) -> Trace:
    """Run to the end and return the whole trace; `trace.sequence` is prompt + answer ids."""
    trace = new_trace(model, input_ids, settings, stop_ids, answer=answer, forbid=forbid, **info)
    trace.steps.extend(iterate(model, input_ids, settings, answer=answer, forbid=forbid))
    trace.finished = True
    return trace
