"""The one place the app and the tests take launch options from (CSS, theme, queue limits)."""

from __future__ import annotations

import gradio as gr

from ..viz.stats import STATS_CSS
from ..viz.token_grid import GRID_CSS

APP_CSS = """
#notice p { margin: 4px 0; }
#token-grid { min-height: 120px; }
"""

QUEUE_SIZE = 32  # runs waiting beyond this are refused with a "queue full" message
SAMPLER_CONCURRENCY = 2  # simultaneous runs of the sampler (a 2-core CPU or one GPU)


def launch_kwargs() -> dict:
    return dict(css=GRID_CSS + STATS_CSS + APP_CSS, theme=gr.themes.Soft())


def configure_queue(demo: gr.Blocks) -> gr.Blocks:
    return demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=SAMPLER_CONCURRENCY)
