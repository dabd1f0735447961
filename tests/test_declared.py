"""pyproject.toml declares what requirements*.txt pin: the runtime dependencies and the test/dev extras."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]


def pins(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [re.sub(r"\s*;\s*", "; ", line) for line in lines if line]


def test_pyproject_declares_the_pinned_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["dependencies"] == pins(ROOT / "requirements.txt")
    extras = project["optional-dependencies"]
    dev = extras["test"] + [r for r in extras["dev"] if not r.startswith("llada-demo[")]
    assert sorted(dev) == sorted(pins(ROOT / "requirements-dev.txt"))
    assert any(r.startswith("ruff==") for r in dev) and any(r.startswith("psutil==") for r in dev)
