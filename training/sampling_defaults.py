"""Writing a model folder's `sampling_defaults.json`, and turning defaults into settings (reading: models/)."""

from __future__ import annotations

import json
from pathlib import Path

from llada_demo.models.sampling_defaults import FALLBACK, FILE, KEYS, read_defaults
from llada_demo.sampling.settings import SamplingSettings

__all__ = ["FALLBACK", "FILE", "KEYS", "diffusion_settings", "read_defaults", "write_defaults"]


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
