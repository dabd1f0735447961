"""Command-line front of the reversal-curse experiment: `python -m llada_demo train-facts|reversal-eval`."""

from __future__ import annotations

import argparse
from pathlib import Path

from .options_arguments import add_options_arguments, options_from_args, print_records


def add_train_facts_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from .facts_training import FactTrainOptions

    return add_options_arguments(parser, FactTrainOptions())


def run_train_facts(args: argparse.Namespace) -> int:
    from .facts_training import FactTrainOptions, run_fact_training

    options = options_from_args(FactTrainOptions, args)
    print_records(run_fact_training(options), options.out)
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
