"""Which settings make the compare tab's race show what diffusion does: order, passes, time and text quality.

`python -m benchmarks.race_settings` runs the embedded diffusion model and its AR twin on a few story prompts
for each candidate setting (answer / steps / block, strategy, temperature) and prints, per setting, the medians
of each side's own compute time, forward passes, left-to-right and any-order scores, the AR twin's perplexity
of the answer and its rep-4, with one example text. --out writes them as JSON (with the machine's load average:
on a shared machine the times are only comparable within one run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

PROMPTS = ["Write a story about a cat and a ball.", "Tell me a story about a girl who finds a red box.",
           "Write a short story about a dog in the rain.", "Write a story about a boy and his kite.",
           # More prompts (--prompts 8); the first four are the list the older results used.
           "Write a story about a little bird who cannot fly.", "Tell me a story about a frog and a big red boat.",
           "Write a story about a bear who shares his honey.", "Tell me a story about two friends at the beach."]
# (answer tokens, steps, block length, strategy, temperature)
SETTINGS = [(64, 32, 32, "low_confidence", 0.0), (64, 64, 64, "low_confidence", 0.0),
            (64, 32, 64, "low_confidence", 0.0), (64, 16, 64, "low_confidence", 0.0),
            (64, 16, 64, "margin", 0.0), (64, 16, 64, "entropy", 0.0), (64, 16, 64, "random", 0.0),
            (64, 16, 64, "low_confidence", 0.5), (64, 8, 64, "low_confidence", 0.0)]


def measure(diffusion, autoregressive, setting, prompts=PROMPTS) -> dict:
    from llada_demo.modes.compare import compare
    from llada_demo.sampling import SamplingSettings
    from llada_demo.scoring.order import any_order_share
    from llada_demo.scoring.quality import twin_perplexity
    from llada_demo.scoring.run_figures import run_figures
    from llada_demo.scoring.text_metrics import repetition_rate

    gen_length, steps, block, strategy, temperature = setting
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block, strategy=strategy,
                                temperature=temperature, seed=0)
    rows = []
    for prompt in prompts:
        traces = compare(diffusion, autoregressive, prompt, settings)
        row = {}
        for side, trace, source in zip(("diffusion", "ar"), traces, (diffusion, autoregressive)):
            figures = run_figures(trace)
            row[side] = {"seconds": figures.seconds, "passes": figures.forward_passes,
                         "ms_per_pass": figures.ms_per_pass, "left_to_right": figures.left_to_right,
                         "any_order": any_order_share(trace),
                         "twin_ppl": twin_perplexity(autoregressive, source, prompt, trace)[0],
                         "rep4": repetition_rate(trace.answer_text()), "text": trace.answer_text()}
        rows.append(row)

    def median(side, key):
        return statistics.median(r[side][key] for r in rows)

    keys = ("seconds", "passes", "ms_per_pass", "left_to_right", "any_order", "twin_ppl", "rep4")
    return {"setting": dict(zip(("gen_length", "steps", "block_length", "strategy", "temperature"), setting)),
            **{side: {key: round(median(side, key), 3) for key in keys} for side in ("diffusion", "ar")},
            "example": {side: rows[0][side]["text"] for side in ("diffusion", "ar")}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the results as JSON here")
    parser.add_argument("--settings", type=json.loads, default=None,
                        help='settings to measure instead of the list above, as JSON: [[answer tokens, steps, block, '
                             'strategy, temperature], ...], e.g. \'[[128, 64, 128, "low_confidence", 0.5]]\'')
    parser.add_argument("--prompts", type=int, default=4, help="the first N prompts of the list (up to 8)")
    args = parser.parse_args(argv)
    from llada_demo.engine import load_model
    from llada_demo.models.registry import default_model_name

    diffusion = load_model(default_model_name("diffusion"))
    autoregressive = load_model(default_model_name("autoregressive"))
    results, load_before = [], os.getloadavg()[0]
    prompts = PROMPTS[:args.prompts]
    for setting in [tuple(s) for s in args.settings] if args.settings else SETTINGS:
        result = measure(diffusion, autoregressive, setting, prompts)
        results.append(result)
        d, a = result["diffusion"], result["ar"]
        print(f"{setting}: diffusion {d['seconds']:.2f} s, {d['passes']} passes, {d['ms_per_pass']:.1f} ms/pass, "
              f"LTR {d['left_to_right']:.2f}, any-order {d['any_order']:.2f}, twin ppl {d['twin_ppl']:.2f}, "
              f"rep4 {d['rep4']:.2f} | AR {a['seconds']:.2f} s, {a['passes']} passes, {a['ms_per_pass']:.1f} "
              f"ms/pass, ppl {a['twin_ppl']:.2f}, rep4 {a['rep4']:.2f}\n   D: {result['example']['diffusion']!r}"
              f"\n   A: {result['example']['ar']!r}", flush=True)
    if args.out:
        with open(args.out, "w") as handle:
            # The machine is shared: its load average says how far the times are from an idle machine's.
            json.dump({"models": [diffusion.spec.name, autoregressive.spec.name], "cpus": os.cpu_count(),
                       "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                       "prompts": prompts, "results": results}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
