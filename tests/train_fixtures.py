"""One CPU smoke training run per test session, shared by the training and evaluation tests."""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

from llada_demo.train.command import add_train_arguments, run_train
from llada_demo.train.data import DEFAULT_TRAIN_FILE


def need_data() -> None:
    if not DEFAULT_TRAIN_FILE.exists():
        pytest.skip(f"training data not found at {DEFAULT_TRAIN_FILE}")


@lru_cache(maxsize=1)
def smoke_run() -> Path:
    """`train --smoke` into a temporary folder (through the CLI's own argument parser); its --out."""
    out = Path(tempfile.mkdtemp(prefix="llada-smoke-"))
    atexit.register(shutil.rmtree, out, True)
    parser = add_train_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["--smoke", "--out", str(out), "--no-progress", "--seed", "0"])
    assert run_train(args) == 0
    return out
