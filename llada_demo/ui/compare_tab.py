"""The "Diffusion vs autoregression" tab: one prompt, both models racing on equal compute, measured side by side."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.registry import default_model_name, load_model
from ..modes.common import model_choices
from ..modes.compare import compare_stream
from ..modes.metrics import run_figures
from ..modes.race import snapshot
from ..sampling import SamplingSettings
from ..viz.figures import decoding_order_map
from ..viz.run_card import CARD_CSS, render_comparison, render_run_card
from ..viz.token_grid import render_grid
from .mode_runs import SessionRuns, failure, frames

COLUMNS = 16
INTRO = """
### Diffusion vs autoregression
The same question goes to a masked-diffusion model (left) and to an autoregressive model of the same size,
data and tokenizer (right). They take turns on this machine, **each getting the same compute time**, so at any
moment the two grids show how far each got with equal effort. Watch the order: the autoregressive model fills
positions strictly left to right, one per forward pass; the diffusion model fills several positions per pass,
wherever it is most confident (inside the current block).
"""
EXPLANATION = """
**What to look for.** *Forward passes* are the cost: one pass of the network per step. The autoregressive model
needs one pass per token, so its count grows with the answer length. The diffusion model needs one pass per
*step*, whatever the length: with fewer steps than tokens it writes several tokens per pass (fewer steps is
faster but sloppier: see the Trade-off explorer tab). The *decoding order* maps colour each position by the step
that filled it: a smooth left-to-right gradient for autoregression, a patchwork within each block for diffusion.
Times are each model's own compute, measured while they take turns.
"""

_runs = SessionRuns()


def _settings(gen_length, steps, block_length, seed) -> SamplingSettings:
    seed = None if seed in (None, "", -1) else seed
    return SamplingSettings.from_dict(dict(gen_length=gen_length, steps=steps, block_length=block_length, seed=seed))


def _views(diffusion, autoregressive, plots: bool, status: str = ""):
    d, a = run_figures(diffusion), run_figures(autoregressive)
    grids = (render_grid(diffusion, columns=COLUMNS), render_grid(autoregressive, columns=COLUMNS))
    cards = (render_run_card("Diffusion", d, diffusion.model_name, status or ("done" if d.finished else "running")),
             render_run_card("Autoregressive", a, autoregressive.model_name,
                             status or ("done" if a.finished else "running")))
    orders = ((decoding_order_map(diffusion, COLUMNS), decoding_order_map(autoregressive, COLUMNS)) if plots
              else (gr.skip(), gr.skip()))
    summary = render_comparison(
        ("diffusion", "autoregressive"), (d, a),
        note="Time is each model's own compute while they take turns; tokens / forward pass counts positions "
             "the model chose (an autoregressive answer's padding after its end is free).")
    return (cards[0], grids[0], orders[0], cards[1], grids[1], orders[1], summary)


def run_compare(prompt, diffusion_name, ar_name, gen_length, steps, block_length, seed, request: gr.Request = None):
    """Stream both runs. Yields (diffusion card, diffusion grid, diffusion order map, AR card, AR grid,
    AR order map, comparison table, notice)."""
    skip = gr.skip()
    try:
        settings = _settings(gen_length, steps, block_length, seed)
        stream = compare_stream(load_model(diffusion_name), load_model(ar_name), prompt, settings)
    except SettingsError as error:
        yield (*(skip,) * 7, failure(error))
        return
    run = _runs.start(request, stream)
    try:
        for traces, plots in frames(run):
            yield (*_views(*snapshot(traces), plots), "")
    finally:
        _runs.release(request, run)
    if run.error is not None:
        yield (*(skip,) * 7, failure(run.error))
        return
    traces = snapshot(run.latest)
    stopped = not all(t.finished for t in traces)
    yield (*_views(*traces, True, "stopped" if stopped else ""), "⏹ Stopped." if stopped else "")


def stop_compare(request: gr.Request = None) -> str:
    return "⏹ Stopped." if _runs.stop(request) else ""


def build_compare_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO)
    with gr.Row(equal_height=True):
        prompt = gr.Textbox("Write a story about a cat and a ball.", label="Prompt", lines=1, scale=4,
                            elem_id="compare-prompt")
        run = gr.Button("Run both", variant="primary", scale=1, elem_id="compare-run")
        stop = gr.Button("Stop", variant="stop", scale=1, elem_id="compare-stop")
    with gr.Row():
        diffusion = gr.Dropdown(model_choices("diffusion"), value=default_model_name("diffusion"),
                                label="Diffusion model")
        autoregressive = gr.Dropdown(model_choices("autoregressive"), value=default_model_name("autoregressive"),
                                     label="Autoregressive model", info="Registered AR models this machine can run.")
        gen_length = gr.Slider(8, 256, value=64, step=8, label="Answer length (tokens)", elem_id="compare-length")
        steps = gr.Slider(1, 256, value=32, step=1, label="Diffusion steps", elem_id="compare-steps")
        block_length = gr.Slider(1, 256, value=32, step=1, label="Block length", elem_id="compare-block")
        seed = gr.Number(0, precision=0, label="Seed (-1 = random)", min_width=100)
    notice = gr.Markdown("", elem_id="compare-notice")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=420):
            diffusion_card = gr.HTML(render_run_card("Diffusion", None), css_template=CARD_CSS,
                                     elem_id="compare-diffusion-card")
            diffusion_grid = gr.HTML("", elem_id="compare-diffusion-grid")
            diffusion_order = gr.Plot(elem_id="compare-diffusion-order", show_label=False)
        with gr.Column(min_width=420):
            ar_card = gr.HTML(render_run_card("Autoregressive", None), css_template=CARD_CSS,
                              elem_id="compare-ar-card")
            ar_grid = gr.HTML("", elem_id="compare-ar-grid")
            ar_order = gr.Plot(elem_id="compare-ar-order", show_label=False)
    summary = gr.HTML("", css_template=CARD_CSS, elem_id="compare-summary")
    gr.Markdown(EXPLANATION)

    outputs = [diffusion_card, diffusion_grid, diffusion_order, ar_card, ar_grid, ar_order, summary, notice]
    event = run.click(run_compare, [prompt, diffusion, autoregressive, gen_length, steps, block_length, seed],
                      outputs, api_name="compare", concurrency_id="sampler")
    submit = prompt.submit(run_compare, [prompt, diffusion, autoregressive, gen_length, steps, block_length, seed],
                           outputs, api_name=False, concurrency_id="sampler")
    stop.click(stop_compare, None, notice, cancels=[event, submit], api_name="stop_compare")
