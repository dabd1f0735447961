"""Evaluation, part 2: both models answer fixed prompts, scored by text metrics and by each model."""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from llada_demo.models.tokenizer import chat_prompt_ids, special_ids
from llada_demo.sampling.autoregressive import autoregressive_generate
from llada_demo.sampling.sampler import generate
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.scoring import text_metrics as metrics
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.judge import answer_bound, answer_nll

from .eval_options import EvalOptions


def answer_text(tokenizer, ids: list[int], stops) -> str:
    return tokenizer.decode([i for i in ids if i not in stops], skip_special_tokens=False)


def infill_ending(diffusion_model, tokenizer, prompt: torch.LongTensor, ending: str, settings: SamplingSettings
                  ) -> np.ndarray | None:
    """Answer region with the ending (then `<|eot_id|>`) fixed at its end and diffusion filling the rest."""
    ids = special_ids(tokenizer)
    # A leading space: inside a story the last sentence follows a space, and byte-level BPE keeps it.
    tail = tokenizer(" " + ending.strip(), add_special_tokens=False)["input_ids"]
    tail += [ids.eot] if ids.eot is not None else [ids.eos]
    if len(tail) >= settings.gen_length:
        return None
    answer = torch.full((settings.gen_length,), ids.mask, dtype=torch.long)
    answer[-len(tail):] = torch.tensor(tail)
    return generate(diffusion_model, prompt, settings, answer=answer).answer_ids


def answer_metrics(text: str, instruction) -> dict:
    result = {"distinct_2": metrics.distinct_n(text, 2), "repetition_rate": metrics.repetition_rate(text, 4)}
    if instruction.kind == "words":
        result["words_share"] = metrics.words_share(text, instruction.words)
    if instruction.kind == "ends":
        result["ending_kept"] = float(metrics.ending_kept(text, instruction.ending))
        result["ending_present"] = float(metrics.ending_present(text, instruction.ending))
    return result


def batched_regions(diffusion_model, ar_model, tokenizer, instructions, settings: SamplingSettings) -> dict:
    """Both models' answer regions for all prompts at once; seconds are per answer (the batch's time / N)."""
    from .batch_sampler import autoregressive_answers, diffusion_answers

    ids = special_ids(tokenizer)
    prompts = [chat_prompt_ids(tokenizer, [{"role": "user", "content": i.prompt}]) for i in instructions]
    started = time.perf_counter()
    diffusion = diffusion_answers(diffusion_model, prompts, settings)
    middle = time.perf_counter()
    autoregressive = autoregressive_answers(ar_model, prompts, settings.gen_length, ids.stops, ids.eos)
    count = max(1, len(prompts))
    seconds = ((middle - started) / count, (time.perf_counter() - middle) / count)
    return {"diffusion": diffusion, "autoregressive": autoregressive, "seconds": seconds}


def prompt_answers(diffusion_model, ar_model, tokenizer, instructions, options: EvalOptions) -> list[dict]:
    """Both models answer every prompt; each answer is scored by text metrics and by the other model."""
    ids = special_ids(tokenizer)
    stops = set(ids.stops)
    steps = options.steps or options.gen_length
    settings = SamplingSettings(gen_length=options.gen_length, steps=steps, block_length=options.block_length,
                                strategy=options.strategy, temperature=options.temperature, seed=options.seed)
    generator = torch.Generator().manual_seed(options.seed + 1)
    batched = batched_regions(diffusion_model, ar_model, tokenizer, instructions, settings) if options.batched else None
    rows = []
    for index, instruction in enumerate(tqdm(instructions, desc="prompts", disable=not options.progress)):
        prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": instruction.prompt}])
        row = {"kind": instruction.kind, "prompt": instruction.prompt}
        if batched is not None:
            diffusion_region, ar_region = batched["diffusion"][index], batched["autoregressive"][index]
            row["diffusion_seconds"], row["autoregressive_seconds"] = batched["seconds"]
        else:
            started = time.perf_counter()
            diffusion_region = generate(diffusion_model, prompt, settings).answer_ids
            row["diffusion_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            ar_region = autoregressive_generate(ar_model, prompt, options.gen_length, mask_id=ids.mask).answer_ids
            row["autoregressive_seconds"] = time.perf_counter() - started
        for name, region in (("diffusion", diffusion_region), ("autoregressive", ar_region)):
            # The stop token is kept: ending the story is part of what the twin scores.
            answer, finished = cut_at_stop(region, stops, keep_stop=True)
            text = answer_text(tokenizer, answer, stops)
            nll, count = answer_nll(ar_model, prompt, answer)
            row[name] = {
                "text": text, "tokens": len(answer), "finished": float(finished), **answer_metrics(text, instruction),
                "autoregressive_nll_sum": nll, "autoregressive_nll_tokens": count,
                "diffusion_nll_bound": answer_bound(diffusion_model, prompt, region, options.samples, generator,
                                                    options.batch_size),
            }
        if instruction.kind == "ends":
            region = infill_ending(diffusion_model, tokenizer, prompt, instruction.ending, settings)
            if region is not None:
                answer, _ = cut_at_stop(region, stops, keep_stop=True)
                text = answer_text(tokenizer, answer, stops)
                row["diffusion"]["infill_text"] = text
                row["diffusion"]["ending_kept_infill"] = float(metrics.ending_kept(text, instruction.ending))
        rows.append(row)
    return rows


def _mean(rows: list[dict], model: str, key: str) -> float | None:
    values = [row[model][key] for row in rows if key in row[model]]
    return float(np.mean(values)) if values else None


def summarise(rows: list[dict]) -> dict:
    summary = {}
    for model in ("diffusion", "autoregressive"):
        nll = sum(row[model]["autoregressive_nll_sum"] for row in rows)
        count = sum(row[model]["autoregressive_nll_tokens"] for row in rows)
        ar_nll = nll / count if count else float("nan")
        summary[model] = {
            "answers": len(rows),
            "mean_answer_tokens": _mean(rows, model, "tokens"),
            "finished_share": _mean(rows, model, "finished"),
            "distinct_2": _mean(rows, model, "distinct_2"),
            "repetition_rate": _mean(rows, model, "repetition_rate"),
            "words_share": _mean(rows, model, "words_share"),
            "ending_kept": _mean(rows, model, "ending_kept"),
            "ending_present": _mean(rows, model, "ending_present"),
            "ending_kept_infill": _mean(rows, model, "ending_kept_infill"),
            "autoregressive_nll_per_token": ar_nll,
            "autoregressive_perplexity": math.exp(ar_nll) if math.isfinite(ar_nll) else None,
            "diffusion_nll_bound_per_token": _mean(rows, model, "diffusion_nll_bound"),
            "seconds_per_answer": float(np.mean([row[f"{model}_seconds"] for row in rows])) if rows else None,
        }
    return summary
