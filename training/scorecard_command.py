"""`eval --scorecard`: the new models and the previously shipped ones in one table, written beside eval.json."""

from __future__ import annotations

import json
from pathlib import Path

from llada_demo.models.device import describe_device, pick_device

from .eval_data import _training_log, heldout_stories
from .eval_options import EvalOptions
from .scorecard import run_scorecard


def scorecard_models(args) -> list[tuple[str, Path, str]]:
    """(label, folder, kind) in table order: shipped pair first, then the new models."""
    models = []
    if args.previous_diffusion:
        models.append(("shipped diffusion", args.previous_diffusion, "diffusion"))
    if args.previous_autoregressive:
        models.append(("shipped twin", args.previous_autoregressive, "autoregressive"))
    models.append(("new diffusion", args.diffusion, "diffusion"))
    models.append(("new twin (equal size)", args.autoregressive, "autoregressive"))
    if args.extra_autoregressive:
        models.append(("new twin (extra)", args.extra_autoregressive, "autoregressive"))
    return models


def write_scorecard(args, options: EvalOptions) -> dict:
    device = pick_device(options.device)
    stories, _ = heldout_stories(options, _training_log(options.diffusion))
    judge = args.judge or args.autoregressive
    # The smoke eval answers in 32 tokens (CPU minutes); otherwise each model at its own default length.
    card = run_scorecard(scorecard_models(args), Path(judge), stories, options.prompts, device, options.seed,
                         gen_length=32 if options.smoke else None)
    card["device"] = describe_device(device)
    base = options.out_json or Path(options.diffusion).parent / "eval.json"
    base.with_name("scorecard.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    base.with_name("scorecard.md").write_text(card["markdown"])
    return card
