"""How much faster than the naive loop an exact sampler can be: the naive step's cost over the bare forward pass.

    python -m benchmarks.sampler_ceiling                  # the embedded model, 156 positions, 1 thread
    python -m benchmarks.sampler_ceiling --positions 300 --threads 2

An exact sampler must run the same forward pass as the official loop (every position, every layer: attention is
bidirectional), so what it can save per step is only the rest: the float64 softmax over every position and the
argmax. This times, in CPU seconds of this process, (a) the forward pass alone, (b) the forward pass with the
output head on the last `--block` rows only (what block-only guesses keep), and (c) the naive loop's step, and
prints the ratios: (c)/(a) bounds any exact sampler that keeps the whole output head, (c)/(b) one that keeps a
block's rows.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F


def _cpu_ms(fn, repeats: int) -> float:
    for _ in range(3):
        fn()
    started = time.process_time()
    for _ in range(repeats):
        fn()
    return 1000 * (time.process_time() - started) / repeats


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=156, help="prompt and answer (the chat's 28 + 128)")
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--out", help="write the figures as JSON here")
    options = parser.parse_args(argv)
    torch.set_num_threads(options.threads)
    from llada_demo.models.registry import default_model_name, load_model

    model = load_model(default_model_name("diffusion")).model.eval()
    x = torch.randint(10, model.config.vocab_size - 10, (1, options.positions), generator=torch.Generator().manual_seed(0))

    def naive():
        logits = model(x).logits
        x0 = torch.argmax(logits, dim=-1)
        p = F.softmax(logits.to(torch.float64), dim=-1)
        torch.gather(p, -1, x0[..., None])

    with torch.no_grad():
        forward = _cpu_ms(lambda: model(x).logits, options.repeats)
        rows = slice(options.positions - options.block, options.positions)  # the model's own logits_positions
        block = _cpu_ms(lambda: model(x, logits_positions=rows).logits, options.repeats)
        step = _cpu_ms(naive, options.repeats)
    result = {"positions": options.positions, "threads": options.threads, "forward_ms": round(forward, 2),
              "forward_block_head_ms": round(block, 2), "naive_step_ms": round(step, 2),
              "ceiling_whole_head": round(step / forward, 3),
              "ceiling_block_head": round(step / block, 3)}
    print(f"forward {forward:.1f} ms, forward with the head on {options.block} rows {block:.1f} ms, naive step "
          f"{step:.1f} ms (CPU time, {options.threads} thread(s))")
    print(f"an exact sampler is at most {result['ceiling_whole_head']:.2f}x the naive loop keeping the whole head, "
          f"{result['ceiling_block_head']:.2f}x with the head on the block's rows only")
    if options.out:
        Path(options.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
