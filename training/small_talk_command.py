"""Command-line front of the small-talk SFT: `python -m llada_demo train-small-talk`."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

_SKIPPED = {"progress", "only"}


def add_train_small_talk_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from .small_talk_training import SmallTalkOptions

    defaults = SmallTalkOptions()
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


def run_train_small_talk(args: argparse.Namespace) -> int:
    from .small_talk_training import SmallTalkOptions, run_small_talk_training

    values = {f.name: getattr(args, f.name) for f in fields(SmallTalkOptions) if f.name not in _SKIPPED}
    options = SmallTalkOptions(**values, only=args.only, progress=not args.no_progress)
    for kind, record in run_small_talk_training(options).items():
        print(f"{kind}: {record['steps']} steps, {record['tokens']:,} tokens, {record['seconds']} s, final loss "
              f"{record['final_loss']:.3f}, story NLL {record['story_valid_nll']:.3f} -> {Path(options.out) / kind}")
    return 0
