"""Recipe v2: a larger diffusion model trained for as long as the GPU call allows, its equal-size AR twin
and a v1-size twin, both stopped at their own best validation point; v2 SFT data; the shipped tokenizer.

Three runs share one GPU as three processes (`train --recipe v2 --only RUN`), like v1's two.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .recipe_options import RecipeOptions, smoke_options

SHIPPED_TOKENIZER = Path(__file__).resolve().parents[1] / "assets" / "llada-tinystories"

# d 384, 7 layers, SwiGLU 1024, vocabulary 4,096: 15.5 M parameters, 31.1 MB in bf16 (limit 40 MiB).
# Not 20 M: the GPU call returns at most 64 MiB of files, and the diffusion model and its equal-size
# twin must both come back (2 x 29.6 MiB); the Space bundle's 100 MiB also holds both.
V2_SHAPE = dict(d_model=384, n_layers=7, n_heads=6, mlp_hidden_size=1024)
V1_SHAPE = dict(d_model=256, n_layers=8, n_heads=4, mlp_hidden_size=768)

# The budget every run is offered. The diffusion model is expected to hit its wall-clock cap first
# (see scripts/gpu_train.sh for the sizing); the twins stop at patience long before it.
PRETRAIN_TOKENS = 400_000_000
SFT_TOKENS = 20_000_000

COMMON = dict(sft_recipe="v2", tokenizer_from=SHIPPED_TOKENIZER, pretrain_tokens=PRETRAIN_TOKENS,
              sft_tokens=SFT_TOKENS, hf_limit=None)

# Run name -> (kind, options). The folder is the run's name, so `--out DIR` gets DIR/diffusion,
# DIR/autoregressive (equal size: the compare tab's twin) and DIR/autoregressive-small.
V2_RUNS = {
    "diffusion": ("diffusion", dict(**V2_SHAPE, lr=1e-3, eval_every_tokens=5_000_000)),
    # The twins overfit the ~1 M-token corpus within tens of epochs (v1's best: 11 M tokens), so they
    # validate every 2 M tokens, anneal their LR over 40 M tokens and stop after 5 validations
    # without a new best; the best-validation weights are kept.
    "autoregressive": ("autoregressive", dict(**V2_SHAPE, lr=6e-4, eval_every_tokens=2_000_000,
                                              schedule_tokens=40_000_000, patience=5)),
    "autoregressive-small": ("autoregressive", dict(**V1_SHAPE, lr=1e-3, eval_every_tokens=2_000_000,
                                                    schedule_tokens=40_000_000, patience=5)),
}

# The smoke rehearsal: the same three runs and code paths at a CPU's size (a minute or two each).
SMOKE_SHAPES = {"diffusion": dict(d_model=48, n_layers=2, n_heads=2, mlp_hidden_size=96),
                "autoregressive": dict(d_model=48, n_layers=2, n_heads=2, mlp_hidden_size=96),
                "autoregressive-small": dict(d_model=32, n_layers=2, n_heads=2, mlp_hidden_size=64)}


def v2_options(run: str, smoke: bool = False, **overrides) -> RecipeOptions:
    """The options of one v2 run (`diffusion`, `autoregressive`, `autoregressive-small`)."""
    if run not in V2_RUNS:
        raise SystemExit(f"recipe v2 has no run {run!r}: one of {', '.join(V2_RUNS)}")
    kind, values = V2_RUNS[run]
    if smoke:
        values = {key: value for key, value in values.items() if key not in V2_SHAPE}
        values.update(SMOKE_SHAPES[run], eval_every_tokens=None, schedule_tokens=None)
        base = smoke_options(**{**COMMON, "pretrain_tokens": 8 * 64 * 40, "sft_tokens": 4 * 512 * 12,
                                "vocab_size": 4096})
    else:
        base = RecipeOptions(**COMMON)
    return replace(base, **values, only=kind, folder=run, **overrides)
