"""Every relative link and image in README.md and docs/ points at a file that exists (and a heading that does)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(page: Path) -> set[str]:
    lines, fenced = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            lines.append(anchor(line.lstrip("#")))
    return set(lines)


def broken_links(pages: list[Path]) -> list[str]:
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not checked here (no network)
            path, _, fragment = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif fragment and destination.suffix == ".md" and fragment not in headings(destination):
                broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def test_readme_and_docs_links_resolve():
    assert broken_links(PAGES) == []


def test_the_readme_stays_a_front_door():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "![" in readme and "./scripts/test.sh" in readme and "python app.py" in readme


def test_a_broken_link_or_heading_is_found(tmp_path):
    page = ("# Top\n## The race's defaults, measured\n"
            "[x](b.md) [y](#the-races-defaults-measured) [z](#nowhere) ![p](pic.png)\n")
    (tmp_path / "a.md").write_text(page, encoding="utf-8")
    assert broken_links([tmp_path / "a.md"]) == ["a.md: b.md (no such file)", "a.md: #nowhere (no such heading)",
                                                 "a.md: pic.png (no such file)"]
