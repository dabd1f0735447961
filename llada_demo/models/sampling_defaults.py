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
    if str(folder) and path.is_file():
        values.update({k: v for k, v in json.loads(path.read_text()).items() if k in KEYS})
    return values


def measured(folder: str | Path) -> bool:
    """Does the folder hold its own sampling_defaults.json (settings its evaluation chose)?"""
    return bool(str(folder)) and (Path(folder) / FILE).is_file()


def model_defaults(model_name: str | None) -> dict:
    """A registered model's defaults: its folder's file over the fallback for its kind (diffusion when unknown)."""
    from .registry import REGISTRY  # here: the registry loads torch-side code this small module does not need

    spec = REGISTRY.get(model_name) if isinstance(model_name, str) else None
    if spec is None:
        return dict(FALLBACK["diffusion"])
    return read_defaults(spec.source if measured(spec.source) else "", spec.kind)
