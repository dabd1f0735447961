"""Markdown tables of benchmark results (the rows speed.py and autoregressive_baseline.py write as JSON)."""

from __future__ import annotations


def number(value, spec):
    return "n/a" if value is None else format(value, spec)


def markdown(result: dict) -> str:
    weights = "real weights" if result["real_weights"] else "random weights"
    lines = [
        f"Device: {result['device']} ({result['host']}) · {result['shape']}, {weights} "
        f"({result['weights_gb']} GB, {result['dtype']}) · {result['prompts']} prompt(s) of ~{result['prompt_length']} tokens · "
        f"torch {result['torch']}" + (f" · times are {result['clock']}" if result.get("clock") else ""),
        "",
        "| variant | steps | gen | block | time (s) | NFE | ms/step | tokens/s | tokens/pass | × naive | "
        "agreement | twin ppl | peak mem (GB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['variant']} | {r['steps']} | {r['gen_length']} | {r['block_length']} | {r['seconds']:.2f} | "
            f"{r['nfe']} | {r['ms_per_step']:.1f} | {r['tokens_per_s']:.1f} | {r['tokens_per_pass']:.2f} | "
            f"{number(r['vs_naive'], '.2f')} | {number(r['agreement'], '.3f')} | "
            f"{number(r['twin_perplexity'], '.2f')} | "
            f"{number(r['peak_memory_gb'], '.2f')} |"
        )
    return "\n".join(lines)
