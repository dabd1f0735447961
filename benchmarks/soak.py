"""Soak: many /chat runs through the live app in its own process, its resident memory (RSS) after each 10 runs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from devtools.app_server import start_server

# Real traffic: a few turns per browser session, then a new visitor; some export their trace.
RUNS_PER_SESSION = 5
EXPORT_EVERY = 3
PROMPTS = ("Write a story about a dog.", "Tell me a short story about a fox and a crow.", "What is a cat?",
           "Write a poem about the sea.", "Once upon a time there was a little girl who")


def rss_mb(pid: int) -> dict:
    """The process's resident memory in MB: VmRSS and its anonymous part (heap, arenas, tensors) from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon"):
                fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields["VmRSS"], 1), "anon_mb": round(fields.get("RssAnon", 0.0), 1)}


def describe_machine() -> str:
    """The CPU model, its core count and torch's version: the soak's figures depend on all three."""
    import os
    import platform

    import torch

    cpu = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}"


def chat_request(model: str, index: int, length: int, steps: int, block: int) -> tuple:
    """/chat's arguments (as tests/test_app_api.chat_args orders them); prompts and seeds vary like real traffic."""
    return (PROMPTS[index % len(PROMPTS)], [], model, length, steps, block, "low_confidence", 0.9, 0.0, 0.0, index,
            "none", "confidence")


def soak(url: str, pid: int, runs: int, warmup: int, every: int = 10, model: str | None = None, length: int = 128,
         steps: int = 64, block: int = 32, on_sample=None, quiet: bool = False,
         runs_per_session: int = RUNS_PER_SESSION) -> dict:
    """Drive `warmup + runs` /chat runs against `url`, sampling the RSS of process `pid` every `every` runs."""
    from gradio_client import Client

    if model is None:
        from llada_demo.models.registry import default_model_name

        model = default_model_name()
    total = warmup + runs
    samples = [dict(runs=0, **rss_mb(pid))]
    client, started = None, time.perf_counter()
    for index in range(total):
        if index % runs_per_session == 0:
            client = Client(url, verbose=False)  # a new session: Gradio keeps the old one's State until it expires
        client.predict(*chat_request(model, index, length, steps, block), api_name="/chat")
        if index % EXPORT_EVERY == EXPORT_EVERY - 1:
            client.predict(api_name="/export_trace")
        done = index + 1
        if not quiet:
            elapsed = time.perf_counter() - started
            print(f"\r  … run {done} of {total} ({elapsed:.0f} s, ~{elapsed / done * (total - done):.0f} s left)",
                  end="", file=sys.stderr, flush=True)
        if done % every == 0 or done == total:
            samples.append(dict(runs=done, **rss_mb(pid)))
            if not quiet:
                print(f"\n  RSS after {done} runs: {samples[-1]['rss_mb']:.1f} MB", file=sys.stderr, flush=True)
            if on_sample:
                on_sample(summary(samples, model, length, steps, block, warmup, time.perf_counter() - started,
                                  runs_per_session))
    if not quiet:
        print(file=sys.stderr)
    return summary(samples, model, length, steps, block, warmup, time.perf_counter() - started, runs_per_session)


def summary(samples: list[dict], model: str, length: int, steps: int, block: int, warmup: int, seconds: float,
            runs_per_session: int = RUNS_PER_SESSION) -> dict:
    """The soak's result from the RSS samples so far (growth measured from the first sample after the warm-up)."""
    base = next((s for s in samples if s["runs"] >= warmup), samples[-1])
    for sample in samples:
        sample["growth_mb"] = round(sample["rss_mb"] - base["rss_mb"], 1)
    end = samples[-1]
    return {"model": model, "gen_length": length, "steps": steps, "block_length": block, "warmup_runs": warmup,
            "runs_after_warmup": end["runs"] - base["runs"], "runs_per_session": runs_per_session,
            "export_every": EXPORT_EVERY, "rss_after_warmup_mb": base["rss_mb"], "rss_end_mb": end["rss_mb"],
            "growth_mb": round(end["rss_mb"] - base["rss_mb"], 1), "seconds": round(seconds, 1),
            "samples": samples}


def table(result: dict) -> str:
    lines = ["| runs done | RSS (MB) | anonymous (MB) | growth since warm-up (MB) |", "|---:|---:|---:|---:|"]
    for s in result["samples"]:
        growth = f"{s['growth_mb']:+.1f}" if s["runs"] >= result["warmup_runs"] else "(warm-up)"
        lines.append(f"| {s['runs']} | {s['rss_mb']:.1f} | {s['anon_mb']:.1f} | {growth} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="runs measured after the warm-up")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--every", type=int, default=10, help="read the RSS after this many runs")
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--model", default=None, help="default: the embedded model")
    parser.add_argument("--session-runs", type=int, default=RUNS_PER_SESSION,
                        help="runs per client session (a new visitor after that many)")
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)

    def save(result: dict, complete: bool) -> None:
        if args.json:  # after every sample too, so a soak cut short still leaves its figures
            result.update(device=describe_machine(), complete=complete)
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    process, url = start_server()
    try:
        result = soak(url, process.pid, args.runs, args.warmup, args.every, args.model, args.length, args.steps,
                      args.block, on_sample=lambda partial: save(partial, False),
                      runs_per_session=args.session_runs)
    finally:
        process.kill()
        process.wait()
    save(result, True)
    print(table(result))
    print(f"{result['runs_after_warmup']} runs after {result['warmup_runs']} warm-up runs "
          f"({result['gen_length']} tokens, {result['steps']} steps, block {result['block_length']}): "
          f"RSS {result['rss_after_warmup_mb']:.1f} → {result['rss_end_mb']:.1f} MB, "
          f"growth {result['growth_mb']:+.1f} MB in {result['seconds']:.0f} s")
    if args.json:
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
