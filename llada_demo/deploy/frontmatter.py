"""README.md's Hugging Face Spaces front matter, rendered from spaces.yaml."""

from __future__ import annotations

import re

import yaml

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def front_matter(data: dict) -> dict:
    """The keys the hub reads (title, sdk, hardware, models, preload_from_hub, ...), in the hub's names."""
    space, models = data["space"], data["models"]
    from ..models.registry import REGISTRY

    hub_models = [REGISTRY[m].source for m in models["offered"] if REGISTRY[m].source.count("/") == 1
                  and not REGISTRY[m].source.startswith("/")]
    preload = []
    for item in models.get("preload", []):
        line = " ".join([item["repo"], ",".join(item.get("files", []))] + ([item["revision"]] if item.get("revision") else []))
        preload.append(line.strip())
    meta = {
        "title": space["title"], "emoji": space.get("emoji", "🤖"), "colorFrom": space.get("color_from", "indigo"),
        "colorTo": space.get("color_to", "pink"), "sdk": space["sdk"], "sdk_version": space["sdk_version"],
        "python_version": str(space["python_version"]), "app_file": space["app_file"],
        "short_description": space.get("short_description", ""), "license": space.get("license", "mit"),
        "suggested_hardware": space.get("suggested_hardware", "cpu-basic"),
        "tags": list(space.get("tags", [])),
    }
    if hub_models:
        meta["models"] = hub_models
    if preload:
        meta["preload_from_hub"] = preload
    return meta


def render_front_matter(data: dict) -> str:
    return "---\n" + yaml.safe_dump(front_matter(data), sort_keys=False, allow_unicode=True) + "---\n"


def with_front_matter(readme: str, data: dict) -> str:
    """README text with its front matter replaced (or added) from the manifest."""
    body = FRONT_MATTER.sub("", readme, count=1)
    return render_front_matter(data) + body.lstrip("\n")


def parse_front_matter(readme: str) -> dict:
    match = FRONT_MATTER.match(readme)
    if not match:
        return {}
    return yaml.safe_load(match.group(0).strip("-\n"))
