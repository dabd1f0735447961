"""The "How it works" tab: forward masking, reverse unmasking, remasking and blocks, drawn from a real short run."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..modes.common import clean_prompt
from ..modes.explain import EXPLAIN_PROMPT, explain
from ..viz.diagram import render_explainer
from .controls import resolve_seed
from .kit import model_picker, seed_box
from .mode_runs import failure, load

INTRO = """
### How a masked-diffusion language model works
Everything below is drawn from a real run of the model (32 tokens, 16 steps, two blocks), made when you open
this tab or press the button. Hover any cell for details.
"""


def draw_explainer(prompt, model_name, seed):
    """(diagram HTML, notice). Cached per (model, prompt, seed): the run is deterministic."""
    try:
        result = explain(load(model_name), clean_prompt(prompt), resolve_seed(seed))
    except SettingsError as error:
        return gr.skip(), failure(error)
    return render_explainer(result), ""


def build_explainer_tab(demo: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab inside `tab`, wire its button, and draw when the tab is opened."""
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row():
        prompt = gr.Textbox(EXPLAIN_PROMPT, label="Prompt of the run", scale=3, elem_id="explain-prompt")
        model = model_picker("diffusion", "Model", scale=1)
        seed = seed_box(scale=1)
        button = gr.Button("Draw from a real run", variant="primary", scale=1, elem_id="explain-run")
    notice = gr.Markdown("", label="notice", elem_id="explain-notice")
    diagram = gr.HTML("", label="diagram", elem_id="explainer")
    button.click(draw_explainer, [prompt, model, seed], [diagram, notice], api_name="explain",
                 concurrency_id="explain")
    tab.select(draw_explainer, [prompt, model, seed], [diagram, notice], api_name=False, concurrency_id="explain")
