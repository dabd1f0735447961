"""The data files viz/ reads at run time (the HTML player's script and styles) ship in the Space bundle and the package."""

from fnmatch import fnmatch

import pytest

from llada_demo.deploy.bundle import collect
from llada_demo.deploy.manifest import ROOT, read_manifest
from llada_demo.viz.export_html import PLAYER_CSS, PLAYER_JS

VIZ = ROOT / "llada_demo" / "viz"
ASSETS = sorted(p for p in VIZ.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc", ".pyi"))


def test_the_player_is_read_from_its_files():
    assert {p.name for p in ASSETS} >= {"player.js", "player.css"}
    assert PLAYER_JS == (VIZ / "player.js").read_text(encoding="utf-8")
    assert PLAYER_CSS == (VIZ / "player.css").read_text(encoding="utf-8")


def test_space_bundle_holds_every_viz_data_file():
    files = {str(f) for f in collect(read_manifest())}
    missing = [p.name for p in ASSETS if str(p.relative_to(ROOT)) not in files]
    assert not missing, f"not in the Space bundle: {missing}"


def test_package_data_covers_every_viz_data_file():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"].get("package-data", {}).get("llada_demo.viz", [])
    missing = [p.name for p in ASSETS if not any(fnmatch(p.name, pattern) for pattern in patterns)]
    assert not missing, f"not in pyproject's package-data for llada_demo.viz: {missing}"
