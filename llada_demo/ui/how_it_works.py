"""The "How it works" tab: two sub-tabs, the denoising drawn step by step and "Which answer?" (likelihoods), so the
top tab bar keeps its width."""

from __future__ import annotations

import gradio as gr

from .explainer_tab import build_explainer_tab
from .score_tab import build_score_tab


def build_how_it_works(demo: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out both sub-tabs inside `tab` (the explainer still draws when `tab` is opened)."""
    with gr.Tabs(elem_id="how-it-works-tabs"):
        with gr.Tab("Step by step", id="explain-steps", elem_id="tab-explain-steps"):
            build_explainer_tab(demo, tab)
        with gr.Tab("Which answer?", id="score", elem_id="tab-score"):
            build_score_tab(demo)
