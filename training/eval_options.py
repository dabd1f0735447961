"""What `eval` measures and how much: EvalOptions, read from the command line's arguments."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass
class EvalOptions:
    """What to evaluate and how much: windows x samples for the likelihoods, prompts x tokens for answers."""

    diffusion: Path = Path("runs/tiny/diffusion")
    autoregressive: Path = Path("runs/tiny/autoregressive")
    valid_file: Path | None = None
    train_file: Path | None = None
    hf_dataset: bool = False
    out_json: Path | None = None
    out_md: Path | None = None
    prompts: int = 50
    windows: int = 400
    window_length: int = 256
    samples: int = 8
    gen_length: int = 256
    steps: int | None = None
    block_length: int = 32
    batch_size: int = 32
    device: str | None = None
    seed: int = 0
    smoke: bool = False
    progress: bool = True
    batched: bool = False  # answers through batch_sampler (identical tokens at temperature 0, much faster)
    strategy: str = "low_confidence"
    temperature: float = 0.0


def eval_options(args) -> EvalOptions:
    """EvalOptions from parsed `eval` arguments; --smoke shrinks everything to a CPU test's size."""
    options = EvalOptions(diffusion=args.diffusion, autoregressive=args.autoregressive, valid_file=args.valid_file,
                          train_file=args.train_file, hf_dataset=args.hf_dataset, out_json=args.out_json,
                          out_md=args.out_md, device=args.device, seed=args.seed, smoke=args.smoke,
                          progress=not args.no_progress, batched=getattr(args, "batched", False))
    if args.smoke:
        # Four prompts, one of each kind, so every code path runs; 128 tokens so the tiny tokenizer's
        # long endings still fit the answer for the infill, in few steps to stay fast.
        options = replace(options, prompts=4, windows=2, window_length=64, samples=2, gen_length=128, steps=32,
                          block_length=32)
    if getattr(args, "use_defaults", False):
        # The diffusion model's own sampling_defaults.json, at the eval's answer length.
        from .sampling_defaults import diffusion_settings, read_defaults

        chosen = diffusion_settings(read_defaults(args.diffusion, "diffusion"), options.gen_length)
        options = replace(options, steps=chosen.steps, block_length=chosen.block_length, strategy=chosen.strategy,
                          temperature=chosen.temperature)
    sizes = ("prompts", "windows", "samples", "gen_length", "steps", "block_length")
    given = {name: getattr(args, name) for name in sizes if getattr(args, name, None) is not None}
    return replace(options, **given)
