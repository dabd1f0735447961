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
from .schedule import transfer_schedule
from .settings import SamplingSettings
from .strategies import STRATEGIES, Candidates, Drafts


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


def gumbel_argmax(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> torch.Tensor:
    """argmax of exp(logits) / (-log U)^temperature in float64, as the official sampler does.

    temperature 0 is plain argmax (greedy, deterministic).
    """
    if temperature == 0:
        return torch.argmax(logits, dim=-1)
    logits = logits.to(torch.float64)
    noise = torch.rand(logits.shape, generator=generator, device=logits.device, dtype=torch.float64)
    return torch.argmax(logits.exp() / (-torch.log(noise)) ** temperature, dim=-1)


TOP_K = 5  # candidates recorded per masked answer position per step (the grid's "what else it considered")


def top_guesses(logits: torch.Tensor, mask_id: int, k: int = TOP_K,
                rows: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the k most likely tokens other than [MASK] ([n, k], best first) and their probabilities
    under the full softmax.

    Works through `rows` rows at a time in float32, so a long answer over a 126k vocabulary never
    holds more than one chunk of float32 scores (memory stays near the weights at gen_length 1024).
    """
    tokens, probs = [], []
    for chunk in logits.split(rows):
        scores = chunk.to(torch.float32, copy=True)  # never write into the caller's logits
        normaliser = torch.logsumexp(scores, dim=-1, keepdim=True)
        scores[:, mask_id] = -torch.inf
        best_scores, best = scores.topk(min(k, scores.shape[-1] - 1), dim=-1)
        tokens.append(best)
        probs.append((best_scores - normaliser).exp())
    return torch.cat(tokens), torch.cat(probs)


def best_guesses(logits: torch.Tensor, mask_id: int, rows: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the most likely token other than [MASK] and its probability under the full softmax."""
    tokens, probs = top_guesses(logits, mask_id, k=1, rows=rows)
    return tokens[:, 0], probs[:, 0]


def _seeded_generator(seed: int | None, device: torch.device) -> torch.Generator | None:
    if seed is None:
        return None
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


class _Revisions:
    """What a revising strategy needs between steps: which answer positions hold this run's drafts, the
    probability each had when committed, and how often each was returned to [MASK] already."""

    def __init__(self, strategy, length: int, device: torch.device):
        self.strategy = strategy
        self.drafted = torch.zeros(length, dtype=torch.bool, device=device)
        self.confidence = torch.zeros(length, dtype=torch.float64, device=device)
        self.count = torch.zeros(length, dtype=torch.int32, device=device)

    def step(self, lo: int, hi: int, committed: torch.Tensor, fresh: torch.Tensor, last: bool) -> torch.Tensor:
        """Note this step's commits, then the positions of [lo, hi) to return to [MASK] (none on a block's last
        step, so every block ends filled; at most the budget, never a position at its cap)."""
        self.drafted[committed], self.confidence[committed] = True, fresh.to(torch.float64)
        eligible = self.drafted[lo:hi] & (self.count[lo:hi] < self.strategy.remask_cap)
        eligible[committed - lo] = False  # just predicted with this context: nothing new to learn from it
        positions = lo + torch.nonzero(eligible).flatten()
        if last or not positions.numel():
            return positions[:0]
        drafts = Drafts(positions, self.confidence[positions], self.count[positions], fresh.to(torch.float64))
        chosen = positions[self.strategy.remask(drafts)[: self.strategy.remask_budget]]
        self.drafted[chosen] = False
        self.count[chosen] += 1
        return chosen


@torch.no_grad()
def iterate(model, input_ids: torch.LongTensor, settings: SamplingSettings,
            answer: torch.LongTensor | None = None,
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

    A revising strategy (`Strategy.remask_budget` > 0; LLaDA's own sampler never does this) returns some of
    the block's committed tokens to [MASK] after a step's commits (`StepRecord.remasked`); the rest of the
    block's schedule is recomputed to commit them again, so the run still takes `settings.steps` passes.
    """
    check_prompt(model, input_ids, settings)
    strategy = STRATEGIES[settings.strategy]
    device = next(model.parameters()).device
    mask_id = model.config.mask_token_id
    prompt_length = input_ids.shape[1]
    x = torch.full((1, prompt_length + settings.gen_length), mask_id, dtype=torch.long, device=device)
    x[:, :prompt_length] = input_ids.to(device)
    prompt_index = x != mask_id  # what CFG blanks: the prompt, never fixed answer tokens
    if answer is not None:
        if answer.numel() != settings.gen_length:
            raise SettingsError(f"The answer template has {answer.numel()} tokens; expected {settings.gen_length}.")
        x[0, prompt_length:] = answer.to(device).flatten()
    answer = x[0, prompt_length:]  # a view: committing into it updates x
    generator = _seeded_generator(settings.seed, device)
    forward = make_forward(settings.cache, model, prompt_index, prompt_length, settings.cfg_scale, settings.guesses)
    # The model's best guess at every answer position (hover on masked cells). Cached passes, and
    # guesses="block", compute logits for the current block only; elsewhere the last guess stays.
    predicted = torch.zeros(settings.gen_length, dtype=torch.long, device=device)
    predicted_confidence = torch.zeros(settings.gen_length, dtype=torch.float32, device=device)
    # The top-k behind each guess; a record keeps the rows of the positions masked before its step.
    top_ids = torch.zeros(settings.gen_length, TOP_K, dtype=torch.long, device=device)
    top_probs = torch.zeros(settings.gen_length, TOP_K, dtype=torch.float32, device=device)
    revising = _Revisions(strategy, settings.gen_length, device) if strategy.remask_budget > 0 else None
    start_time, nfe, step = time.perf_counter(), 0, 0

    for block in range(settings.num_blocks):
        lo, hi = block * settings.block_length, (block + 1) * settings.block_length
        forward.start_block(lo, hi)
        schedule = transfer_schedule(int((answer[lo:hi] == mask_id).sum()), settings.steps_per_block)
        block_step = 0
        while True:
            if strategy.fixed_schedule:
                if block_step >= len(schedule):
                    break
                count = schedule[block_step]
                if count == 0:  # only with a partly written answer: nothing to commit, no forward pass
                    block_step += 1
                    continue
            elif not bool((answer[lo:hi] == mask_id).any()):
                break
            else:
                count = 0
            logits, offset = forward(x)  # rows: answer positions offset, offset + 1, ...
            nfe += 1

            # What the computed answer positions would be now (shown on hover for masked cells).
            guesses, guess_probs = top_guesses(logits, mask_id)
            rows = slice(offset, offset + len(guesses))
            top_ids[rows, :guesses.shape[1]], top_probs[rows, :guesses.shape[1]] = guesses, guess_probs
            predicted[rows], predicted_confidence[rows] = guesses[:, 0], guess_probs[:, 0]
            masked_before = answer == mask_id

            positions = lo + torch.nonzero(answer[lo:hi] == mask_id).flatten()
            committed = positions[:0]
            confidence = torch.zeros(0, dtype=torch.float64, device=device)
            if positions.numel() and (count > 0 or not strategy.fixed_schedule):
                block_logits = logits[positions - offset]
                # [MASK] is never proposed: committing it would leave the position masked for good
                # (the official loop can do that with untrained weights). Probabilities stay those of
                # the full softmax, so trained models decode exactly as the official code does.
                proposals = block_logits.clone()
                proposals[:, mask_id] = -torch.inf
                if forbid:
                    for row, position in enumerate(positions.tolist()):
                        if position in forbid:
                            proposals[row, forbid[position].to(device)] = -torch.inf
                tokens = gumbel_argmax(proposals, settings.temperature, generator)
                probs = torch.softmax(block_logits.to(torch.float64), dim=-1)
                token_probs = probs.gather(-1, tokens[:, None]).squeeze(-1)
                candidates = Candidates(block_logits, tokens, probs, token_probs, generator)
                chosen = strategy.select(candidates, count, settings.threshold)
                committed, confidence = positions[chosen], token_probs[chosen]
                answer[committed] = tokens[chosen]

            remasked = positions[:0]
            if revising is not None and strategy.fixed_schedule:
                remasked = revising.step(lo, hi, committed, confidence, last=block_step == len(schedule) - 1)
                if remasked.numel():
                    # This pass saw these tokens unmasked, so it has no guess there: the hover shows the token
                    # taken back and its probability when committed until the next pass predicts it again.
                    predicted[remasked] = answer[remasked]
                    predicted_confidence[remasked] = revising.confidence[remasked].float()
                    answer[remasked] = mask_id
                    later = len(schedule) - block_step - 1  # the remaining steps commit the returned tokens too
                    schedule[block_step + 1:] = transfer_schedule(int((answer[lo:hi] == mask_id).sum()), later)

            yield StepRecord(
                step=step,
                block=block,
                tokens=answer.cpu().numpy().astype(np.int32),
                committed=committed.cpu().numpy().astype(np.int32),
                committed_confidence=confidence.float().cpu().numpy(),
                predicted=predicted.cpu().numpy().astype(np.int32),
                predicted_confidence=predicted_confidence.cpu().numpy().copy(),  # the buffer changes next step
                top_ids=top_ids[masked_before].cpu().numpy().astype(np.int32),
                top_probs=top_probs[masked_before].cpu().numpy().astype(np.float16),
                remasked=remasked.cpu().numpy().astype(np.int32),
                nfe=nfe,
                elapsed=time.perf_counter() - start_time,
            )
            step += 1
            block_step += 1


def new_trace(model, input_ids: torch.LongTensor, settings: SamplingSettings, stop_ids=(),
              answer: torch.LongTensor | None = None, forbid: dict[int, torch.LongTensor] | None = None,
              **info) -> Trace:
    """An empty trace for a run about to start (steps are appended as they come); `forbid` is the run's
    (see `iterate`), accepted so callers pass one set of arguments to both; the trace does not keep it."""
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
