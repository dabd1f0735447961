"""Recipe step 1: the run's tokenizer, trained on the training stories or copied from a model."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from llada_demo.models.tokenizer import load_tokenizer
from llada_demo.models.tokenizer_training import train_tokenizer


def copy_tokenizer(folder: Path, source: Path):
    """Use an existing tokenizer (the shipped one: v2 models share v1's vocabulary) instead of training one."""
    if not (folder / "tokenizer.json").exists():
        staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        tokenizer = load_tokenizer(str(source))
        tokenizer.save_pretrained(str(staging))
        (staging / "recipe.json").write_text(json.dumps({"vocab_size": len(tokenizer), "from": str(source)}) + "\n")
        try:
            os.rename(staging, folder)
        except OSError:  # another process copied it first
            shutil.rmtree(staging, ignore_errors=True)
    return load_tokenizer(str(folder))


def ensure_tokenizer(folder: Path, texts: list[str], vocab_size: int):
    """Train the BPE tokenizer once; a second process (the twin's) reuses the same folder.

    Training is deterministic for the same texts, and the folder appears by one atomic rename,
    so two concurrent runs never see a half-written tokenizer.
    """
    if not (folder / "tokenizer.json").exists():
        tokenizer = train_tokenizer(texts, vocab_size=vocab_size)
        staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        tokenizer.save_pretrained(str(staging))
        # The requested size, since a small corpus can yield fewer entries than asked for.
        (staging / "recipe.json").write_text(json.dumps({"vocab_size": vocab_size}) + "\n")
        try:
            os.rename(staging, folder)
        except OSError:  # the other process got there first: keep its (identical) files
            shutil.rmtree(staging, ignore_errors=True)
    stamp = folder / "recipe.json"
    requested = json.loads(stamp.read_text()).get("vocab_size") if stamp.exists() else None
    if requested != vocab_size:
        raise SystemExit(f"{folder} holds a tokenizer trained for a vocabulary of {requested}, not {vocab_size}: "
                         "delete it or choose another --out.")
    return load_tokenizer(str(folder))
