"""Runtime configuration: spaces.yaml (the app's limits, default and offered models), read and checked once.

The same file is the deploy manifest; deploy/ reads it through here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "spaces.yaml"
REQUIRED = {"space": ["id", "title", "sdk", "sdk_version", "python_version", "app_file"],
            "models": ["gpu_default", "cpu_default", "offered"],
            "limits": ["max_gen_length", "max_steps", "queue_size", "concurrency_per_model", "run_seconds"]}


class ManifestError(ValueError):
    """spaces.yaml is missing something or disagrees with the project."""


def read_manifest(path: str | Path = MANIFEST) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for section, keys in REQUIRED.items():
        missing = [k for k in keys if k not in (data.get(section) or {})]
        if missing:
            raise ManifestError(f"spaces.yaml: [{section}] lacks {', '.join(missing)}")
    from .models.registry import REGISTRY

    models = data["models"]
    unknown = [m for m in models["offered"] + [models["gpu_default"], models["cpu_default"]] if m not in REGISTRY]
    if unknown:
        raise ManifestError(f"spaces.yaml names models the registry does not know: {', '.join(unknown)}")
    return data


@lru_cache(maxsize=1)
def manifest() -> dict:
    """The project's manifest, read once."""
    return read_manifest()


def limits() -> dict:
    return manifest()["limits"]
