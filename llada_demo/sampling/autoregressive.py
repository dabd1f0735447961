"""The autoregressive baseline: one token per forward pass (KV cache), recorded as the diffusion sampler's steps."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import torch

from ..trace import StepRecord, Trace
from .sampler import check_prompt
from .settings import SamplingSettings


def autoregressive_settings(gen_length: int, temperature: float = 0.0, seed: int | None = None) -> SamplingSettings:
    """How an AR run reads as sampling settings: one step per token, blocks of one token."""
    return SamplingSettings(gen_length=gen_length, steps=gen_length, block_length=1, temperature=temperature,
                            seed=seed)


def _config_ids(model, mask_id: int | None, stop_ids) -> tuple[int, tuple[int, ...], int]:
    """(mask id, stop ids, fill id) from the arguments, else from the model's config."""
    config = model.config
    eos = config.eos_token_id[0] if isinstance(config.eos_token_id, (list, tuple)) else config.eos_token_id
    mask_id = mask_id if mask_id is not None else getattr(config, "mask_token_id", None)
    if mask_id is None:
        raise ValueError("Pass mask_id (the tokenizer's <|mdm_mask|> id): the model's config has none.")
    stops = tuple(stop_ids) or tuple(i for i in (eos, getattr(config, "eot_token_id", None)) if i is not None)
    return int(mask_id), stops, int(eos if eos is not None else stops[0])


@torch.no_grad()
def iterate_autoregressive(model, input_ids: torch.LongTensor, settings: SamplingSettings, mask_id: int | None = None,
                           stop_ids=()) -> Iterator[StepRecord]:
    """Generate left to right, yielding one StepRecord per token (the same record the diffusion sampler yields).

    Greedy at temperature 0, else sampling from softmax(logits / temperature) with the settings'
    seed. Not-yet-generated positions hold the mask id, so a trace view draws them as masked.
    When a stop token (EOS / EOT) comes, the same step fills the rest of the answer with EOS,
    so the answer always has gen_length tokens, as a diffusion answer does.
    `predicted` holds the model's top guess where it has made one (the positions so far).
    """
    gen_length = settings.gen_length
    check_prompt(model, input_ids, settings)
    mask_id, stops, fill = _config_ids(model, mask_id, stop_ids)
    device = next(model.parameters()).device
    generator = None
    if settings.seed is not None:
        generator = torch.Generator(device=device)
        generator.manual_seed(settings.seed)
    answer = np.full(gen_length, mask_id, dtype=np.int32)
    predicted = np.full(gen_length, mask_id, dtype=np.int32)
    predicted_confidence = np.zeros(gen_length, dtype=np.float32)
    start = time.perf_counter()
    output = model(input_ids=input_ids.to(device), use_cache=True)
    for position in range(gen_length):
        logits = output.logits[0, -1].float()
        probs = torch.softmax(logits, dim=-1)
        best_prob, best = probs.max(dim=-1)
        if settings.temperature == 0:
            token = best
        else:
            tempered = torch.softmax(logits.double() / settings.temperature, dim=-1)
            token = torch.multinomial(tempered, 1, generator=generator)[0]
        token_id = int(token)
        answer[position] = token_id
        predicted[position], predicted_confidence[position] = int(best), float(best_prob)
        committed, confidence = [position], [float(probs[token_id])]
        stopped = token_id in stops
        if stopped:  # pad with EOS in the same step; padding is certain, so confidence 1
            rest = np.arange(position + 1, gen_length)
            answer[rest], predicted[rest], predicted_confidence[rest] = fill, fill, 1.0
            committed += rest.tolist()
            confidence += [1.0] * len(rest)
        yield StepRecord(
            step=position, block=position, tokens=answer.copy(),
            committed=np.asarray(committed, dtype=np.int32),
            committed_confidence=np.asarray(confidence, dtype=np.float32),
            predicted=predicted.copy(), predicted_confidence=predicted_confidence.copy(),
            nfe=position + 1, elapsed=time.perf_counter() - start,
        )
        if stopped or position == gen_length - 1:
            return
        output = model(input_ids=token.view(1, 1).to(device), past_key_values=output.past_key_values, use_cache=True)


def new_autoregressive_trace(model, input_ids: torch.LongTensor, settings: SamplingSettings,
                             mask_id: int | None = None, stop_ids=(), **info) -> Trace:
    """An empty trace for an AR run about to start (steps are appended as they come)."""
    mask_id, stops, _ = _config_ids(model, mask_id, stop_ids)
    return Trace(prompt_ids=input_ids[0].cpu().numpy().astype(np.int32), settings=settings, mask_id=mask_id,
                 stop_ids=stops, kind="autoregressive", **info)


def autoregressive_generate(model, input_ids: torch.LongTensor, settings: SamplingSettings | int,
                            mask_id: int | None = None, stop_ids=(), **info) -> Trace:
    """Run to the end and return the whole trace; `settings` may be just the answer length (greedy)."""
    if isinstance(settings, int):
        settings = autoregressive_settings(settings)
    trace = new_autoregressive_trace(model, input_ids, settings, mask_id, stop_ids, **info)
    trace.steps.extend(iterate_autoregressive(model, input_ids, settings, mask_id, stop_ids))
    trace.finished = True
    return trace
