"""Time per step, tokens/s and peak memory of each sampler variant against the naive reference loop."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass

import torch

from llada_demo.models import LLaDAModelLM
from llada_demo.models.device import describe_device, pick_device, pick_dtype
from llada_demo.sampling import SamplingSettings, iterate

from .reference_loop import naive_generate
from .shapes import shape_config


@dataclass
class Row:
    variant: str
    shape: str
    steps: int
    gen_length: int
    block_length: int
    seconds: float
    nfe: int
    ms_per_step: float
    tokens_per_s: float
    vs_naive: float
    peak_memory_gb: float


def build_random_model(shape: str, device: torch.device) -> LLaDAModelLM:
    config = shape_config(shape)
    dtype = pick_dtype(device)
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):  # build directly on the device: an 8B model never touches host memory
            model = LLaDAModelLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model.eval()


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _timed(device, fn):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    _sync(device)
    start = time.perf_counter()
    nfe = fn()
    _sync(device)
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else 0.0
    return seconds, nfe, peak


def load_real_model(name: str, device: torch.device):
    from llada_demo.models.registry import load_model

    return load_model(name, str(device)).model


def run(shape="tiny", prompt_length=64, gen_length=256, steps=256, block_length=32, device=None, repeats=1,
        model_name=None):
    """Time the variants on a random-weight `shape`, or on a registered checkpoint (`model_name`)."""
    device = pick_device(device)
    model = load_real_model(model_name, device) if model_name else build_random_model(shape, device)
    shape = model_name or shape
    torch.manual_seed(0)
    prompt = torch.randint(0, model.config.mask_token_id - 1, (1, prompt_length), device=device)
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length)

    def exact():
        return sum(1 for _ in iterate(model, prompt, settings))

    def naive():
        naive_generate(model, prompt, steps, gen_length, block_length)
        return steps

    variants = {"naive reference loop": naive, "exact sampler": exact}
    # Warm-up (allocator, kernels) on a short run of each variant.
    warm = SamplingSettings(gen_length=block_length, steps=min(4, block_length), block_length=block_length)
    for _ in iterate(model, prompt, warm):
        pass
    naive_generate(model, prompt, warm.steps, block_length, block_length)

    rows = []
    for name, fn in variants.items():
        best = min((_timed(device, fn) for _ in range(repeats)), key=lambda r: r[0])
        seconds, nfe, peak = best
        rows.append(Row(name, shape, steps, gen_length, block_length, seconds, nfe, 1000 * seconds / nfe,
                        gen_length / seconds, 0.0, peak))
    naive_seconds = rows[0].seconds
    for row in rows:
        row.vs_naive = naive_seconds / row.seconds
    weights_gb = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    return {
        "device": describe_device(device), "torch": torch.__version__, "python": platform.python_version(),
        "shape": shape, "weights_gb": round(weights_gb, 3), "prompt_length": prompt_length,
        "rows": [asdict(r) for r in rows],
    }


def markdown(result: dict) -> str:
    lines = [
        f"Device: {result['device']} · {result['shape']} ({result['weights_gb']} GB of weights) · "
        f"prompt {result['prompt_length']} tokens · torch {result['torch']}",
        "",
        "| variant | steps | gen | block | time (s) | NFE | ms/step | tokens/s | × naive | peak mem (GB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['variant']} | {r['steps']} | {r['gen_length']} | {r['block_length']} | {r['seconds']:.2f} | "
            f"{r['nfe']} | {r['ms_per_step']:.1f} | {r['tokens_per_s']:.1f} | {r['vs_naive']:.2f} | "
            f"{r['peak_memory_gb']:.2f} |"
        )
    return "\n".join(lines)


def main(args) -> int:
    results = []
    targets = [(None, name) for name in args.model] or [(shape, None) for shape in args.shape]
    for shape, model_name in targets:
        result = run(shape or "tiny", args.prompt_length, args.length, args.steps, args.block, args.device,
                     args.repeats, model_name=model_name)
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
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--prompt-length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--device", default=None)
    parser.add_argument("--json", default=None)
