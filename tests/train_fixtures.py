"""One CPU smoke training run per test session, shared by the training and evaluation tests."""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from training.command import add_train_arguments, run_train
from training.data import DEFAULT_TRAIN_FILE

HERE = Path(__file__).resolve().parent
# The TinyStories sample when this checkout sits beside it; else the project's own tiny story files.
TRAIN_FILE = DEFAULT_TRAIN_FILE if DEFAULT_TRAIN_FILE.exists() else HERE / "data" / "mini-stories.txt"
VALID_FILE = DEFAULT_TRAIN_FILE.with_name("tinystories-valid.txt") if DEFAULT_TRAIN_FILE.exists() \
    else HERE / "data" / "mini-valid.txt"


def need_data() -> None:
    """The smoke runs always have data (see TRAIN_FILE); kept so tests say what they depend on."""
    assert TRAIN_FILE.exists() and VALID_FILE.exists()


@lru_cache(maxsize=1)
def smoke_run() -> Path:
    """`train --smoke` into a temporary folder (through the CLI's own argument parser); its --out."""
    out = Path(tempfile.mkdtemp(prefix="llada-smoke-"))
    atexit.register(shutil.rmtree, out, True)
    parser = add_train_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["--smoke", "--out", str(out), "--no-progress", "--seed", "0",
                              "--train-file", str(TRAIN_FILE)])
    assert run_train(args) == 0
    return out
