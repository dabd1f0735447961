"""Build and check the Space bundle: exactly the files the Space needs, with README front matter from spaces.yaml."""

from __future__ import annotations

import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path

from .frontmatter import with_front_matter
from .manifest import ROOT, ManifestError

DATA_PATTERNS = ("tinystories*", "*.enc", "*.jsonl", "*.jsonl.gz", "*.parquet", "*.arrow")


@dataclass
class BundleFile:
    path: str  # relative to the bundle root
    size: int


def _excluded(relative: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in patterns)


def collect(data: dict, root: Path = ROOT) -> list[Path]:
    """Project files that go into the Space, relative to the project root."""
    bundle = data.get("bundle", {})
    patterns = list(bundle.get("exclude", [])) + list(DATA_PATTERNS)
    files = []
    for entry in bundle.get("include", []):
        source = root / entry
        if not source.exists():
            raise ManifestError(f"spaces.yaml bundle.include names {entry}, which does not exist")
        candidates = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        files += [p.relative_to(root) for p in candidates if not _excluded(p.relative_to(root), patterns)]
    return files


def check(data: dict, files: list[Path], root: Path = ROOT) -> list[str]:
    """Problems that would make the Space fail or break our rules; an empty list means ready."""
    problems = []
    names = {str(f) for f in files}
    if data["space"]["app_file"] not in names:
        problems.append(f"app_file {data['space']['app_file']} is not in the bundle")
    if "requirements.txt" not in names:
        problems.append("requirements.txt is not in the bundle")
    else:
        for line in (root / "requirements.txt").read_text().splitlines():
            requirement = line.split("#")[0].strip()
            if requirement and "==" not in requirement:
                problems.append(f"requirements.txt: {requirement!r} is not pinned with ==")
    limit = data.get("bundle", {}).get("max_checkpoint_mb", 40) * 2**20
    for f in files:
        if f.suffix in (".safetensors", ".bin", ".pt") and (root / f).stat().st_size > limit:
            problems.append(f"checkpoint {f} is larger than {limit // 2**20} MB")
        if any(fnmatch.fnmatch(f.name, p) for p in DATA_PATTERNS):
            problems.append(f"data file {f} must not be deployed")
    total = sum((root / f).stat().st_size for f in files)
    if total > data.get("bundle", {}).get("max_bundle_mb", 100) * 2**20:
        problems.append(f"bundle is {total / 2**20:.0f} MB, over bundle.max_bundle_mb")
    return problems


def write_bundle(data: dict, out: Path, root: Path = ROOT) -> list[BundleFile]:
    """Copy the bundle to `out` (emptied first) with README.md's front matter rendered; returns its files."""
    files = collect(data, root)
    problems = check(data, files, root)
    if problems:
        raise ManifestError("the bundle is not ready:\n- " + "\n- ".join(problems))
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for f in files:
        (out / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / f, out / f)
    readme = (root / "README.md").read_text(encoding="utf-8")
    (out / "README.md").write_text(with_front_matter(readme, data), encoding="utf-8")
    written = sorted(p for p in out.rglob("*") if p.is_file())
    return [BundleFile(str(p.relative_to(out)), p.stat().st_size) for p in written]
