"""Command-line front of the reversal-curse experiment: `python -m llada_demo train-facts|reversal-eval`."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

_SKIPPED = {"progress", "only"}


def add_train_facts_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from .facts_training import FactTrainOptions

    defaults = FactTrainOptions()
    parser.add_argument("--only", choices=("diffusion", "autoregressive", "both"), default="both",
                        help="fine-tune one model (run two processes with the same --out to use two cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    for field in fields(defaults):
        if field.name in _SKIPPED:
            continue
        value = getattr(defaults, field.name)
        kind = Path if isinstance(value, Path) else float if isinstance(value, float) else int \
            if isinstance(value, int) else str
        if field.name in ("max_minutes", "threads"):
            kind = float if field.name == "max_minutes" else int
        parser.add_argument("--" + field.name.replace("_", "-"), type=kind, default=value,
                            help=f"(default {value})")
    return parser


def run_train_facts(args: argparse.Namespace) -> int:
    from .facts_training import FactTrainOptions, run_fact_training

    values = {f.name: getattr(args, f.name) for f in fields(FactTrainOptions) if f.name not in _SKIPPED}
    options = FactTrainOptions(**values, only=args.only, progress=not args.no_progress)
    for kind, record in run_fact_training(options).items():
        print(f"{kind}: {record['steps']} steps, {record['tokens']:,} tokens, {record['seconds']} s, final loss "
              f"{record['final_loss']:.3f}, story NLL {record['story_valid_nll']:.3f} -> {Path(options.out) / kind}")
    return 0


def add_reversal_eval_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--diffusion", type=Path, default=Path("assets/llada-facts"),
                        help="fine-tuned diffusion model folder (default assets/llada-facts)")
    parser.add_argument("--autoregressive", type=Path, default=Path("assets/ar-facts"),
                        help="fine-tuned autoregressive twin folder (default assets/ar-facts)")
    parser.add_argument("--device", default=None, help="cuda, cpu, ... (default: the best available)")
    parser.add_argument("--train-questions", type=int, default=40,
                        help="also ask about this many training people, both ways (default 40)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def run_reversal_eval(args: argparse.Namespace) -> int:
    from .reversal_eval import ReversalOptions, markdown, measure_reversal

    report = measure_reversal(ReversalOptions(diffusion=args.diffusion, autoregressive=args.autoregressive,
                                              device=args.device, progress=not args.no_progress,
                                              train_questions=args.train_questions))
    print(markdown(report))
    print(f"{report['held_out_questions']} held-out questions; rule: {report['rule']}; "
          f"written to {args.diffusion / 'reversal.json'} and {args.autoregressive / 'reversal.json'}")
    return 0
