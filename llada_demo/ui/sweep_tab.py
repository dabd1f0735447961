"""The "Trade-off explorer" tab: sweep steps (and block length, strategy) on one prompt; cost vs measured quality."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.sampling_defaults import model_defaults
from ..modes.common import clean_prompt
from ..modes.sweep import MAX_RUNS, SweepProgress, plan_sweep, sweep_stream
from ..sampling import CACHE_MODES, STRATEGIES
from ..viz.sweep import TABLE_HEADERS, sweep_figure, sweep_rows
from . import lenient
from .controls import choices, resolve_seed, whole_number
from .frames import Outputs
from .kit import NO_MODEL, model_picker, run_stop, seed_box, wire_stop
from .mode_runs import TabRuns, failure, load

INTRO = f"""
### Trade-off explorer
A diffusion model's cost is its number of **steps** (one forward pass each), not its number of tokens. Fewer
steps means more tokens committed per pass: faster, but each token is decided with less context. This runs the
same prompt at several settings (at most {MAX_RUNS} runs) and **measures** each answer: the autoregressive twin's
perplexity of it (how natural it reads to an independent model), the diffusion model's own NLL bound per token
(a Monte Carlo estimate; lower is better), and the mean log-probability the sampler gave the tokens it committed.
Latency is wall time on this machine, so other work running on it adds noise; forward passes are exact.
"""

OUTPUTS = Outputs("status", "plot", "table", "notice")


def _status(progress: SweepProgress) -> str:
    total = len(progress.plan.runs)
    done = len(progress.points)
    if progress.finished:
        text = f"✓ {done} of {total} runs done."
    elif progress.current is not None:
        s, trace = progress.current.settings, progress.current
        text = (f"⏳ Run {done + 1} of {total}: {s.steps} steps, block {s.block_length}, {s.strategy} — "
                f"step {len(trace.steps)}/{s.steps}.")
    else:
        text = f"⏳ {done} of {total} runs done; measuring…"
    if progress.plan.skipped:
        text += "\n\nSkipped (invalid combinations): " + "; ".join(progress.plan.skipped[:6])
    return text


def _draw():
    """A Draw for one sweep: the status at every frame, the figure and table only when a run has finished."""
    shown = [-1]

    def draw(progress: SweepProgress, plots: bool, status: str) -> dict:
        points, total = list(progress.points), len(progress.plan.runs)
        views = dict(status=f"⏹ Stopped after {len(points)} of {total} runs." if status == "stopped"
                     else _status(progress))
        if len(points) != shown[0] or status:
            shown[0] = len(points)
            views.update(plot=sweep_figure(points, total), table=sweep_rows(points))
        return views

    return draw


_runs = TabRuns(OUTPUTS, lambda context: _draw())


def run_sweep(prompt, diffusion_name, judge_name, gen_length, steps_text, blocks_text, strategies, seed,
              bound_samples, caches=("none",), request: gr.Request = None):
    """Stream the sweep. Yields (status, figure, table rows, notice); plot and table grow as runs finish."""
    try:
        prompt = clean_prompt(prompt)
        plan = plan_sweep(gen_length, steps_text, blocks_text, choices(strategies, "Strategies", STRATEGIES),
                          seed=resolve_seed(seed), caches=choices(caches, "KV caches", CACHE_MODES),
                          temperature=model_defaults(diffusion_name)["temperature"])  # the model's default
        samples = whole_number(bound_samples or 0, "NLL bound samples", 0, 64)
        judge = None if judge_name in (None, "", NO_MODEL) else load(judge_name)
        stream = sweep_stream(load(diffusion_name), judge, prompt, plan, samples)
    except SettingsError as error:
        yield OUTPUTS.frame(notice=failure(error))
        return
    yield from _runs.stream(request, stream)


def build_sweep_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row():
        prompt = gr.Textbox("Write a story about a dog.", label="Prompt", scale=3, elem_id="sweep-prompt")
        diffusion = model_picker("diffusion", scale=1)
        judge = model_picker("autoregressive", "Judge (AR model for perplexity)", optional=True, scale=1)
    with gr.Row():
        gen_length = lenient.Slider(8, 256, value=64, step=8, label="Answer length (tokens)", elem_id="sweep-length")
        steps = gr.Textbox("4, 8, 16, 32, 64", label="Steps to try", elem_id="sweep-steps",
                           info="Whole numbers, comma separated.")
        blocks = gr.Textbox("64", label="Block lengths to try", elem_id="sweep-blocks",
                            info="Each must divide the answer length.")
        strategies = lenient.CheckboxGroup(list(STRATEGIES), value=[model_defaults(diffusion.value)["strategy"]],
                                           label="Strategies to try",
                                           elem_id="sweep-strategies")
        caches = lenient.CheckboxGroup(list(CACHE_MODES), value=["none"], label="KV caches to try",
                                       info="none = exact; prefix / dual are faster approximations.",
                                       elem_id="sweep-caches")
    with gr.Row():
        seed = seed_box()
        bound_samples = lenient.Slider(0, 16, value=4, step=1, label="NLL bound samples (0 = skip)",
                                       info="Monte Carlo maskings per answer for the bound.")
        run, stop = run_stop("Run sweep", "sweep-run", "sweep-stop")
    notice = gr.Markdown("", label="notice", elem_id="sweep-notice")
    status = gr.Markdown("", label="status", elem_id="sweep-status")
    plot = gr.Plot(label="cost vs quality", elem_id="sweep-plot", show_label=False)
    gr.Markdown("**Runs** · passes: forward passes · AR ppl: the judge's perplexity of the answer · NLL bound: "
                "the diffusion model's own, per token · mean log p: of each token when committed")
    table = gr.Dataframe(headers=TABLE_HEADERS, value=[], interactive=False, wrap=True, elem_id="sweep-table",
                         label="runs", show_label=False,
                         column_widths=["3%", "5%", "5%", "10%", "6%", "6%", "6%", "6%", "7%", "7%", "39%"])

    inputs = [prompt, diffusion, judge, gen_length, steps, blocks, strategies, seed, bound_samples, caches]
    outputs = OUTPUTS.wire(status=status, plot=plot, table=table, notice=notice)
    event = run.click(run_sweep, inputs, outputs, api_name="sweep", concurrency_id="sampler")
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event], "stop_sweep")
