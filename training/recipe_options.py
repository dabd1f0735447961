"""A training run's settings: RecipeOptions (the real run's defaults) and the CPU smoke run's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .data import DEFAULT_TRAIN_FILE

KINDS = ("diffusion", "autoregressive")


@dataclass
class RecipeOptions:
    """Every knob of a training run; the defaults are the real run (one H100: about 5 minutes a model,
    both models trained at once as two processes)."""

    out: Path = Path("runs/tiny")
    train_file: Path = DEFAULT_TRAIN_FILE
    hf_dataset: bool = False
    hf_limit: int | None = 100_000
    story_limit: int | None = None
    valid_fraction: float = 0.02
    vocab_size: int = 4096
    d_model: int = 256
    n_layers: int = 8
    n_heads: int = 4
    mlp_hidden_size: int = 768
    max_sequence_length: int = 512
    rope_theta: float = 10000.0
    seq_len: int = 256
    sft_seq_len: int = 384
    batch_size: int = 128
    sft_batch_size: int = 64
    pretrain_tokens: int = 100_000_000
    sft_tokens: int = 20_000_000
    lr: float = 1e-3
    sft_lr: float = 3e-4
    weight_decay: float = 0.1
    max_minutes: float | None = 6.0
    evaluations: int = 40
    valid_windows: int = 256
    valid_pairs: int = 256
    valid_samples: int = 4
    device: str | None = None
    seed: int = 0
    only: str = "both"
    progress: bool = True
    smoke: bool = False
    # v2 knobs; their defaults reproduce v1.
    sft_recipe: str = "v1"  # which SFT pairs: see sft_mix.SFT_RECIPES
    folder: str | None = None  # the model's subfolder of `out` (default: its kind)
    tokenizer_from: Path | None = None  # reuse this tokenizer (e.g. the shipped one) instead of training one
    patience: int | None = None  # early stopping, in validations without a new best, in both phases
    eval_every_tokens: int | None = None  # validate this often (default: `evaluations` times per phase)
    schedule_tokens: int | None = None  # pretraining cosine horizon (default: the whole budget)
    sft_max_minutes: float | None = None  # the SFT phase's cap (default: max_minutes)


def smoke_options(**overrides) -> RecipeOptions:
    """A CPU run of a few seconds: a slice of the stories, a tiny tokenizer and model, a few steps."""
    values = dict(
        story_limit=120, valid_fraction=0.1, vocab_size=384, d_model=32, n_layers=2, n_heads=2, mlp_hidden_size=64,
        max_sequence_length=768, seq_len=64, sft_seq_len=512, batch_size=8, sft_batch_size=4,
        pretrain_tokens=8 * 64 * 30, sft_tokens=4 * 512 * 10, lr=3e-3, sft_lr=1e-3, max_minutes=1.0, evaluations=2,
        valid_windows=8, valid_pairs=8, valid_samples=1, smoke=True,
    )
    values.update(overrides)
    return RecipeOptions(**values)
