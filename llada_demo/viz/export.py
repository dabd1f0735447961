"""The exports of a run in one place: the trace as JSON here, the HTML replay and the GIF from their modules."""

from __future__ import annotations

from pathlib import Path

from ..trace import Trace
from .export_gif import animation_gif
from .export_html import animation_html

__all__ = ["animation_gif", "animation_html", "trace_to_json_file"]


def trace_to_json_file(trace: Trace, path: str | Path) -> Path:
    """Write the trace as UTF-8 JSON (`Trace.from_json` reads it back); returns the path."""
    path = Path(path)
    path.write_text(trace.to_json(), encoding="utf-8")
    return path
