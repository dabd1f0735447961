"""The one place the app and the tests take launch options from (CSS, theme, queue limits)."""

from __future__ import annotations

import gradio as gr

from ..viz.stats import STATS_CSS
from ..viz.token_grid import GRID_CSS

APP_CSS = """
#notice p { margin: 4px 0; }
#token-grid { min-height: 120px; }
"""

from ..deploy.manifest import limits


def launch_kwargs() -> dict:
    return dict(css=GRID_CSS + STATS_CSS + APP_CSS, theme=gr.themes.Soft())


def configure_queue(demo: gr.Blocks) -> gr.Blocks:
    """Bounded queue (beyond it a run is refused as "queue full") and runs at once, from spaces.yaml."""
    top = limits()
    return demo.queue(max_size=top["queue_size"], default_concurrency_limit=top["concurrency_per_model"])
