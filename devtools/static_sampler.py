"""The exact sampler at static shapes: one fixed canvas, every step replayed as a CUDA graph, records one step late.

A benchmark variant (kept in devtools so tests and benchmarks share it), not part of the app: it reproduces `sampling.iterate` only for greedy low_confidence decoding
without a KV cache, its records carry no top-k candidates (the popover and the branch tab need them), and its gain
comes from CUDA graphs, which ZeroGPU Spaces do not allow; on a CPU it is no faster than the loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np
import torch

from llada_demo.errors import SettingsError
from llada_demo.sampling.guesses import best_guesses
from llada_demo.sampling.sampler import check_prompt
from llada_demo.sampling.schedule import transfer_schedule
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.trace import StepRecord

# Captured samplers kept per model: each holds its graphs' memory pool, so only a few (a benchmark's
# prompts of different lengths) stay alive; the oldest is dropped first.
MAX_KEPT = 4


def supports(settings: SamplingSettings) -> bool:
    """Whether the static sampler reproduces the loop for these settings: greedy low-confidence decoding
    with the linear schedule and no KV cache (CFG allowed). Anything else needs the loop in sampler.py."""
    return settings.strategy == "low_confidence" and settings.temperature == 0 and settings.cache == "none"


class _HostSlot:
    """Where one step's record lands on the host (pinned on CUDA, so the copy overlaps the next step)."""

    def __init__(self, sampler: StaticSampler, pin: bool):
        def like(t):
            return torch.empty(t.shape, dtype=t.dtype, pin_memory=pin)

        self.sources = (sampler.answer, sampler.committed, sampler.rank, sampler.token_probs, sampler.predicted,
                        sampler.predicted_confidence)
        self.buffers = tuple(like(t) for t in self.sources)
        self.event = torch.cuda.Event() if pin else None

    def fill(self) -> None:
        for host, device in zip(self.buffers, self.sources):
            host.copy_(device, non_blocking=self.event is not None)
        if self.event is not None:
            self.event.record()

    def read(self) -> tuple[np.ndarray, ...]:
        if self.event is not None:
            self.event.synchronize()
        return tuple(b.numpy().copy() for b in self.buffers)  # the slot is refilled two steps later


class StaticSampler:
    """LLaDA's exact reverse process for one prompt length and one set of settings, at fixed shapes.

    The sequence lives in one [1, prompt + answer] tensor for the whole run. The step number, the block it
    falls in and the number of tokens to commit are looked up on the device, and the top-k commit is a rank
    comparison inside the block, so a step has no data-dependent shape and no host sync: on CUDA the whole
    step (forward, selection, commit) is captured once as a graph and replayed. Two graphs exist: a block's
    first step scores every answer position (fresh hover guesses), later steps score only the block (the
    output head and softmax only where a commit can happen); `guesses="all"` scores every position every step.
    Commits are those of `sampler.iterate` at temperature 0 (ties in confidence go to the leftmost position).
    """

    def __init__(self, model, prompt_length: int, settings: SamplingSettings, graphs: bool | None = None):
        if not supports(settings):
            raise SettingsError("The static sampler runs greedy low_confidence decoding without a KV cache only.")
        self.model, self.settings, self.prompt_length = model, settings, prompt_length
        self.device = device = next(model.parameters()).device
        self.use_graphs = device.type == "cuda" if graphs is None else graphs
        self.mask_id = model.config.mask_token_id
        self.all_guesses = settings.guesses == "all"
        self.block_length, self.steps_per_block = settings.block_length, settings.steps_per_block
        gen_length = settings.gen_length

        def on_device(values, dtype=torch.long):
            return torch.as_tensor(values, dtype=dtype, device=device)

        self.x = torch.full((1, prompt_length + gen_length), self.mask_id, dtype=torch.long, device=device)
        self.answer = self.x[0, prompt_length:]  # a view: commits write into x
        self.prompt_index = torch.zeros_like(self.x, dtype=torch.bool)
        self.prompt_index[:, :prompt_length] = True
        # A fresh answer is all [MASK], so every block's schedule is known before the run starts.
        schedule = transfer_schedule(settings.block_length, settings.steps_per_block) * settings.num_blocks
        self.counts = on_device(schedule + [0])  # one spare entry: warm-up steps may run past the end
        self.step_index = on_device([0])
        self.block_offsets = on_device(range(settings.block_length))
        self.answer_positions = on_device(range(gen_length))
        # earlier[i, j]: position j comes before position i (breaks confidence ties towards the left).
        self.earlier = self.block_offsets[None, :] < self.block_offsets[:, None]
        self.committed = torch.zeros(settings.block_length, dtype=torch.bool, device=device)
        self.rank = torch.zeros(settings.block_length, dtype=torch.long, device=device)
        self.token_probs = torch.zeros(settings.block_length, dtype=torch.float64, device=device)
        self.predicted = torch.zeros(gen_length, dtype=torch.long, device=device)
        self.predicted_confidence = torch.zeros(gen_length, dtype=torch.float32, device=device)
        pin = device.type == "cuda"
        self.slots = (_HostSlot(self, pin), _HostSlot(self, pin))
        self.graphs: dict[bool, torch.cuda.CUDAGraph] = {}

    # ---- one step, written without host syncs or data-dependent shapes -------------------------------
    def _batch(self) -> torch.Tensor:
        if self.settings.cfg_scale > 0:  # CFG: the prompt-blanked copy runs in the same batch
            return torch.cat([self.x, torch.where(self.prompt_index, self.mask_id, self.x)])
        return self.x

    def _guided(self, logits: torch.Tensor) -> torch.Tensor:
        if self.settings.cfg_scale > 0:
            cond, uncond = logits[0], logits[1]
            return uncond + (self.settings.cfg_scale + 1) * (cond - uncond)
        return logits[0]

    def _step(self, full: bool) -> None:
        block_index = torch.div(self.step_index, self.steps_per_block, rounding_mode="floor")
        in_block = block_index * self.block_length + self.block_offsets  # answer positions of the block
        scored = self.answer_positions if full else in_block
        logits = self._guided(self.model(self._batch(), logits_positions=self.prompt_length + scored).logits)
        best, best_prob = best_guesses(logits, self.mask_id)
        self.predicted.index_copy_(0, scored, best)
        self.predicted_confidence.index_copy_(0, scored, best_prob)
        block_logits = logits.index_select(0, in_block) if full else logits
        current = self.answer.index_select(0, in_block)
        masked = current == self.mask_id
        # As in sampler.iterate: [MASK] is never proposed; confidences are those of the full float64 softmax.
        proposals = block_logits.clone()
        proposals[:, self.mask_id] = -torch.inf
        tokens = torch.argmax(proposals, dim=-1)
        probs = torch.softmax(block_logits.to(torch.float64), dim=-1)
        token_probs = probs.gather(-1, tokens[:, None]).squeeze(-1)
        confidence = torch.where(masked, token_probs, -torch.inf)
        # Top-k with k on the device: a position is committed when fewer than k masked ones rank above it.
        ahead = (confidence[None, :] > confidence[:, None]) | (
            (confidence[None, :] == confidence[:, None]) & self.earlier)
        rank = ahead.sum(dim=-1)
        commit = masked & (rank < self.counts.index_select(0, self.step_index))
        self.answer.index_copy_(0, in_block, torch.where(commit, tokens, current))
        self.committed.copy_(commit)
        self.rank.copy_(rank)
        self.token_probs.copy_(token_probs)
        self.step_index.add_(1)

    # ---- running -----------------------------------------------------------------------------------------
    def _load(self, input_ids: torch.Tensor) -> None:
        self.x[0, :self.prompt_length].copy_(input_ids[0])
        self.answer.fill_(self.mask_id)
        self.step_index.zero_()
        self.predicted.zero_()
        self.predicted_confidence.zero_()

    def _capture(self, input_ids: torch.Tensor) -> None:
        """Warm up on a side stream (kernel selection, workspaces), then capture both step kinds in one pool."""
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for full in (True, False, True, False):
                self._load(input_ids)
                self._step(full)
        torch.cuda.current_stream().wait_stream(stream)
        pool = None
        for full in (True, False):
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, pool=pool):
                self._step(full)
            pool = graph.pool()
            self.graphs[full] = graph

    def _record(self, step: int, slot: _HostSlot, start: float) -> StepRecord:
        answer, committed, rank, token_probs, predicted, predicted_confidence = slot.read()
        chosen = np.flatnonzero(committed)
        chosen = chosen[np.argsort(rank[chosen], kind="stable")]  # most confident first, as topk orders them
        block = step // self.steps_per_block
        return StepRecord(
            step=step, block=block, tokens=answer.astype(np.int32),
            committed=(block * self.block_length + chosen).astype(np.int32),
            committed_confidence=token_probs[chosen].astype(np.float32),
            predicted=predicted.astype(np.int32), predicted_confidence=predicted_confidence,
            nfe=step + 1, elapsed=time.perf_counter() - start,
        )

    @torch.no_grad()
    def run(self, input_ids: torch.Tensor) -> Iterator[StepRecord]:
        """Yield one StepRecord per step. Step t's record is read once step t + 1 is queued, so the device
        never waits for the host between steps."""
        check_prompt(self.model, input_ids, self.settings)
        if input_ids.shape[1] != self.prompt_length:
            raise SettingsError(f"This sampler was built for {self.prompt_length}-token prompts.")
        input_ids = input_ids.to(self.device)
        if self.use_graphs and not self.graphs:
            self._capture(input_ids)
        self._load(input_ids)
        start, pending = time.perf_counter(), None
        for step in range(self.settings.steps):
            full = self.all_guesses or step % self.steps_per_block == 0
            if self.use_graphs:
                self.graphs[full].replay()
            else:
                self._step(full)
            slot = self.slots[step % 2]
            slot.fill()
            if pending is not None:
                yield self._record(*pending, start)
            pending = (step, slot)
        if pending is not None:
            yield self._record(*pending, start)


def _kept(model) -> OrderedDict:
    kept = getattr(model, "_static_samplers", None)
    if kept is None:
        kept = OrderedDict()
        model._static_samplers = kept
    return kept


def static_sampler(model, prompt_length: int, settings: SamplingSettings, graphs: bool | None = None) -> StaticSampler:
    """The sampler for this prompt length and these settings, built (and on CUDA captured) once per model."""
    key = (prompt_length, settings, graphs)
    kept = _kept(model)
    if key not in kept:
        kept[key] = StaticSampler(model, prompt_length, settings, graphs)
        while len(kept) > MAX_KEPT:
            kept.popitem(last=False)
    kept.move_to_end(key)
    return kept[key]


def release(model) -> None:
    """Drop the model's captured samplers (and their graph memory)."""
    _kept(model).clear()


def iterate_static(model, input_ids: torch.LongTensor, settings: SamplingSettings,
                   graphs: bool | None = None) -> Iterator[StepRecord]:
    """`sampler.iterate` for the settings `supports()`, at static shapes (CUDA graphs on a GPU by default)."""
    return static_sampler(model, input_ids.shape[1], settings, graphs).run(input_ids)
