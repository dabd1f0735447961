"""`python -m llada_demo deploy [--dry-run --out DIR] [--space ID]`: render, check and upload the Space."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path


def add_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="write the bundle and list it; upload nothing")
    parser.add_argument("--out", type=Path, default=None, help="where to write the bundle (default: a temp dir)")
    parser.add_argument("--space", default=None, help="OWNER/NAME of the Space (default: spaces.yaml space.id)")
    parser.add_argument("--manifest", type=Path, default=None, help="another spaces.yaml")
    parser.add_argument("--update-readme", action="store_true",
                        help="also rewrite this checkout's README.md front matter from spaces.yaml")


def run_deploy(args: argparse.Namespace) -> int:
    from .bundle import write_bundle
    from .frontmatter import with_front_matter
    from .manifest import MANIFEST, ROOT, read_manifest

    data = read_manifest(args.manifest or MANIFEST)
    space_id = args.space or data["space"]["id"]
    if args.update_readme:
        readme = ROOT / "README.md"
        readme.write_text(with_front_matter(readme.read_text(encoding="utf-8"), data), encoding="utf-8")
    out = args.out or Path(tempfile.mkdtemp(prefix="llada-space-"))
    files = write_bundle(data, out)
    total = sum(f.size for f in files)
    print(f"bundle for {space_id} in {out}: {len(files)} files, {total / 2**20:.1f} MB")
    for f in files:
        print(f"  {f.size:>12,}  {f.path}")
    if args.dry_run:
        print("dry run: nothing uploaded")
        return 0
    from huggingface_hub import HfApi

    api = HfApi(token=os.environ.get("HF_TOKEN"))  # None falls back to `huggingface-cli login`
    api.create_repo(space_id, repo_type="space", space_sdk=data["space"]["sdk"], exist_ok=True)
    info = api.upload_folder(repo_id=space_id, repo_type="space", folder_path=str(out),
                             commit_message="Deploy the LLaDA demo")
    print(f"uploaded: {info}")
    return 0
