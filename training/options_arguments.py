"""Command-line flags from a training options dataclass, and the options back from the parsed flags."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

# Every fine-tuning options class has these two, which the flags spell differently (--only, --no-progress).
SKIPPED = {"progress", "only"}


def add_options_arguments(parser: argparse.ArgumentParser, defaults) -> argparse.ArgumentParser:
    """--only, --no-progress, and one --flag per other field of `defaults`, typed and defaulted by its value."""
    parser.add_argument("--only", choices=("diffusion", "autoregressive", "both"), default="both",
                        help="fine-tune one model (run two processes with the same --out to use two cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    for field in fields(defaults):
        if field.name in SKIPPED:
            continue
        value = getattr(defaults, field.name)
        kind = Path if isinstance(value, Path) else float if isinstance(value, float) else int \
            if isinstance(value, int) else str
        if field.name in ("max_minutes", "threads"):
            kind = float if field.name == "max_minutes" else int
        parser.add_argument("--" + field.name.replace("_", "-"), type=kind, default=value,
                            help=f"(default {value})")
    return parser


def options_from_args(options_class, args: argparse.Namespace):
    """The options the parsed flags name (made by add_options_arguments)."""
    values = {f.name: getattr(args, f.name) for f in fields(options_class) if f.name not in SKIPPED}
    return options_class(**values, only=args.only, progress=not args.no_progress)


def print_records(records: dict, out) -> None:
    """One line per fine-tuned model: steps, tokens, time, final loss and story NLL, and where it was saved."""
    for kind, record in records.items():
        print(f"{kind}: {record['steps']} steps, {record['tokens']:,} tokens, {record['seconds']} s, final loss "
              f"{record['final_loss']:.3f}, story NLL {record['story_valid_nll']:.3f} -> {Path(out) / kind}")
