"""A model folder's `sampling_defaults.json` (the settings its evaluation chose), read with fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

FILE = "sampling_defaults.json"
FALLBACK = {
    "diffusion": {"gen_length": 256, "steps": 256, "block_length": 32, "strategy": "low_confidence",
                  "temperature": 0.0},
    "autoregressive": {"gen_length": 256, "steps": 256, "block_length": 1, "temperature": 0.0},
}
KEYS = ("gen_length", "steps", "block_length", "strategy", "temperature")


def read_defaults(folder: str | Path, kind: str) -> dict:
    """The folder's defaults over the fallback for its kind (a missing file, folder or key keeps the fallback)."""
    values = dict(FALLBACK[kind])
    path = Path(folder) / FILE
    if path.is_file():
        values.update({k: v for k, v in json.loads(path.read_text()).items() if k in KEYS})
    return values
