"""How noisy is the diffusion likelihood bound? LLaDA's count form against the naive form, and what a score costs.

`python -m benchmarks.likelihood_variance` takes every answer of the "Which answer?" tab's presets (the embedded
models as shipped in assets/), draws the bound many times with each estimator (count: l ~ U{1..L}, weight L / l;
time: t ~ U(0, 1], each token masked with probability t, weight 1 / t) and prints the variance of one draw, the
ratio, and the draws each needs for a standard error of 0.1 nats. Then it times a whole preset at 128 draws per
answer and the AR twin's exact pass over the same answers, in the same process (on a shared machine only the
ratio between them means much). Writes benchmarks/results/cpu_likelihood_variance.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "results" / "cpu_likelihood_variance.json"


def draws(model, prompt_ids, answer_ids, count: int, method: str, seed: int) -> np.ndarray:
    from llada_demo.scoring.answer_likelihood import ScoreSettings, bound_batches

    settings = ScoreSettings(samples=count, batch_size=64, seed=seed, method=method)
    return np.concatenate([v for _, v in bound_batches(model, [(prompt_ids, answer_ids)], settings)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=4096, help="draws per answer and estimator")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    from llada_demo.engine import load_model, worker
    from llada_demo.modes.reversal import load_report
    from llada_demo.modes.score import Entry, encode, make_entries, presets, score
    from llada_demo.scoring.answer_likelihood import ScoreSettings

    worker.run_here()
    torch.set_grad_enabled(False)
    rows, timings = [], []
    for preset in presets(load_report()):
        diffusion, autoregressive = load_model(preset.diffusion), load_model(preset.autoregressive)
        for answer in preset.answers:
            prompt_ids, answer_ids = encode(diffusion, Entry("", preset.prompt, answer, preset.form))
            count = draws(diffusion.model, prompt_ids, answer_ids, args.draws, "count", args.seed)
            naive = draws(diffusion.model, prompt_ids, answer_ids, args.draws, "time", args.seed)
            half = args.draws // 8
            row = {"preset": preset.label, "answer": answer, "tokens": len(answer_ids),
                   "count_mean": float(count.mean()), "count_variance": float(count.var(ddof=1)),
                   "time_mean": float(naive.mean()), "time_variance": float(naive.var(ddof=1)),
                   "time_variance_first_eighth": float(naive[:half].var(ddof=1)),
                   "time_largest_draw": float(np.abs(naive).max())}
            row["ratio"] = row["time_variance"] / row["count_variance"]
            rows.append(row)
            print(f"{preset.label[:34]:34} {answer[:28]:28} L={row['tokens']:2}  count: mean {row['count_mean']:8.3f}"
                  f" var {row['count_variance']:8.3f}   time: mean {row['time_mean']:8.3f} var "
                  f"{row['time_variance']:9.3f} (first {half}: {row['time_variance_first_eighth']:9.3f})   ratio "
                  f"{row['ratio']:6.1f}", flush=True)
        entries = make_entries(preset.prompt, preset.answers, preset.form)
        started = time.perf_counter()
        result = score(diffusion, None, entries, ScoreSettings(samples=128))
        bound_seconds = time.perf_counter() - started
        started = time.perf_counter()
        score(diffusion, autoregressive, entries, ScoreSettings(samples=1, min_samples=1, batch_size=1))
        with_ar_seconds = time.perf_counter() - started
        timings.append({"preset": preset.label, "answers": len(entries), "draws_per_answer": 128,
                        "forward_passes": result.forward_passes, "bound_seconds": bound_seconds,
                        "ar_and_one_draw_seconds": with_ar_seconds})
        print(f"  timing: {len(entries)} answers x 128 draws = {result.forward_passes} passes in {bound_seconds:.2f} s;"
              f" the AR twin's exact pass (+ 1 draw each) {with_ar_seconds:.3f} s", flush=True)
    ratios = [r["ratio"] for r in rows]
    print(f"\nvariance ratio naive / count over {len(rows)} answers: median {np.median(ratios):.1f}, "
          f"min {min(ratios):.1f}, max {max(ratios):.1f}")
    OUT.write_text(json.dumps({"draws": args.draws, "seed": args.seed, "rows": rows, "timings": timings,
                               "threads": torch.get_num_threads()}, indent=2), encoding="utf-8")
    print(f"written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
