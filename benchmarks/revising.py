"""Does taking tokens back help? The `revising` strategy against `low_confidence` at the same forward passes.

`python -m benchmarks.revising` builds "Write a story that uses the words: a, b, c." prompts from held-out stories
(/work/shared/data/tinystories-valid.txt, the eval's word picker), answers each with both strategies on the
embedded diffusion model (greedy, same settings, so the same number of forward passes), and measures every
answer: the AR twin's perplexity of it (pooled over all answers' tokens, end marker included), rep-4, the share of
the three words it uses (a whole word, any case) and, for `revising`, the tokens it returned to [MASK] and how many
came back different. Prints the table and writes benchmarks/results/cpu_revising.json. Rerun it after the
models change: it reads whatever `assets/` holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

HELD_OUT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tinystories-valid.txt"
OUT = Path(__file__).resolve().parent / "results" / "cpu_revising.json"
STRATEGIES = ("low_confidence", "revising")


def words_used(text: str, words) -> float:
    """Share of `words` that appear in `text` as whole words, case-insensitive ("jumped" does not use "jump")."""
    from llada_demo.scoring.text_metrics import uses_word

    return sum(uses_word(text, w) for w in words) / len(words)


def word_prompts(count: int, seed: int, path: Path = HELD_OUT):
    """`count` word-story instructions from held-out text (shuffled with `seed`). The validation file separates
    stories and paragraphs alike by blank lines, so each paragraph is a source of three content words (those
    with fewer are skipped)."""
    from training.instructions import make_instruction

    stories = [part.strip() for part in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if part.strip()]
    rng = random.Random(seed)
    order = list(range(len(stories)))
    rng.shuffle(order)
    result = []
    for index in order:
        instruction = make_instruction(stories[index], "words", rng)
        if instruction is not None:
            result.append(instruction)
        if len(result) == count:
            break
    return result


def answer_row(diffusion, judge, instruction, settings) -> dict:
    """One strategy's answer to one prompt, measured."""
    from llada_demo.modes.common import chat_ids
    from llada_demo.sampling import generate
    from llada_demo.scoring.judge import answer_nll
    from llada_demo.scoring.quality import answer_through_stop
    from llada_demo.scoring.text_metrics import repetition_rate
    from llada_demo.viz.state import revision_counts

    input_ids = chat_ids(diffusion, instruction.prompt)
    started = time.perf_counter()
    trace = generate(diffusion.model, input_ids, settings)
    seconds = time.perf_counter() - started
    text = diffusion.tokenizer.decode(trace.answer_token_ids(), skip_special_tokens=False)
    nll, tokens = answer_nll(judge.model, trace.prompt_ids, answer_through_stop(trace))
    remasks, changed = revision_counts(trace)
    return {"text": text, "passes": trace.nfe, "seconds": seconds, "nll": nll, "tokens": tokens,
            "rep4": repetition_rate(text), "words_used": words_used(text, instruction.words),
            "finished": trace.answer_end() < trace.gen_length, "remasked": int(remasks.sum()),
            "changed": int(changed.sum())}


def summary(rows: list[dict]) -> dict:
    """One strategy's answers: pooled AR-twin perplexity, then means over the answers."""
    nll, tokens = sum(r["nll"] for r in rows), sum(r["tokens"] for r in rows)

    def mean(key):
        return statistics.fmean(float(r[key]) for r in rows)

    return {"twin_ppl": math.exp(nll / tokens) if tokens else float("nan"), "rep4": mean("rep4"),
            "words_used": mean("words_used"), "finished": mean("finished"), "passes": mean("passes"),
            "remasked_per_answer": mean("remasked"), "changed_per_answer": mean("changed"),
            "seconds_per_answer": mean("seconds"), "answer_tokens": mean("tokens")}


def paired(first: list[dict], second: list[dict]) -> dict:
    """Per prompt, second minus first: mean and standard error of each answer's NLL per token (the judge's),
    rep-4 and words used, and on how many prompts the second's answer reads better to the judge."""
    def per_token(row):
        return row["nll"] / row["tokens"] if row["tokens"] else float("nan")

    result = {}
    for key, value in (("nll_per_token", per_token), ("rep4", lambda r: r["rep4"]),
                       ("words_used", lambda r: r["words_used"])):
        deltas = [value(b) - value(a) for a, b in zip(first, second)]
        error = statistics.stdev(deltas) / math.sqrt(len(deltas)) if len(deltas) > 1 else float("nan")
        result[key] = {"mean": round(statistics.fmean(deltas), 4), "stderr": round(error, 4)}
    result["lower_nll_prompts"] = sum(per_token(b) < per_token(a) for a, b in zip(first, second))
    return result


def table(results: dict) -> str:
    """The table in docs/sampling.md: one row per strategy."""
    lines = [("| strategy | forward passes | AR-twin perplexity ↓ | rep-4 ↓ | words used ↑ | finished | "
              "taken back / answer | of which changed |"), "|---|---|---|---|---|---|---|---|"]
    for name, s in results["summary"].items():
        lines.append(f"| `{name}` | {s['passes']:.0f} | {s['twin_ppl']:.2f} | {s['rep4']:.3f} | {s['words_used']:.1%} "
                     f"| {s['finished']:.0%} | {s['remasked_per_answer']:.1f} | {s['changed_per_answer']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--gen-length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--block-length", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0, help="which held-out stories and words")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: a busy shared machine is not oversubscribed)")
    parser.add_argument("--out", default=str(OUT), help="JSON results (an empty string: none)")
    parser.add_argument("--diffusion", default="embedded-llada", help="the diffusion model (registry name)")
    parser.add_argument("--judge", default="embedded-ar", help="the autoregressive judge (same tokenizer)")
    args = parser.parse_args(argv)

    import torch

    from llada_demo.models.registry import load_model
    from llada_demo.sampling import SamplingSettings

    torch.set_num_threads(args.threads)
    from llada_demo.scoring.judge import same_vocabulary

    diffusion, judge = load_model(args.diffusion, device="cpu"), load_model(args.judge, device="cpu")
    if not same_vocabulary(diffusion, judge):
        parser.error("the judge must share the diffusion model's tokenizer (it scores the answer's own ids)")
    instructions = word_prompts(args.prompts, args.seed)
    settings = {name: SamplingSettings(gen_length=args.gen_length, steps=args.steps, block_length=args.block_length,
                                       strategy=name, temperature=0.0, seed=0) for name in STRATEGIES}
    rows = {name: [] for name in STRATEGIES}
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    for index, instruction in enumerate(instructions):
        for name in STRATEGIES:
            rows[name].append(answer_row(diffusion, judge, instruction, settings[name]))
        done = {name: summary(r) for name, r in rows.items()}
        print(f"[{index + 1}/{len(instructions)}] {time.perf_counter() - started:.0f} s · "
              + " · ".join(f"{n}: ppl {s['twin_ppl']:.2f}, words {s['words_used']:.0%}" for n, s in done.items()),
              file=sys.stderr, flush=True)
    first, second = (rows[name] for name in STRATEGIES)
    results = {
        "models": {"diffusion": diffusion.spec.name, "judge": judge.spec.name},
        "device": f"CPU ({os.cpu_count()} cores, torch threads {args.threads})",
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "settings": {"gen_length": args.gen_length, "steps": args.steps, "block_length": args.block_length,
                     "temperature": 0.0, "prompts": len(instructions), "seed": args.seed, "held_out": str(HELD_OUT)},
        "summary": {name: {k: round(v, 4) for k, v in summary(r).items()} for name, r in rows.items()},
        "identical_answers": sum(a["text"] == b["text"] for a, b in zip(first, second)) / max(len(first), 1),
        "paired_difference": paired(first, second),
        "rows": [{"prompt": i.prompt, "words": list(i.words), **{n: rows[n][k] for n in STRATEGIES}}
                 for k, i in enumerate(instructions)],
    }
    print(table(results))
    change = results["paired_difference"]
    print(f"{STRATEGIES[1]} minus {STRATEGIES[0]}, per prompt (mean ± standard error): " + ", ".join(
        f"{key} {v['mean']:+.3f} ± {v['stderr']:.3f}" for key, v in change.items() if isinstance(v, dict))
          + f"; lower NLL on {change['lower_nll_prompts']} of {len(instructions)} prompts")
    print(f"identical answers: {results['identical_answers']:.0%} of {len(instructions)} prompts; "
          f"{time.perf_counter() - started:.0f} s on {results['device']}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
