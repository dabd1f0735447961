"""The "Diffusion vs autoregression" tab: one prompt, both models racing on equal compute, measured side by side."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..modes.compare import compare_stream
from ..scoring.run_figures import run_figures
from ..startup import default_model, offered_models
from ..viz.figures import decoding_order_map
from ..viz.run_card import CARD_CSS, render_comparison, render_run_card
from ..viz.token_grid import render_grid
from . import lenient
from .controls import settings_from_controls
from .frames import Outputs
from .mode_runs import SessionRuns, failure, load, stop_views, stream_views
from .queue_policy import stops_waiting

COLUMNS = 8
INTRO = """
### Diffusion vs autoregression
The same question goes to a masked-diffusion model (left) and to an autoregressive model of the same size,
data and tokenizer (right). They take turns on this machine, **each getting the same compute time**, so at any
moment the two grids show how far each got with equal effort. Watch the order: the autoregressive model fills
positions strictly left to right, one per forward pass; the diffusion model fills several positions per pass,
wherever it is most confident (inside the current block).
"""
EXPLANATION = """
**What to look for.** The *decoding order* maps colour each position by the step that filled it: a smooth
left-to-right gradient for autoregression, whatever order the model chose inside each block for diffusion.
*Left-to-right order* measures it (the rank correlation of position and step: 1 is strictly left to right, 0 no
relation); a small model trained on stories often chooses an almost left-to-right order even when free not to
(compare the `random` strategy in the Strategy comparison tab). *Forward passes* count
how often each network ran: the autoregressive model needs one per token, so its count grows with the answer; the
diffusion model needs one per *step*, whatever the length, committing several tokens per pass when there are fewer
steps than tokens (faster, but sloppier: see the Trade-off explorer). A pass does not cost the same on both sides:
*ms / forward pass* shows it. The autoregressive model keeps a cache and reads only the newest token each pass; the
diffusion model rereads the whole sequence every pass, both directions. So fewer passes save time only when each
pass commits enough tokens; on a GPU, where a pass over 300 tokens costs about as much as over one, the balance
tips towards diffusion. Times are each model's own compute, measured while they take turns.
"""


_runs = SessionRuns()
OUTPUTS = Outputs("diffusion_card", "diffusion_grid", "diffusion_order", "ar_card", "ar_grid", "ar_order", "summary",
                  "notice")


def _views(traces, plots: bool, status: str = "") -> dict:
    diffusion, autoregressive = traces
    d, a = run_figures(diffusion), run_figures(autoregressive)
    grids = (render_grid(diffusion, columns=COLUMNS), render_grid(autoregressive, columns=COLUMNS))
    cards = (render_run_card("Diffusion", d, diffusion.model_name, status or ("done" if d.finished else "running")),
             render_run_card("Autoregressive", a, autoregressive.model_name,
                             status or ("done" if a.finished else "running")))
    summary = render_comparison(
        ("diffusion", "autoregressive"), (d, a),
        note="Time is each model's own compute while they take turns; tokens / forward pass counts positions "
             "the model chose (an autoregressive answer's padding after its end is free).")
    views = dict(diffusion_card=cards[0], diffusion_grid=grids[0], ar_card=cards[1], ar_grid=grids[1], summary=summary)
    if plots:
        views.update(diffusion_order=decoding_order_map(diffusion, COLUMNS),
                     ar_order=decoding_order_map(autoregressive, COLUMNS))
    return views


def run_compare(prompt, diffusion_name, ar_name, gen_length, steps, block_length, seed, request: gr.Request = None):
    """Stream both runs. Yields (diffusion card, diffusion grid, diffusion order map, AR card, AR grid,
    AR order map, comparison table, notice)."""
    try:
        settings = settings_from_controls(gen_length=gen_length, steps=steps, block_length=block_length, seed=seed)
        stream = compare_stream(load(diffusion_name), load(ar_name), prompt, settings)
    except SettingsError as error:
        yield OUTPUTS.frame(notice=failure(error))
        return
    yield from stream_views(_runs, request, stream, _views, OUTPUTS)


def stop_compare(request: gr.Request = None):
    """Stop this session's run after its current forward pass and draw where it stopped (same outputs)."""
    return stop_views(_runs, request, lambda _: _views, OUTPUTS)


def build_compare_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO)
    with gr.Row():
        prompt = gr.Textbox("Write a story about a cat and a ball.", label="Prompt", lines=1, scale=3,
                            elem_id="compare-prompt")
        diffusion = lenient.Dropdown(offered_models("diffusion"), value=default_model("diffusion", teaching=True),
                                     label="Diffusion model", scale=1)
        autoregressive = lenient.Dropdown(offered_models("autoregressive"), value=default_model("autoregressive"),
                                          label="Autoregressive model", scale=1,
                                          info="The registered AR models this machine can run.")
    with gr.Row(equal_height=True):
        gen_length = lenient.Slider(8, 256, value=64, step=8, label="Answer length (tokens)", elem_id="compare-length")
        steps = lenient.Slider(1, 256, value=32, step=1, label="Diffusion steps", elem_id="compare-steps")
        block_length = lenient.Slider(1, 256, value=32, step=1, label="Block length", elem_id="compare-block")
        seed = lenient.Number(0, precision=0, label="Seed (-1 = random)", min_width=120, scale=0)
        with gr.Column(min_width=140, scale=0):
            run = gr.Button("Run both", variant="primary", elem_id="compare-run")
            stop = gr.Button("Stop", variant="stop", elem_id="compare-stop")
    notice = gr.Markdown("", label="notice", elem_id="compare-notice")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=420):
            diffusion_card = gr.HTML(render_run_card("Diffusion", None), css_template=CARD_CSS,
                                     label="diffusion figures", elem_id="compare-diffusion-card")
            diffusion_grid = gr.HTML("", label="diffusion grid", elem_id="compare-diffusion-grid")
            diffusion_order = gr.Plot(label="diffusion order map", elem_id="compare-diffusion-order", show_label=False)
        with gr.Column(min_width=420):
            ar_card = gr.HTML(render_run_card("Autoregressive", None), css_template=CARD_CSS, label="AR figures",
                              elem_id="compare-ar-card")
            ar_grid = gr.HTML("", label="AR grid", elem_id="compare-ar-grid")
            ar_order = gr.Plot(label="AR order map", elem_id="compare-ar-order", show_label=False)
    summary = gr.HTML("", css_template=CARD_CSS, label="comparison", elem_id="compare-summary")
    gr.Markdown(EXPLANATION)

    outputs = OUTPUTS.wire(diffusion_card=diffusion_card, diffusion_grid=diffusion_grid,
                           diffusion_order=diffusion_order,
                           ar_card=ar_card, ar_grid=ar_grid, ar_order=ar_order, summary=summary, notice=notice)
    event = run.click(run_compare, [prompt, diffusion, autoregressive, gen_length, steps, block_length, seed],
                      outputs, api_name="compare", concurrency_id="sampler")
    submit = prompt.submit(run_compare, [prompt, diffusion, autoregressive, gen_length, steps, block_length, seed],
                           outputs, api_name=False, concurrency_id="sampler")
    stop.click(stops_waiting(stop_compare), None, outputs, cancels=[event, submit], api_name="stop_compare",
               queue=False)
