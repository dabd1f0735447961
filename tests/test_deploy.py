"""`deploy --dry-run` writes exactly the Space bundle, with front matter rendered from spaces.yaml."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llada_demo.cli import main
from llada_demo.deploy.bundle import check, collect
from llada_demo.deploy.frontmatter import parse_front_matter, render_front_matter
from llada_demo.deploy.manifest import ROOT, ManifestError, read_manifest


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("space")
    assert main(["deploy", "--dry-run", "--out", str(out)]) == 0
    return out


def test_front_matter_has_the_hub_keys_from_the_manifest(bundle):
    data = read_manifest()
    meta = parse_front_matter((bundle / "README.md").read_text(encoding="utf-8"))
    assert meta["sdk"] == "gradio" and meta["sdk_version"] == data["space"]["sdk_version"] == "6.31.0"
    assert meta["app_file"] == "app.py" and meta["python_version"] == "3.11"
    assert meta["title"] == data["space"]["title"] and meta["suggested_hardware"] == data["space"]["suggested_hardware"]
    assert "GSAI-ML/LLaDA-8B-Instruct" in meta["models"]
    assert meta["preload_from_hub"][0].startswith("GSAI-ML/LLaDA-8B-Instruct ")
    assert len(meta["short_description"]) <= 60  # the hub's limit


def test_repository_readme_agrees_with_the_manifest():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(render_front_matter(read_manifest())), "run: python -m llada_demo deploy --dry-run --update-readme"


def test_bundle_holds_the_app_and_checkpoints_but_no_data(bundle):
    files = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    assert {"app.py", "requirements.txt", "README.md", "spaces.yaml", "llada_demo/ui/layout.py",
            "assets/llada-tinystories/model.safetensors", "assets/ar-tinystories/model.safetensors"} <= files
    assert not any("tinystories-train" in f or f.endswith((".pyc", ".jsonl")) for f in files)
    assert not any(f.startswith(("tests/", "benchmarks/", "devtools/")) for f in files)  # development only
    # training/ is an optional extra the Space never runs, so it stays out of the bundle.
    assert not any(f.startswith("training/") for f in files)
    for f in files:
        if f.endswith(".safetensors"):
            assert (bundle / f).stat().st_size <= 40 * 2**20
    assert sum((bundle / f).stat().st_size for f in files) <= 100 * 2**20


def test_the_bundles_cli_says_training_is_left_out(bundle):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "llada_demo", "train", "--smoke"], cwd=bundle, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "need the `training` package" in done.stderr and "Space bundle leaves it out" in done.stderr


def test_checks_catch_unpinned_requirements_big_checkpoints_and_data(tmp_path):
    data = read_manifest()
    (tmp_path / "app.py").write_text("print()")
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\ngradio\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "model.safetensors").write_bytes(b"0" * (41 * 2**20))
    (tmp_path / "assets" / "tinystories-train.txt").write_text("data")
    files = [Path("app.py"), Path("requirements.txt"), Path("assets/model.safetensors"),
             Path("assets/tinystories-train.txt")]
    problems = "\n".join(check(data, files, root=tmp_path))
    assert "'gradio' is not pinned" in problems
    assert "larger than 40 MB" in problems
    assert "data file" in problems
    assert not check(data, collect(data))


def test_manifest_rejects_unknown_models(tmp_path):
    data = yaml.safe_load((ROOT / "spaces.yaml").read_text())
    data["models"]["offered"].append("GPT-9")
    path = tmp_path / "spaces.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ManifestError, match="GPT-9"):
        read_manifest(path)
