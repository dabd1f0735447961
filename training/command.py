"""Command-line front of training and evaluation: `python -m llada_demo train|eval` arguments and runners."""

from __future__ import annotations

import argparse
from dataclasses import fields, replace
from pathlib import Path

DEFAULT_OUT = Path("runs/tiny")

# flag -> RecipeOptions field, for the flags that simply override a recipe default.
_TRAIN_FLAGS = {
    "train_file": Path, "hf_limit": int, "valid_fraction": float, "pretrain_tokens": int, "sft_tokens": int,
    "max_minutes": float, "batch_size": int, "sft_batch_size": int, "seq_len": int, "sft_seq_len": int,
    "lr": float, "sft_lr": float, "weight_decay": float, "device": str, "seed": int, "vocab_size": int,
    "d_model": int, "n_layers": int, "n_heads": int, "mlp_hidden_size": int, "story_limit": int,
    "patience": int, "sft_max_minutes": float, "eval_every_tokens": int, "schedule_tokens": int,
}
_HELP = {
    "train_file": "stories separated by lines holding only <|endoftext|> "
                  "(default ../shared/data/tinystories-train.txt)",
    "hf_limit": "with --hf-dataset: how many stories to take (default 100000)",
    "valid_fraction": "share of stories held out for validation (default 0.02)",
    "pretrain_tokens": "pretraining token budget, the same for both models (default 100M, about 100 epochs)",
    "sft_tokens": "SFT token budget, padding included (default 20M, about 3 epochs)",
    "max_minutes": "wall-clock cap per phase; the LR schedule shrinks to fit it (default 6)",
    "batch_size": "pretraining sequences per step (default 128)",
    "sft_batch_size": "SFT sequences per step (default 64)",
    "seq_len": "pretraining window length in tokens (default 256)",
    "sft_seq_len": "SFT sequence length: prompt + answer + EOS padding (default 384)",
    "lr": "peak pretraining learning rate (default 1e-3)",
    "sft_lr": "peak SFT learning rate (default 3e-4)",
    "weight_decay": "AdamW weight decay (default 0.1)",
    "device": "cuda, cpu, mps, cuda:1, ... (default: the best available)",
    "seed": "seed of the split, data order, masks and initialisation (default 0)",
    "vocab_size": "BPE vocabulary size (default 4096)",
    "d_model": "model width (default 256)",
    "n_layers": "Transformer blocks (default 8)",
    "n_heads": "attention heads (default 4)",
    "mlp_hidden_size": "SwiGLU hidden size (default 768)",
    "story_limit": "use only the first N stories of the file",
    "patience": "stop a phase after N validations without a new best (default: never; v2 twins: 5)",
    "sft_max_minutes": "wall-clock cap of the SFT phase (default: --max-minutes)",
    "eval_every_tokens": "validate every N training tokens (default: 40 times per phase)",
    "schedule_tokens": "pretraining LR cosine horizon in tokens, then the floor (default: the whole budget)",
}


def add_train_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder: tokenizer/, diffusion/, autoregressive/, logs/ (default {DEFAULT_OUT})")
    parser.add_argument("--only", choices=("diffusion", "autoregressive", "autoregressive-small", "both"),
                        default="both", help="train one model (run several processes with the same --out to "
                        "share a GPU); autoregressive-small: recipe v2's v1-size twin")
    parser.add_argument("--recipe", choices=("v1", "v2"), default="v1",
                        help="v1: the shipped models' recipe; v2: larger diffusion model, twins stopped at their "
                             "best validation point, SFT with small talk, titles and endings (default v1)")
    parser.add_argument("--hf-dataset", action="store_true",
                        help="load roneneldan/TinyStories with the `datasets` library instead of --train-file")
    parser.add_argument("--smoke", action="store_true",
                        help="CPU smoke run: a slice of the data, a tiny model, a few steps (seconds)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    for name, kind in _TRAIN_FLAGS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None, help=_HELP[name])
    return parser


def train_options(args: argparse.Namespace):
    """RecipeOptions from parsed arguments: the smoke or real defaults, then every flag given."""
    from .recipe_options import RecipeOptions, smoke_options

    if getattr(args, "recipe", "v1") == "v2":
        return _v2_train_options(args)
    if args.only == "autoregressive-small":
        raise SystemExit("--only autoregressive-small belongs to --recipe v2")
    options = smoke_options() if args.smoke else RecipeOptions()
    known = {f.name for f in fields(options)}
    changes = {name: getattr(args, name) for name in _TRAIN_FLAGS if getattr(args, name, None) is not None}
    changes = {name: value for name, value in changes.items() if name in known}
    out = args.out or (Path("runs/smoke") if args.smoke else DEFAULT_OUT)
    return replace(options, out=out, only=args.only, hf_dataset=args.hf_dataset, progress=not args.no_progress,
                   **changes)


def _v2_train_options(args: argparse.Namespace):
    """Recipe v2 for one run (--only is required: the three runs are meant to be three processes)."""
    from .recipe_v2 import V2_RUNS, v2_options

    if args.only == "both":
        raise SystemExit(f"--recipe v2 trains one run per process: --only {' | '.join(V2_RUNS)}")
    changes = {name: getattr(args, name) for name in _TRAIN_FLAGS if getattr(args, name, None) is not None}
    out = args.out or Path("runs/v2-smoke" if args.smoke else "runs/v2")
    return v2_options(args.only, smoke=args.smoke, out=out, hf_dataset=args.hf_dataset,
                      progress=not args.no_progress, **changes)


def run_train(args: argparse.Namespace) -> int:
    from .recipe import run_recipe

    options = train_options(args)
    logs = run_recipe(options)
    for kind, log in logs.items():
        phases = log["phases"]
        print(f"{kind}: {log['parameters']:,} parameters, {log['tokens_seen']:,} tokens, {log['seconds']} s; "
              f"best valid pretrain {phases['pretrain']['best_valid']:.4f}, sft {phases['sft']['best_valid']:.4f} "
              f"-> {options.out / (options.folder or kind)}")
    return 0


def add_eval_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--diffusion", type=Path, default=DEFAULT_OUT / "diffusion", help="diffusion model folder")
    parser.add_argument("--autoregressive", type=Path, default=DEFAULT_OUT / "autoregressive",
                        help="autoregressive twin folder")
    parser.add_argument("--valid-file", type=Path, default=None,
                        help="text stream for loss windows (default ../shared/data/tinystories-valid.txt)")
    parser.add_argument("--train-file", type=Path, default=None,
                        help="stories whose held-out split gives the prompts (default: the file the model "
                             "was trained on, from its training_log.json)")
    parser.add_argument("--hf-dataset", action="store_true",
                        help="take the loss windows from roneneldan/TinyStories' validation split")
    parser.add_argument("--out-json", type=Path, default=None, help="results JSON (default DIFFUSION/../eval.json)")
    parser.add_argument("--out-md", type=Path, default=None, help="markdown table (default DIFFUSION/../eval.md)")
    parser.add_argument("--prompts", type=int, default=None, help="number of fixed prompts (default 50)")
    parser.add_argument("--windows", type=int, default=None, help="loss windows of the valid stream (default 400)")
    parser.add_argument("--samples", type=int, default=None, help="Monte Carlo samples per bound (default 8)")
    parser.add_argument("--gen-length", type=int, default=None, help="answer tokens (default 256)")
    parser.add_argument("--steps", type=int, default=None, help="diffusion steps (default = gen length)")
    parser.add_argument("--block-length", type=int, default=None, help="diffusion block length (default 32)")
    parser.add_argument("--smoke", action="store_true", help="a tiny slice and 2 prompts, for a CPU test")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--device", default=None, help="cuda, cpu, ... (default: the best available)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the prompts, masks and sampling (default 0)")
    parser.add_argument("--batched", action="store_true",
                        help="answer all prompts in one batched reverse process (same tokens at temperature 0; "
                             "much faster on a GPU)")
    parser.add_argument("--use-defaults", action="store_true",
                        help="decode the diffusion model with its own sampling_defaults.json (steps per token, block, "
                             "strategy, temperature) instead of steps = length, block 32, low_confidence, greedy")
    parser.add_argument("--previous-diffusion", type=Path, default=None,
                        help="scorecard: also the previously shipped diffusion model (e.g. assets/llada-tinystories)")
    parser.add_argument("--previous-autoregressive", type=Path, default=None,
                        help="scorecard: also the previously shipped twin (e.g. assets/ar-tinystories)")
    parser.add_argument("--extra-autoregressive", type=Path, default=None,
                        help="scorecard: one more twin (recipe v2's v1-size twin)")
    parser.add_argument("--judge", type=Path, default=None,
                        help="scorecard: the AR model whose perplexity scores every answer (default --autoregressive)")
    parser.add_argument("--scorecard", action="store_true",
                        help="write the one-table scorecard (greetings, words, rep-4, distinct-2, judge perplexity) "
                             "for these models and the --previous-* ones")
    return parser


def run_eval(args: argparse.Namespace) -> int:
    from .eval_options import eval_options
    from .evaluate import run_evaluation

    options = eval_options(args)
    results = run_evaluation(options)
    print(results["markdown"])
    if getattr(args, "scorecard", False) or getattr(args, "previous_diffusion", None):
        from .scorecard_command import write_scorecard

        print(write_scorecard(args, options)["markdown"])
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m training.command train|eval ...`: `python -m llada_demo train|eval` without the app's CLI
    (scripts/gpu_train.sh starts its training processes this way)."""
    parser = argparse.ArgumentParser(prog="python -m training.command")
    commands = parser.add_subparsers(dest="command", required=True)
    add_train_arguments(commands.add_parser("train", help="train the embedded diffusion model and its AR twin"))
    add_eval_arguments(commands.add_parser("eval", help="compare the two trained models"))
    args = parser.parse_args(argv)
    return run_train(args) if args.command == "train" else run_eval(args)


if __name__ == "__main__":
    raise SystemExit(main())
