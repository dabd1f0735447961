"""`python -m llada_demo score`: 2-4 answers to one prompt, the diffusion bound (± standard error) and the AR twin's
exact log-likelihood of each, with progress on stderr and the figures as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..engine import load_model
from .score import FORMATS, MAX_CANDIDATES, make_entries, score_stream, summary

NO_AR = "none"


def add_score_arguments(parser: argparse.ArgumentParser) -> None:
    from ..models.registry import REGISTRY
    from ..scoring.answer_likelihood import METHODS

    parser.add_argument("prompt", help="the question (chat format) or the text the answers continue (text format)")
    parser.add_argument("answers", nargs="+", help=f"2 to {MAX_CANDIDATES} candidate answers")
    parser.add_argument("--format", default="chat", choices=list(FORMATS),
                        help="chat: the prompt is a user turn, the answer the reply; text: the answer continues it")
    parser.add_argument("--model", default="embedded-llada", choices=list(REGISTRY), help="the diffusion model")
    parser.add_argument("--ar-model", default="embedded-ar", choices=[*REGISTRY, NO_AR],
                        help="the autoregressive model scored exactly beside it (none: skip)")
    parser.add_argument("--samples", type=int, default=128, help="Monte Carlo draws per answer, at most")
    parser.add_argument("--target-se", type=float, default=0.0,
                        help="stop an answer once its standard error (nats) is under this (0: never)")
    parser.add_argument("--batch", type=int, default=16, help="draws per forward pass")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--estimator", default="count", choices=list(METHODS),
                        help="count: LLaDA's l ~ U{1..L} (lower variance); time: t ~ U(0,1], each token masked "
                             "with probability t")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: best available)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")


def run_score(args: argparse.Namespace) -> int:
    from ..scoring.answer_likelihood import ScoreSettings

    settings = ScoreSettings(samples=args.samples, target_se=args.target_se, batch_size=args.batch, seed=args.seed,
                             method=args.estimator, min_samples=min(32, args.samples))
    entries = make_entries(args.prompt, args.answers, args.format)
    diffusion = load_model(args.model, args.device)
    autoregressive = None if args.ar_model == NO_AR else load_model(args.ar_model, args.device)
    progress, shown = None, 0.0
    for progress in score_stream(diffusion, autoregressive, entries, settings):
        now = time.perf_counter()
        if now - shown >= 1.0 and sys.stderr.isatty():
            draws = ", ".join(f"{e.samples}" for e in progress.estimates)
            print(f"\r{progress.forward_passes} passes, draws per answer: {draws}", end="", file=sys.stderr)
            shown = now
    if sys.stderr.isatty():
        print(file=sys.stderr)
    result = summary(progress)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"diffusion: {result['diffusion_model']} ({result['estimator']} estimator)   AR: {result['ar_model']}")
    print(f"{'rank':>4}  {'bound (nats)':>14}  {'± s.e.':>7}  {'draws':>5}  {'AR exact':>9}  {'AR rank':>7}  answer")
    for c in sorted(result["candidates"], key=lambda c: c["diffusion_rank"]):
        ar = "–" if c["ar_log_likelihood"] is None else f"{c['ar_log_likelihood']:.3f}"
        print(f"{c['diffusion_rank']:>4}  {c['mean']:>14.3f}  {c['standard_error']:>7.3f}  {c['samples']:>5}  "
              f"{ar:>9}  {c['ar_rank'] or '–':>7}  {c['answer']}")
    settled = result["groups"][""]["settled"]
    print(f"diffusion ranking {'settled' if settled else 'not settled'} (95% intervals); "
          f"{result['forward_passes']} forward passes in {result['seconds']:.2f} s")
    return 0
