"""The autoregressive baseline: transformers' generate() with a static KV cache, one token per forward pass.

`python -m benchmarks.autoregressive_baseline --shape llada-8b` times the Llama-3-8B shape alone (random weights).
"""

from __future__ import annotations

import argparse
import json
import sys

import torch


@torch.no_grad()
def autoregressive_generate(model, prompt: torch.Tensor, gen_length: int) -> int:
    """Greedy, exactly gen_length new tokens (no early stop); returns the forward passes used."""
    model.generation_config.pad_token_id = model.config.eos_token_id
    model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=gen_length,
                   min_new_tokens=gen_length, do_sample=False, cache_implementation="static")
    return gen_length  # the prefill yields the first token, then one pass per further token


def measure(model, prompts, gen_length: int, device: torch.device, repeats: int = 1):
    """(seconds, forward passes, peak GB) of the best of `repeats` runs over every prompt, after a warm-up at the
    same length (the static cache's size, and whatever transformers compiles for it, depend on it)."""
    from .timing import best

    prompts = [p.clamp(max=model.config.vocab_size - 1) for p in prompts]
    autoregressive_generate(model, prompts[0], gen_length)
    return best(device, lambda: sum(autoregressive_generate(model, p, gen_length) for p in prompts), repeats)


def run(shape: str, prompt_length: int, gen_length: int, device=None, repeats: int = 1) -> dict:
    """The baseline for a random-weight diffusion shape alone, as a result in speed.py's format."""
    from llada_demo.models.device import pick_device, pick_dtype

    from .shapes import autoregressive_config, random_model, shape_config
    from .timing import environment, make_row

    device = pick_device(device)
    label, config = autoregressive_config(shape)
    from transformers import LlamaForCausalLM

    model = random_model(LlamaForCausalLM, config, device, pick_dtype(device))
    torch.manual_seed(0)  # the same prompt as speed.py's random prompt for this shape
    prompt = torch.randint(0, shape_config(shape).mask_token_id - 1, (1, prompt_length), device=device)
    seconds, nfe, peak = measure(model, [prompt], gen_length, device, repeats)
    row = make_row(f"autoregressive baseline: {label}, static KV cache", gen_length, gen_length, 1, seconds, nfe,
                   gen_length, peak)
    weights_gb = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    # transformers compiles the decoding step itself on CUDA with a static cache (unless disable_compile is set).
    compiled = device.type == "cuda" and not getattr(model.generation_config, "disable_compile", False)
    return {**environment(device), "shape": label, "real_weights": False, "weights_gb": round(weights_gb, 3),
            "transformers_auto_compile": compiled,
            "dtype": str(next(model.parameters()).dtype).replace("torch.", ""), "prompts": 1,
            "prompt_length": prompt_length, "rows": [row.__dict__]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.autoregressive_baseline",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="llada-8b", help="diffusion shape whose baseline to time "
                        "(llada-8b: Llama-3-8B; others: their same-size twin)")
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--prompt-length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--device", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    from .report import markdown

    result = run(args.shape, args.prompt_length, args.length, args.device, args.repeats)
    print(markdown(result), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump([result], f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
