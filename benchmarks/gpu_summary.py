"""The markdown summary of one scripts/gpu_bench.sh run: each part's outcome, the issue's goals as ratios, every table.

`python -m benchmarks.gpu_summary RESULTS_DIR DEVICE_SLUG PART=STATUS:SECONDS ...` writes
RESULTS_DIR/gpu_<slug>_summary.md from the gpu_<slug>_*.json files there and prints it.
"""

from __future__ import annotations

import json
import os
import sys

from .report import markdown, number

# The one-forward limits the issue states for LLaDA-8B on an H100 (REFERENCE.md): reading 16 GB of weights,
# and the bf16 math of 320 tokens. Ratios against them are only meaningful for the 8B shape.
FORWARD_LIMIT_MS = {"weights read": 5.0, "bf16 math": 6.5}
STATIC = "exact sampler, static + CUDA graphs"


def _load(folder, slug, part):
    path = os.path.join(folder, f"gpu_{slug}_{part}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _rows(results):
    return {row["variant"]: row for result in results or [] for row in result["rows"]}


def _goals(folder, slug) -> list[str]:
    lines = ["| goal | measured | target |", "|---|---|---|"]
    rows = _rows(_load(folder, slug, "llada8b"))
    static, prefix = rows.get(STATIC), rows.get("prefix cache")
    if static:
        lines.append(f"| static exact sampler vs naive loop, {static['steps']} steps | "
                     f"{number(static['vs_naive'], '.2f')}× | ≥ 3.5× |")
        for label, limit in FORWARD_LIMIT_MS.items():
            lines.append(f"| static exact sampler, ms per step / H100 one-forward limit ({label}, {limit} ms) | "
                         f"{static['ms_per_step']:.2f} ms = {static['ms_per_step'] / limit:.2f}× | ≤ 1.4× |")
    if prefix:
        lines.append(f"| prefix cache vs naive loop | {number(prefix['vs_naive'], '.2f')}× | ≥ 5× |")
    fast = _rows(_load(folder, slug, "llada8b_64steps")).get(STATIC)
    if fast:
        lines.append(f"| static exact sampler, {fast['steps']} steps for {fast['gen_length']} tokens | "
                     f"{fast['tokens_per_s']:.0f} tokens/s | ≥ 500 tokens/s |")
    for entry in _load(folder, slug, "memory") or []:
        above = entry["peak_gb"] - entry["weights_gb"]
        lines.append(f"| peak memory above the weights at {entry['gen_length']} tokens, {entry['sampler']} sampler, "
                     f"cache {entry['cache']} | {above:.2f} GB (weights {entry['weights_gb']:.2f} GB) | ≤ 2 GB |")
    threshold = _rows(_load(folder, slug, "embedded")).get("threshold τ 0.9 + dual cache")
    if threshold:
        lines.append(f"| threshold τ 0.9 + dual cache on the embedded model's real weights | "
                     f"{threshold['tokens_per_pass']:.2f} tokens/pass, agreement "
                     f"{number(threshold['agreement'], '.3f')} | reported |")
    return lines


def _memory_table(entries) -> list[str]:
    lines = [f"Device: {entries[0]['device']} · {entries[0]['shape']}, {entries[0]['layers']} layers, "
             f"{entries[0]['dtype']} · {entries[0]['method']}", "",
             "| sampler | cache | answer | peak (GB) | weights (GB) | before the run (GB) | peak above start (GB) |",
             "|---|---|---|---|---|---|---|"]
    for e in entries:
        lines.append(f"| {e['sampler']} | {e['cache']} | {e['gen_length']} | {e['peak_gb']:.3f} | "
                     f"{e['weights_gb']:.3f} | {e['before_run_gb']:.3f} | {e['peak_above_start_gb']:.3f} |")
    return lines


def summary(folder: str, slug: str, parts: list[str]) -> str:
    lines = [f"# scripts/gpu_bench.sh on {slug}", "", "| part | outcome | seconds |", "|---|---|---|"]
    for part in parts:
        name, _, rest = part.partition("=")
        status, _, seconds = rest.partition(":")
        lines.append(f"| {name} | {status} | {seconds} |")
    lines += ["", "## Goals (issue 18)", "", *_goals(folder, slug)]
    tests = _load(folder, slug, "tests")
    if tests:
        lines += ["", "## Tests", "", f"{tests['passed']} passed, {tests['failed']} failed, "
                  f"{tests['skipped']} skipped on {tests['device']}"]
        lines += [f"- failed: {name}" for name in tests["failures"]]
    for part, title in (("llada8b", "Sampler variants"), ("llada8b_64steps", "Fewer steps"),
                        ("autoregressive", "Autoregressive baseline"), ("embedded", "Embedded model, real weights")):
        for result in _load(folder, slug, part) or []:
            lines += ["", f"## {title}", "", markdown(result)]
    memory = _load(folder, slug, "memory")
    if memory:
        lines += ["", "## Peak memory", "", *_memory_table(memory)]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder, slug, parts = argv[0], argv[1], argv[2:]
    text = summary(folder, slug, parts)
    with open(os.path.join(folder, f"gpu_{slug}_summary.md"), "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
