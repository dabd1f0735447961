"""Peak memory of the sampler above the weights at a long answer, measured where no GPU is at hand.

The peak of one denoising step above the weights comes from what does not scale with depth (the
output head's logits, the hover guesses, the candidates, one layer's activations at a time), so a
model of the real width and vocabulary with only a few layers shows it. On Linux it reads the
process's peak resident memory (VmHWM, reset before the run); on CUDA the allocator's peak.
Run it in a fresh process: `python -m benchmarks.memory --shape llada-8b --layers 2 --length 1024`;
`--sampler static` measures the static sampler (devtools/static_sampler.py, its CUDA graphs' pool included);
`--json FILE` appends the result to a JSON list there.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import sys

import torch

from devtools.static_sampler import iterate_static
from llada_demo.models import LLaDAModelLM
from llada_demo.models.device import describe_device, pick_device, pick_dtype
from llada_demo.sampling import SamplingSettings, iterate

from .shapes import random_model, shape_config


def _status_gb(field: str) -> float:
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith(field + ":"))
    return kb / 2**20


def _live_memory_only() -> bool:
    """Ask glibc to mmap every block of 1 MB or more, so freed tensors leave the process at once and the
    resident peak is what was live (by default glibc keeps freed blocks of up to 32 MB in its heap)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident size


def measure(shape: str, layers: int, length: int, block: int, cache: str, prompt_length: int, steps_measured: int,
            device=None, sampler: str = "loop") -> dict:
    device = pick_device(device)
    live_only = device.type != "cuda" and _live_memory_only()
    config = shape_config(shape)
    config.n_layers = layers
    model = random_model(LLaDAModelLM, config, device, pick_dtype(device)).fuse_projections()
    weights = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    prompt = torch.randint(0, config.mask_token_id - 1, (1, prompt_length), device=device)
    settings = SamplingSettings(gen_length=length, steps=length // block, block_length=block, cache=cache)
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated() / 2**30
    else:
        _reset_peak()
        base = _status_gb("VmRSS")
    loop = iterate_static if sampler == "static" else iterate
    for index, _ in enumerate(loop(model, prompt, settings), start=1):
        print(f"  … step {index} of {steps_measured}", file=sys.stderr, flush=True)
        if index >= steps_measured:
            break
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else _status_gb("VmHWM")
    return {"device": describe_device(device), "shape": shape, "layers": layers, "gen_length": length,
            "block_length": block, "cache": cache, "sampler": sampler, "prompt_length": prompt_length, "steps_measured": steps_measured,
            "dtype": str(next(model.parameters()).dtype).replace("torch.", ""), "weights_gb": round(weights, 3),
            "method": "CUDA allocator peak" if device.type == "cuda" else
            "peak resident memory (VmHWM)" + (", freed blocks returned at once" if live_only else ""),
            "before_run_gb": round(base, 3), "peak_gb": round(peak, 3), "peak_above_start_gb": round(peak - base, 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="llada-8b")
    parser.add_argument("--layers", type=int, default=2, help="depth to build (the peak above weights does not "
                        "grow with it)")
    parser.add_argument("--length", type=int, default=1024)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--cache", default="none")
    parser.add_argument("--prompt-length", type=int, default=64)
    parser.add_argument("--steps-measured", type=int, default=2, help="every step of a block peaks alike")
    parser.add_argument("--sampler", choices=("loop", "static"), default="loop",
                        help="the denoising loop, or the static sampler (CUDA graphs on a GPU; cache none only)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--json", default=None, help="append the result to the JSON list in this file")
    args = parser.parse_args(argv)
    result = measure(args.shape, args.layers, args.length, args.block, args.cache, args.prompt_length,
                     args.steps_measured, args.device, args.sampler)
    print(json.dumps(result, indent=2))
    if args.json:
        results = []
        if os.path.exists(args.json):
            with open(args.json) as f:
                results = json.load(f)
        with open(args.json, "w") as f:
            json.dump(results + [result], f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
