"""Time per step, tokens/s, agreement and peak memory of each sampler variant against the naive reference loop.

`python -m benchmarks.speed --help` lists the options (random-weight shapes, or `--model` for real weights).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict

import numpy as np
import torch

from devtools.reference_loop import generate as naive_generate
from devtools.static_sampler import iterate_static, release
from llada_demo.models import LLaDAModelLM
from llada_demo.models.device import pick_device, pick_dtype
from llada_demo.sampling import SamplingSettings, iterate
from llada_demo.scoring.agreement import identical_share
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.judge import answer_nll, pooled

from . import autoregressive_baseline
from .report import markdown
from .shapes import autoregressive_config, random_model, shape_config
from .timing import best, environment, make_row, timed
from .variants import VARIANTS, split

# Prompts for checkpoints with real weights: their confidences, hence threshold and cache behaviour, need real text.
REAL_PROMPTS = ["Write a story about a dog who finds a red ball.", "Tell me a story about a girl and her cat.",
                "Once upon a time, a little boy wanted to fly."]
# The autoregressive baseline for a registered diffusion checkpoint.
AUTOREGRESSIVE_TWINS = {"embedded-llada": "embedded-ar", "random-tiny": "random-tiny-ar"}
# The denoising loops a variant can run on (variants.py names them).
SAMPLERS = {"loop": iterate, "static": iterate_static}

__all__ = ["add_arguments", "main", "markdown", "run"]


def build_random_model(shape: str, device: torch.device, layers: int | None = None) -> LLaDAModelLM:
    """Random weights of `shape`, optionally only `layers` deep (the width and vocabulary stay: what the sampler's
    per-step work depends on, at a fraction of the forward's cost)."""
    config = shape_config(shape)
    if layers:
        config.n_layers = layers
    return random_model(LLaDAModelLM, config, device, pick_dtype(device)).fuse_projections()


def _sampler(model, prompts, settings, sampler="loop"):
    """Runs the sampler over every prompt; returns (forward passes, final answers)."""
    loop = SAMPLERS[sampler]

    def run():
        nfe, answers = 0, []
        for prompt in prompts:
            last = None
            for last in loop(model, prompt, settings):
                pass
            nfe += last.nfe
            answers.append(last.tokens)
        return nfe, answers
    return run


def _prompts(model, model_name, prompt_length, device):
    if model_name:
        from llada_demo.models.registry import load_model
        from llada_demo.models.tokenizer import chat_prompt_ids

        tokenizer = load_model(model_name, str(device)).tokenizer
        return [chat_prompt_ids(tokenizer, [{"role": "user", "content": text}]).to(device) for text in REAL_PROMPTS]
    torch.manual_seed(0)
    return [torch.randint(0, model.config.mask_token_id - 1, (1, prompt_length), device=device)]


def _autoregressive(shape, model_name, device):
    """(label, model) of the autoregressive baseline, or (None, None) where there is none."""
    if model_name:
        twin = AUTOREGRESSIVE_TWINS.get(model_name)
        if twin is None:
            return None, None
        from llada_demo.models.registry import load_model

        return twin, load_model(twin, str(device)).model
    label, config = autoregressive_config(shape)
    from transformers import LlamaForCausalLM

    return label, random_model(LlamaForCausalLM, config, device, pick_dtype(device))


def _progress(text):
    print(f"  … {text}", file=sys.stderr, flush=True)


def run(shape="tiny", prompt_length=64, gen_length=256, steps=256, block_length=32, device=None, repeats=1,
        model_name=None, variants=None, memory_length=0, autoregressive=True, compile_model=False, naive=True,
        layers=None, cpu_time=False):
    """Time every variant on a random-weight `shape` (`layers` deep, if given), or on a registered checkpoint
    (`model_name`). With `repeats`, the variants take turns and each keeps its fastest run, so a change in the
    machine's load during the run weighs on every variant alike. `cpu_time` times the process's CPU seconds
    (see timing.timed) instead of wall time."""
    device = pick_device(device)
    if model_name:
        from llada_demo.models.registry import load_model

        model = load_model(model_name, str(device)).model
    else:
        model = build_random_model(shape, device, layers)
    prompts = _prompts(model, model_name, prompt_length, device)
    base = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length)
    chosen = {name: split(VARIANTS[name]) for name in (variants or VARIANTS)}

    def naive_loop():
        return steps * len(prompts), [naive_generate(model, p, steps, gen_length, block_length)[0, p.shape[1]:]
                                      .cpu().numpy() for p in prompts]

    # Warm-up (allocator, kernels, every code path) on a short run of each loop variant. A static variant
    # instead runs once untimed at the measured settings: that run captures its CUDA graphs for these shapes.
    warm = SamplingSettings(gen_length=block_length, steps=min(4, block_length), block_length=block_length)
    if naive:
        naive_generate(model, prompts[0], warm.steps, block_length, block_length)
    for name, (sampler, changes) in chosen.items():
        if sampler == "loop":
            _sampler(model, prompts[:1], warm.replace(**changes))()
        else:
            start = time.perf_counter()
            _sampler(model, prompts, base.replace(**changes), sampler)()
            _progress(f"{name}: first run (capture) took {time.perf_counter() - start:.1f} s")

    rows, answers = [], {}
    tokens = gen_length * len(prompts)

    def measure(name, fn):
        seconds, (nfe, answers[name]), peak = best(device, fn, repeats)
        rows.append(make_row(name, steps, gen_length, block_length, seconds, nfe, tokens, peak))
        _progress(f"{name}: {seconds:.2f} s")

    jobs = [("naive reference loop", naive_loop)] if naive else []
    jobs += [(name, _sampler(model, prompts, base.replace(**changes), sampler))
             for name, (sampler, changes) in chosen.items()]
    timings = {name: [] for name, _ in jobs}
    for turn in range(repeats):
        for name, fn in jobs:
            timings[name].append(timed(device, fn, time.process_time if cpu_time else time.perf_counter))
            _progress(f"{name}, run {turn + 1}: {timings[name][-1][0]:.2f} s")
    for name, _ in jobs:
        seconds, (nfe, answers[name]), peak = min(timings[name], key=lambda t: t[0])
        rows.append(make_row(name, steps, gen_length, block_length, seconds, nfe, tokens, peak))
    release(model)  # the static samplers' graph memory is not part of what follows
    memory_rows = []  # measured on the eager model (compiling would add its own shapes and graph memory)
    if memory_length:
        settings = SamplingSettings(gen_length=memory_length, steps=memory_length // block_length,
                                    block_length=block_length)
        seconds, (nfe, _), peak = timed(device, _sampler(model, prompts[:1], settings))
        memory_rows.append(make_row(f"exact sampler, memory at {memory_length} tokens", settings.steps,
                                    memory_length, block_length, seconds, nfe, memory_length, peak))
    if compile_model:  # the loop variants again with a compiled forward (CUDA graphs on a GPU)
        from llada_demo.models.compiled import compile_forward

        compile_forward(model, device)
        for name, (sampler, changes) in chosen.items():
            if sampler != "loop":  # captures its own graphs: torch.compile's would nest inside them
                continue
            fn = _sampler(model, prompts, base.replace(**changes))
            start = time.perf_counter()
            fn()  # compiles for this variant's shapes: not timed
            _progress(f"{name}, compiled: compiling took {time.perf_counter() - start:.1f} s")
            measure(f"{name}, compiled", fn)
    reference = answers.get("exact sampler", answers.get("naive reference loop"))
    if reference is not None:
        for row in rows:
            if row.variant != "naive reference loop":
                row.agreement = agreement(answers[row.variant], reference)
    naive_seconds = rows[0].seconds if naive else None
    for row in rows:
        row.vs_naive = naive_seconds / row.seconds if naive else None

    if autoregressive:
        label, ar_model = _autoregressive(shape, model_name, device)
        if ar_model is not None:
            seconds, nfe, peak = autoregressive_baseline.measure(ar_model, prompts, gen_length, device, repeats)
            rows.append(make_row(f"autoregressive baseline: {label}, static KV cache", gen_length, gen_length, 1,
                                 seconds, nfe, tokens, peak, vs_naive=naive_seconds / seconds if naive else None))
            _progress(f"autoregressive baseline: {seconds:.2f} s")
            if model_name:  # real weights: is a cached answer worse, or only different?
                stops = {getattr(model.config, n, None) for n in ("eos_token_id", "eot_token_id")} - {None}
                for row in rows[:-1]:
                    row.twin_perplexity = judge_perplexity(ar_model, prompts, answers[row.variant], stops)
            del ar_model
    rows.extend(memory_rows)
    weights_gb = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    label = model_name or (f"{shape}, {layers} layers" if layers else shape)
    return {
        **environment(device), "shape": label, "real_weights": bool(model_name), "repeats": repeats,
        "clock": "process CPU time" if cpu_time else "wall time", "threads": torch.get_num_threads(),
        "weights_gb": round(weights_gb, 3), "dtype": str(next(model.parameters()).dtype).replace("torch.", ""),
        "prompts": len(prompts),
        "prompt_length": int(np.mean([p.shape[1] for p in prompts])), "rows": [asdict(r) for r in rows],
    }


def judge_perplexity(judge, prompts, answers, stops) -> float:
    """Perplexity under an autoregressive judge of each answer through its first end marker, pooled over prompts."""
    total, count = pooled([answer_nll(judge, prompt, cut_at_stop(answer, stops, keep_stop=True).ids)
                           for prompt, answer in zip(prompts, answers)])
    return float(np.exp(total / max(count, 1)))


def agreement(answers, reference) -> float:
    """Mean over prompts of the share of answer tokens identical to the reference's."""
    return float(np.mean([identical_share(a, b) for a, b in zip(answers, reference)]))


def main(args=None) -> int:
    """Run with parsed arguments (an argparse namespace), or parse `args` (a list, or sys.argv when None)."""
    if args is None or isinstance(args, (list, tuple)):
        parser = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.splitlines()[0])
        add_arguments(parser)
        args = parser.parse_args(args)
    if getattr(args, "threads", None):
        torch.set_num_threads(args.threads)
    results = []
    targets = [(None, name) for name in args.model] or [(shape, None) for shape in args.shape]
    for shape, model_name in targets:
        result = run(shape or "tiny", args.prompt_length, args.length, args.steps, args.block, args.device,
                     args.repeats, model_name=model_name, variants=args.variants, memory_length=args.memory_length,
                     autoregressive=not args.no_autoregressive, compile_model=args.compile,
                     naive=not getattr(args, "no_naive", False), layers=getattr(args, "layers", None),
                     cpu_time=getattr(args, "cpu_time", False))
        print(markdown(result), flush=True)
        print()
        results.append(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("--shape", nargs="+", default=["tiny"], help="random weights of: llada-8b, embedded, tiny")
    parser.add_argument("--model", nargs="+", default=[], help="registered checkpoints instead (real weights), "
                        "e.g. embedded-llada")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=None,
                        help="sampler variants to time (default: all)")
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--prompt-length", type=int, default=64, help="random prompt length (random weights only)")
    parser.add_argument("--layers", type=int, default=None,
                        help="build the random-weight shape only this many layers deep (e.g. llada-8b with 2)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs per variant, taking turns across variants; each keeps its fastest")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (1 avoids OpenMP thread contention on a shared machine)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time the process's CPU seconds, not wall time (with --threads 1: the work done, "
                        "whatever else the machine runs)")
    parser.add_argument("--memory-length", type=int, default=0,
                        help="also measure peak memory of the exact sampler at this answer length (e.g. 1024)")
    parser.add_argument("--compile", action="store_true",
                        help="also time the loop variants with torch.compile (CUDA graphs on a GPU; slow to compile)")
    parser.add_argument("--no-autoregressive", action="store_true", help="skip the autoregressive baseline")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive reference loop (no × naive column)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--json", default=None)


if __name__ == "__main__":
    sys.exit(main())
