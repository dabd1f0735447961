"""The "Trade-off explorer" tab: sweep steps (and block length, strategy) on one prompt; cost vs measured quality."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.registry import default_model_name
from ..modes.common import clean_prompt, model_choices, seed_or_random
from ..modes.sweep import MAX_RUNS, SweepProgress, plan_sweep, sweep_stream
from ..sampling import CACHE_MODES, STRATEGIES
from ..viz.sweep import TABLE_HEADERS, sweep_figure, sweep_rows
from .mode_runs import SessionRuns, end_notice, failure, frames, load

NO_JUDGE = "none"
INTRO = f"""
### Trade-off explorer
A diffusion model's cost is its number of **steps** (one forward pass each), not its number of tokens. Fewer
steps means more tokens committed per pass: faster, but each token is decided with less context. This runs the
same prompt at several settings (at most {MAX_RUNS} runs) and **measures** each answer: the autoregressive twin's
perplexity of it (how natural it reads to an independent model), the diffusion model's own NLL bound per token
(a Monte Carlo estimate; lower is better), and the mean log-probability the sampler gave the tokens it committed.
Latency is wall time on this machine, so other work running on it adds noise; forward passes are exact.
"""

_runs = SessionRuns()


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


def run_sweep(prompt, diffusion_name, judge_name, gen_length, steps_text, blocks_text, strategies, seed,
              bound_samples, caches=("none",), request: gr.Request = None):
    """Stream the sweep. Yields (status, figure, table rows, notice); plot and table grow as runs finish."""
    skip = gr.skip()
    try:
        prompt = clean_prompt(prompt)
        plan = plan_sweep(gen_length, steps_text, blocks_text, strategies, seed=seed_or_random(seed), caches=caches)
        judge = None if judge_name in (None, "", NO_JUDGE) else load(judge_name)
        stream = sweep_stream(load(diffusion_name), judge, prompt, plan, int(bound_samples or 0))
    except SettingsError as error:
        yield skip, skip, skip, failure(error)
        return
    run = _runs.start(request, stream)
    shown = -1
    try:
        for progress, _, first in frames(run):
            points = list(progress.points)
            notice = "" if first else skip
            if len(points) != shown:  # the figure and table change only when a run finishes
                shown = len(points)
                yield _status(progress), sweep_figure(points, len(plan.runs)), sweep_rows(points), notice
            else:
                yield _status(progress), skip, skip, notice
    finally:
        _runs.release(run)
    if run.error is not None:
        yield skip, skip, skip, failure(run.error)
        return
    progress = run.latest
    if progress is None:  # cancelled before the first frame
        yield skip, skip, skip, end_notice(run, True)
        return
    points = list(progress.points)
    stopped = not progress.finished
    status = f"⏹ Stopped after {len(points)} of {len(plan.runs)} runs." if stopped else _status(progress)
    yield status, sweep_figure(points, len(plan.runs)), sweep_rows(points), end_notice(run, stopped)


def stop_sweep(request: gr.Request = None):
    """Cancel this session's sweep after its current forward pass. Returns (status, figure, table, notice)."""
    run, _ = _runs.stop(request)
    progress = run.latest if run is not None else None
    if progress is None or progress.finished:  # nothing was running
        return gr.skip(), gr.skip(), gr.skip(), ""
    points, total = list(progress.points), len(progress.plan.runs)
    return (f"⏹ Stopped after {len(points)} of {total} runs.", sweep_figure(points, total), sweep_rows(points),
            "⏹ Stopped.")


def build_sweep_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO)
    with gr.Row():
        prompt = gr.Textbox("Write a story about a dog.", label="Prompt", scale=3, elem_id="sweep-prompt")
        diffusion = gr.Dropdown(model_choices("diffusion"), value=default_model_name("diffusion"),
                                label="Diffusion model", scale=1)
        judge = gr.Dropdown(model_choices("autoregressive") + [("none", NO_JUDGE)],
                            value=default_model_name("autoregressive"), label="Judge (AR model for perplexity)",
                            scale=1)
    with gr.Row():
        gen_length = gr.Slider(8, 256, value=64, step=8, label="Answer length (tokens)", elem_id="sweep-length")
        steps = gr.Textbox("4, 8, 16, 32, 64", label="Steps to try", elem_id="sweep-steps",
                           info="Whole numbers, comma separated.")
        blocks = gr.Textbox("64", label="Block lengths to try", elem_id="sweep-blocks",
                            info="Each must divide the answer length.")
        strategies = gr.CheckboxGroup(list(STRATEGIES), value=["low_confidence"], label="Strategies to try",
                                      elem_id="sweep-strategies")
        caches = gr.CheckboxGroup(list(CACHE_MODES), value=["none"], label="KV caches to try",
                                  info="none = exact; prefix / dual are faster approximations.", elem_id="sweep-caches")
    with gr.Row():
        seed = gr.Number(0, precision=0, label="Seed (-1 = random)")
        bound_samples = gr.Slider(0, 16, value=4, step=1, label="NLL bound samples (0 = skip)",
                                  info="Monte Carlo maskings per answer for the bound.")
        run = gr.Button("Run sweep", variant="primary", elem_id="sweep-run")
        stop = gr.Button("Stop", variant="stop", elem_id="sweep-stop")
    notice = gr.Markdown("", label="notice", elem_id="sweep-notice")
    status = gr.Markdown("", label="status", elem_id="sweep-status")
    plot = gr.Plot(label="cost vs quality", elem_id="sweep-plot", show_label=False)
    gr.Markdown("**Runs** · passes: forward passes · AR ppl: the judge's perplexity of the answer · NLL bound: "
                "the diffusion model's own, per token · mean log p: of each token when committed")
    table = gr.Dataframe(headers=TABLE_HEADERS, value=[], interactive=False, wrap=True, elem_id="sweep-table",
                         label="runs", show_label=False,
                         column_widths=["3%", "5%", "5%", "10%", "6%", "6%", "6%", "6%", "7%", "7%", "39%"])

    inputs = [prompt, diffusion, judge, gen_length, steps, blocks, strategies, seed, bound_samples, caches]
    event = run.click(run_sweep, inputs, [status, plot, table, notice], api_name="sweep", concurrency_id="sampler")
    stop.click(stop_sweep, None, [status, plot, table, notice], cancels=[event], api_name="stop_sweep")
