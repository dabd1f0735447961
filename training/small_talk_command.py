"""Command-line front of the small-talk SFT: `python -m llada_demo train-small-talk`."""

from __future__ import annotations

import argparse

from .options_arguments import add_options_arguments, options_from_args, print_records


def add_train_small_talk_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from .small_talk_training import SmallTalkOptions

    return add_options_arguments(parser, SmallTalkOptions())


def run_train_small_talk(args: argparse.Namespace) -> int:
    from .small_talk_training import SmallTalkOptions, run_small_talk_training

    options = options_from_args(SmallTalkOptions, args)
    print_records(run_small_talk_training(options), options.out)
    return 0
