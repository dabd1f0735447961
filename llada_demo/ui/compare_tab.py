"""The "Diffusion vs autoregression" tab: one prompt, both models racing on equal passes or equal time, measured."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.sampling_defaults import model_defaults
from ..modes.compare import compare_stream
from ..modes.race import ALIGNMENTS, check_alignment
from ..scoring.run_figures import run_figures
from ..viz.order_grid import render_order_map
from ..viz.run_card import render_comparison, render_run_card
from ..viz.token_grid import render_grid
from . import lenient
from .controls import settings_from_controls
from .frames import Outputs
from .kit import COLUMNS, model_picker, result_column, run_stop, seed_box, wire_stop
from .mode_runs import TabRuns, load, refused

# One block for the whole answer (the order is free) and two tokens per forward pass: measured on the embedded
# pair by `python -m benchmarks.race_settings` (docs/modes.md, "The race's defaults"). Fewer steps commit more
# tokens per pass and the text gets sloppier; more steps, one token per pass, the text gets better.
RACE_DEFAULTS = dict(gen_length=64, steps=32, block_length=64)
DEFAULT_ALIGN = "passes"
INTRO = """
### Diffusion vs autoregression
The same question goes to a masked-diffusion model (left) and to an autoregressive model of the same size,
data and tokenizer (right), on this machine, side by side. Two ways to line them up: **equal forward passes**
(each model runs one pass of its network in turn, so at any moment both have run the same number) or
**equal wall time** (each gets the same compute time). Watch two things. *How many tokens a pass writes*: the
autoregressive model writes one per pass, always; the diffusion model writes several (at the defaults, 64
tokens in 32 passes). *Where it writes them*: the autoregressive model strictly left to right; the diffusion
model anywhere in the answer (one block = the whole answer), wherever it is most confident, so its order map
is not a clean left-to-right gradient, and dots mark the tokens it wrote past a gap.
"""
EXPLANATION = """
**What the figures mean.** The *order maps* number each position with the forward pass (step) that wrote it,
laid out like the grids above; colours run from dark (early) to yellow (late). *Left-to-right order* is the rank
correlation of position and step (1 = strictly left to right, about 0 = no relation). *Any-order share* is the
share of the answer's tokens written **while some position to their left was still masked** (a dot in the order
map): 0 for an autoregressive model, which can never write past a gap; for a diffusion model, how often it
used its freedom. A small story model often keeps close to left to right even when free, yet still writes a
good share of its tokens past a gap. *Tokens / forward pass* is the parallelism: 1.00 for autoregression,
answer length ÷ steps for diffusion.

**The honest costs.** A forward pass does not cost the same on both sides: *ms / forward pass* shows it. The
autoregressive model keeps a cache and reads only its newest token each pass; the diffusion model rereads
the whole sequence every pass, in both directions. **On a CPU an autoregressive pass is several times
cheaper** (about 5× for the embedded pair on a 2-core machine), so at the defaults diffusion finishes first
with *equal forward passes* but not in seconds, and with *equal wall time* the autoregressive side finishes
first. On a GPU, where a pass over a few hundred tokens costs about as much as over one, the balance tips
towards diffusion. Fewer steps also cost quality: commit more tokens per pass and the text gets sloppier; one
token per pass (steps = answer length) writes the best text and loses the speed-up (see the Trade-off
explorer). Times are each model's own compute, measured while they take turns on the machine.
"""
ALIGN_CHOICES = [(label, value) for value, label in ALIGNMENTS.items()]

OUTPUTS = Outputs("diffusion_card", "diffusion_grid", "diffusion_order", "ar_card", "ar_grid", "ar_order", "summary",
                  "notice")


def _views(traces, plots: bool, status: str = "") -> dict:
    """Every view at every frame: the order maps are light HTML (order_grid), so they follow the race live."""
    diffusion, autoregressive = traces
    d, a = run_figures(diffusion), run_figures(autoregressive)
    grids = (render_grid(diffusion, columns=COLUMNS), render_grid(autoregressive, columns=COLUMNS))
    cards = (render_run_card("Diffusion", d, diffusion.model_name, status or ("done" if d.finished else "running")),
             render_run_card("Autoregressive", a, autoregressive.model_name,
                             status or ("done" if a.finished else "running")))
    summary = render_comparison(
        ("diffusion", "autoregressive"), (d, a),
        note="Time is each model's own compute while they take turns; on a CPU an autoregressive pass (cached, "
             "one new token) is cheaper than a diffusion pass (the whole sequence). Tokens / forward pass counts "
             "positions the model chose (an autoregressive answer's padding after its end is free).")
    return dict(diffusion_card=cards[0], diffusion_grid=grids[0], ar_card=cards[1], ar_grid=grids[1],
                summary=summary, diffusion_order=render_order_map(diffusion, COLUMNS, "Diffusion order"),
                ar_order=render_order_map(autoregressive, COLUMNS, "Autoregressive order"))


_runs = TabRuns(OUTPUTS, lambda context: _views)


def run_compare(prompt, diffusion_name, ar_name, gen_length, steps, block_length, seed, align=DEFAULT_ALIGN,
                request: gr.Request = None):
    """Stream both runs lined up by `align` ("passes" or "time"). Yields (diffusion card, diffusion grid,
    diffusion order map, AR card, AR grid, AR order map, comparison table, notice)."""
    try:
        # Strategy and temperature: the diffusion model's defaults; the AR side gets the same temperature (fair).
        start = model_defaults(diffusion_name)
        settings = settings_from_controls(gen_length=gen_length, steps=steps, block_length=block_length, seed=seed,
                                          strategy=start["strategy"], temperature=start["temperature"])
        check_alignment(align)
        stream = compare_stream(load(diffusion_name), load(ar_name), prompt, settings, align)
    except SettingsError as error:
        yield refused(OUTPUTS, error)
        return
    yield from _runs.stream(request, stream)


def build_compare_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row():
        prompt = gr.Textbox("Write a story about a cat and a ball.", label="Prompt", lines=1, scale=3,
                            elem_id="compare-prompt")
        diffusion = model_picker("diffusion", scale=1)
        autoregressive = model_picker("autoregressive", scale=1, info="The registered AR models this machine can run.")
    with gr.Row(equal_height=True):
        gen_length = lenient.Slider(8, 256, value=RACE_DEFAULTS["gen_length"], step=8, label="Answer length (tokens)",
                                    elem_id="compare-length")
        steps = lenient.Slider(1, 256, value=RACE_DEFAULTS["steps"], step=1, label="Diffusion steps",
                               info="answer length ÷ steps = tokens per pass", elem_id="compare-steps")
        block_length = lenient.Slider(1, 256, value=RACE_DEFAULTS["block_length"], step=1, label="Block length",
                                      info="block = answer length: the order is free", elem_id="compare-block")
        seed = seed_box(min_width=120, scale=0)
        with gr.Column(min_width=140, scale=0):
            run, stop = run_stop("Run both", "compare-run", "compare-stop")
    align = lenient.Radio(ALIGN_CHOICES, value=DEFAULT_ALIGN, label="Line them up by", elem_id="compare-align",
                          info="equal forward passes: one pass each in turn; equal wall time: the machine's time "
                               "shared evenly (each model's own compute stays level)")
    notice = gr.Markdown("", label="notice", elem_id="compare-notice")
    with gr.Row(equal_height=False):
        left = result_column("compare", "diffusion", "diffusion", "Diffusion", ("order", "order map"))
        right = result_column("compare", "ar", "AR", "Autoregressive", ("order", "order map"))
    summary = gr.HTML("", label="comparison", elem_id="compare-summary")
    gr.Markdown(EXPLANATION)

    outputs = OUTPUTS.wire(diffusion_card=left.card, diffusion_grid=left.grid, diffusion_order=left.more,
                           ar_card=right.card, ar_grid=right.grid, ar_order=right.more, summary=summary, notice=notice)
    # `align` comes last, so callers of /compare from before it existed still work (they get the default).
    inputs = [prompt, diffusion, autoregressive, gen_length, steps, block_length, seed, align]
    event = run.click(run_compare, inputs, outputs, api_name="compare", concurrency_id="sampler")
    submit = prompt.submit(run_compare, inputs, outputs, api_name=False, concurrency_id="sampler")
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event, submit], "stop_compare")
