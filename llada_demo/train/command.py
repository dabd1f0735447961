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
}


def add_train_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder: tokenizer/, diffusion/, autoregressive/, logs/ (default {DEFAULT_OUT})")
    parser.add_argument("--only", choices=("diffusion", "autoregressive", "both"), default="both",
                        help="train one model (run two processes with the same --out to share a GPU)")
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
    from .recipe import RecipeOptions, smoke_options

    options = smoke_options() if args.smoke else RecipeOptions()
    known = {f.name for f in fields(options)}
    changes = {name: getattr(args, name) for name in _TRAIN_FLAGS if getattr(args, name, None) is not None}
    changes = {name: value for name, value in changes.items() if name in known}
    out = args.out or (Path("runs/smoke") if args.smoke else DEFAULT_OUT)
    return replace(options, out=out, only=args.only, hf_dataset=args.hf_dataset, progress=not args.no_progress,
                   **changes)


def run_train(args: argparse.Namespace) -> int:
    from .recipe import run_recipe

    options = train_options(args)
    logs = run_recipe(options)
    for kind, log in logs.items():
        phases = log["phases"]
        print(f"{kind}: {log['parameters']:,} parameters, {log['tokens_seen']:,} tokens, {log['seconds']} s; "
              f"best valid pretrain {phases['pretrain']['best_valid']:.4f}, sft {phases['sft']['best_valid']:.4f} "
              f"-> {options.out / kind}")
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
    return parser


def run_eval(args: argparse.Namespace) -> int:
    from .evaluate import eval_options, run_evaluation

    results = run_evaluation(eval_options(args))
    print(results["markdown"])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry until the CLI wires these in: `python -m llada_demo.train.command train|eval ...`."""
    parser = argparse.ArgumentParser(prog="python -m llada_demo.train.command")
    commands = parser.add_subparsers(dest="command", required=True)
    add_train_arguments(commands.add_parser("train", help="train the embedded diffusion model and its AR twin"))
    add_eval_arguments(commands.add_parser("eval", help="compare the two trained models"))
    args = parser.parse_args(argv)
    return run_train(args) if args.command == "train" else run_eval(args)


if __name__ == "__main__":
    raise SystemExit(main())
