"""A model folder's `sampling_defaults.json`: read it with fallbacks, write it, turn it into settings."""

from __future__ import annotations

import json
from pathlib import Path

from ..sampling.settings import SamplingSettings

FILE = "sampling_defaults.json"
FALLBACK = {
    "diffusion": {"gen_length": 256, "steps": 256, "block_length": 32, "strategy": "low_confidence",
                  "temperature": 0.0},
    "autoregressive": {"gen_length": 256, "steps": 256, "block_length": 1, "temperature": 0.0},
}
KEYS = ("gen_length", "steps", "block_length", "strategy", "temperature")


def read_defaults(folder: str | Path, kind: str) -> dict:
    """The folder's defaults over the fallback for its kind (a missing file or key keeps the fallback)."""
    values = dict(FALLBACK[kind])
    path = Path(folder) / FILE
    if path.exists():
        values.update({k: v for k, v in json.loads(path.read_text()).items() if k in KEYS})
    return values


def write_defaults(folder: str | Path, values: dict) -> Path:
    """Write only the known keys (the app and `read_defaults` read these), checked as SamplingSettings first."""
    chosen = {k: values[k] for k in KEYS if k in values}
    if "strategy" in chosen:
        SamplingSettings(**{k: chosen[k] for k in ("gen_length", "steps", "block_length", "strategy", "temperature")})
    path = Path(folder) / FILE
    path.write_text(json.dumps(chosen, indent=2) + "\n")
    return path


def diffusion_settings(values: dict, gen_length: int | None = None, seed: int = 0) -> SamplingSettings:
    """SamplingSettings from defaults; a different answer length keeps tokens per step and the block length."""
    length = gen_length or values["gen_length"]
    block = min(values["block_length"], length)
    per_token = values["steps"] / values["gen_length"]
    blocks = length // block
    steps = max(blocks, min(length, round(length * per_token / blocks) * blocks))
    return SamplingSettings(gen_length=length, steps=steps, block_length=block, strategy=values["strategy"],
                            temperature=float(values["temperature"]), seed=seed)
