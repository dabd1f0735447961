"""The app's page: an introduction and one tab per mode; each tab lays itself out and wires its events."""

from __future__ import annotations

import gradio as gr

from .branch_tab import build_branch_tab
from .chat_tab import build_chat_tab
from .compare_tab import build_compare_tab
from .exports import EXPORT_SECONDS
from .how_it_works import build_how_it_works
from .infill_tab import build_infill_tab
from .reversal_tab import build_reversal_tab
from .strategies_tab import build_strategies_tab
from .sweep_tab import build_sweep_tab

INTRO = """
# LLaDA: watch a diffusion language model write
The answer starts as a row of **[MASK]** tokens. At every step a bidirectional Transformer guesses
*all* masked positions at once, and the sampler commits the guesses it trusts most, leaving the rest
masked, until nothing is masked. Blocks are filled left to right. Hover or click a cell to see the model's
top 5 guesses there; *Rewind & branch* lets you change a word mid-run and watch where the model goes.
"""


def build_demo() -> gr.Blocks:
    # Gradio serves downloads from copies in its cache: cleared on the exports' schedule (ui/exports.py).
    with gr.Blocks(title="LLaDA diffusion demo", analytics_enabled=False,
                   delete_cache=(EXPORT_SECONDS // 4, EXPORT_SECONDS)) as demo:
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Chat & watch", id="chat"):
                build_chat_tab(demo)
            with gr.Tab("Diffusion vs AR", id="compare", elem_id="tab-compare"):
                build_compare_tab(demo)
            with gr.Tab("Fill in anywhere", id="infill", elem_id="tab-infill"):
                build_infill_tab(demo)
            with gr.Tab("Trade-offs", id="sweep", elem_id="tab-sweep"):
                build_sweep_tab(demo)
            with gr.Tab("Strategies", id="strategies", elem_id="tab-strategies"):
                build_strategies_tab(demo)
            with gr.Tab("Rewind & branch", id="branch", elem_id="tab-branch"):
                build_branch_tab(demo)
            with gr.Tab("How it works", id="explain", elem_id="tab-explain") as explain_tab:
                build_how_it_works(demo, explain_tab)
            # Last, so the tabs before it keep their places in the bar (narrow pages move the last ones to "More tabs").
            with gr.Tab("Reversal curse", id="reversal", elem_id="tab-reversal"):
                build_reversal_tab(demo)
    return demo
