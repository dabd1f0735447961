"""Markdown tables of benchmark results: speed.py's rows, and the tables in docs/ made from benchmarks/results/."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path


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


# Tables in docs/ made from benchmarks/results/: each sits between a marker naming it and "<!-- /table -->", and
# `python -m benchmarks.report --docs` rewrites them (`--check` only says which differ).
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MARKER = re.compile(r"(<!-- table: (?P<name>[\w-]+) .*?-->\n)(?P<body>.*?)(<!-- /table -->)", re.DOTALL)


def _load(name: str):
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def _dash(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


# The CPU table shows the eager variants and the three fastest compiled ones (all 14 rows stay in the JSON).
CPU_SPEED_ROWS = ("naive reference loop", "exact sampler", "prefix cache", "dual cache", "threshold τ 0.9",
                  "threshold τ 0.9 + prefix cache", "threshold τ 0.9 + dual cache", "exact sampler, compiled",
                  "dual cache, compiled", "threshold τ 0.9 + dual cache, compiled",
                  "autoregressive baseline: embedded-ar, static KV cache")


def cpu_speed_table() -> str:
    rows = {r["variant"]: r for r in _load("cpu_embedded_256steps.json")[0]["rows"]}
    lines = ["| variant | time (s) | NFE | ms/pass | tokens/s | tokens/pass | × naive | agreement | twin ppl |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in CPU_SPEED_ROWS:
        r = rows[name]
        label = name.replace("baseline: ", "baseline (") + ")" if name.startswith("autoregressive") else name
        lines.append(f"| {label} | {r['seconds']:.2f} | {r['nfe']} | {r['ms_per_step']:.1f} | "
                     f"{r['tokens_per_s']:.1f} | {r['tokens_per_pass']:.2f} | {r['vs_naive']:.2f} | "
                     f"{_dash(r['agreement'], '.3f')} | "
                     f"{_dash(r['twin_perplexity'], '.2f')} |")
    return "\n".join(lines)


def cpu_memory_table() -> str:
    names = {"none": "exact", "prefix": "prefix cache", "dual": "dual cache"}
    lines = ["| sampler | peak (GB) | above the weights (GB) | above the process before the run (GB) |",
             "|---|---|---|---|"]
    for r in _load("cpu_memory_llada8b_1024.json"):
        lines.append(f"| {names[r['cache']]} | {r['peak_gb']:.2f} | {r['peak_gb'] - r['weights_gb']:.2f} | "
                     f"{r['peak_above_start_gb']:.2f} |")
    return "\n".join(lines)


def h100_table() -> str:
    lines = ["| variant | steps | time (s) | ms/step | tokens/s | × naive | peak memory (GB) |",
             "|---|---|---|---|---|---|---|"]
    for name in ("h100_llada8b_256steps.json", "h100_llada8b_64steps.json"):
        for r in _load(name)[0]["rows"]:
            lines.append(f"| {r['variant']} | {r['steps']} | {r['seconds']:.2f} | {r['ms_per_step']:.1f} | "
                         f"{r['tokens_per_s']:.1f} | {r['vs_naive']:.2f} | {r['peak_memory_gb']:.2f} |")
    return "\n".join(lines)


# The one GPU run of scripts/gpu_bench.sh so far (issue 28): an H200, LLaDA-8B's shape with random weights.
GPU = "gpu_nvidia-h200_"


def _gpu_rows(part: str) -> list[dict]:
    return [row for result in _load(f"{GPU}{part}.json") for row in result["rows"]]


def gpu_speed_table() -> str:
    lines = ["| variant | steps | time (s) | ms/step | tokens/s | × naive | agreement | peak memory (GB) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in _gpu_rows("llada8b") + _gpu_rows("llada8b_64steps") + _gpu_rows("autoregressive"):
        lines.append(f"| {r['variant']} | {r['steps']} | {r['seconds']:.2f} | {r['ms_per_step']:.1f} | "
                     f"{r['tokens_per_s']:.0f} | {_dash(r['vs_naive'], '.2f')} | {_dash(r['agreement'], '.3f')} | "
                     f"{r['peak_memory_gb']:.2f} |")
    return "\n".join(lines)


def gpu_embedded_table() -> str:
    lines = ["| variant | time (s) | NFE | ms/pass | tokens/s | tokens/pass | × naive | agreement | twin ppl |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in _gpu_rows("embedded"):
        lines.append(f"| {r['variant']} | {r['seconds']:.2f} | {r['nfe']} | {r['ms_per_step']:.1f} | "
                     f"{r['tokens_per_s']:.0f} | {r['tokens_per_pass']:.2f} | {_dash(r['vs_naive'], '.2f')} | "
                     f"{_dash(r['agreement'], '.3f')} | {_dash(r['twin_perplexity'], '.2f')} |")
    return "\n".join(lines)


def gpu_memory_table() -> str:
    lines = ["| sampler | cache | answer | peak (GB) | above the weights (GB) |", "|---|---|---|---|---|"]
    for r in _load(f"{GPU}memory.json"):
        lines.append(f"| {r['sampler']} | {r['cache']} | {r['gen_length']} | {r['peak_gb']:.2f} | "
                     f"{r['peak_gb'] - r['weights_gb']:.2f} |")
    return "\n".join(lines)


def soak_table() -> str:
    lines = ["| traffic | RSS after the warm-up (MB) | after 200 more runs (MB) | growth (MB) | "
             "growth over the last 50 runs (MB) |", "|---|---|---|---|---|"]
    for name in ("cpu_soak_embedded.json", "cpu_soak_embedded_one_session.json"):
        r = _load(name)
        samples = {s["runs"]: s["rss_mb"] for s in r["samples"]}
        last = max(samples)
        traffic = ("one session for all runs" if r["runs_per_session"] >= r["runs_after_warmup"]
                   else f"a new client session every {r['runs_per_session']} runs")
        lines.append(f"| {traffic} | {r['rss_after_warmup_mb']:.1f} | {r['rss_end_mb']:.1f} | {r['growth_mb']:+.1f} | "
                     f"{samples[last] - samples[last - 50]:+.1f} |")
    return "\n".join(lines)


DOC_TABLES = {"cpu-speed": cpu_speed_table, "cpu-memory": cpu_memory_table, "h100-speed": h100_table,
              "soak": soak_table, "h200-speed": gpu_speed_table, "h200-embedded": gpu_embedded_table,
              "h200-memory": gpu_memory_table}


def update_docs(check: bool = False, docs: Path = ROOT / "docs") -> list[str]:
    """Rewrite every generated table in docs/*.md from the results; returns 'file: table' for each that changed."""
    changed = []
    for path in sorted(docs.glob("*.md")):
        text = path.read_text(encoding="utf-8")

        def fill(match, path=path):
            body = DOC_TABLES[match["name"]]() + "\n"
            if body != match["body"]:
                changed.append(f"{path.name}: {match['name']}")
            return match[1] + body + match[4]

        new = MARKER.sub(fill, text)
        if new != text and not check:
            path.write_text(new, encoding="utf-8")
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Tables in docs/ from benchmarks/results/.")
    parser.add_argument("--docs", action="store_true", help="rewrite the generated tables in docs/*.md")
    parser.add_argument("--check", action="store_true", help="only report tables that differ (exit 1 if any)")
    parser.add_argument("--folder", type=Path, default=ROOT / "docs", help="the markdown files' folder")
    args = parser.parse_args(argv)
    if not (args.docs or args.check):
        parser.error("say --docs or --check")
    changed = update_docs(check=args.check, docs=args.folder.resolve())
    for line in changed:
        print(("differs: " if args.check else "rewrote: ") + line)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
