"""The text an evaluation reads: a model's training log and the stories its training held out."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

from .data import DEFAULT_TRAIN_FILE, load_hf_stories, read_stories, split_stories
from .eval_options import EvalOptions


def _training_log(folder: Path) -> dict:
    path = Path(folder) / "training_log.json"
    return json.loads(path.read_text()) if path.exists() else {}


def heldout_stories(options: EvalOptions, log: dict) -> tuple[list[str], str]:
    """The stories the diffusion model's training held out (same file, fraction and seed as its run)."""
    trained = log.get("options", {})
    fraction, seed = trained.get("valid_fraction", 0.02), trained.get("seed", 0)
    if options.train_file is None and trained.get("hf_dataset"):
        stories = load_hf_stories("train", limit=trained.get("hf_limit"))
        return split_stories(stories, fraction, seed)[1], "hf:roneneldan/TinyStories"
    path = Path(options.train_file or trained.get("train_file", DEFAULT_TRAIN_FILE))
    if not path.exists():  # trained on another machine: the same data under its usual path
        path = DEFAULT_TRAIN_FILE
    expected = log.get("data", {}).get("sha256")
    if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        warnings.warn(f"{path} is not the file the model was trained on: some prompts may come from "
                      "training stories.", stacklevel=2)
    stories = read_stories(path, limit=trained.get("story_limit"))
    return split_stories(stories, fraction, seed)[1], str(path)
