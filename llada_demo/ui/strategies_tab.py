"""The "Strategy comparison" tab: two strategies (or block lengths) on the same prompt and seed, side by side."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.sampling_defaults import model_defaults
from ..modes.strategies import strategies_stream
from ..sampling import CACHE_MODES, STRATEGIES
from ..scoring.agreement import identical_share
from ..scoring.quality import mean_commit_log_prob
from ..scoring.run_figures import run_figures
from ..viz.figures import decoding_order_map
from ..viz.run_card import render_comparison, render_run_card
from ..viz.state import revises, revision_counts
from ..viz.token_grid import render_grid
from . import lenient
from .controls import resolve_seed, settings_from_controls, strategy_info
from .frames import Outputs
from .kit import COLUMNS, model_picker, result_column, run_stop, seed_box, wire_stop
from .mode_runs import TabRuns, load, refused

INTRO = """
### Strategy comparison
Two runs of the same model on the same prompt with **the same seed**; only the settings you change differ.
The remasking strategy decides which guesses to keep at each step: the most probable (`low_confidence`), those
with the widest lead over the runner-up (`margin`), the sharpest distributions (`entropy`), random positions
(`random`: the plain reverse process), or every guess above a threshold (`threshold`: fewer steps when the model
is sure). Compare the decoding-order maps: the step at which each position was filled. The **KV cache** choice
trades exactness for speed: compare `none` with `dual` to see how much faster, and how different, the answer is.

**`revising` is not LLaDA's.** LLaDA's published sampler never takes a committed token back: it only fills masks.
`revising` commits like `low_confidence`, then after each step returns the least confident earlier token of the
block (at most one a step, twice per position, never on a block's last step) to [MASK], so the next forward pass
predicts it again with more context; the rest of the block's schedule commits it again, so the run takes the same
forward passes. Cells it took back carry a pink border and ↺ with the count (solid: the token changed; dotted:
the same token came back).
"""

OUTPUTS = Outputs("card_a", "grid_a", "order_a", "card_b", "grid_b", "order_b", "summary", "notice")


def _label(trace) -> str:
    s = trace.settings
    extra = f", τ {s.threshold:g}" if s.strategy == "threshold" else ""
    extra += f", {s.cache} cache" if s.cache != "none" else ""
    return f"{s.strategy}, block {s.block_length}{extra}"


def _identical(first, second) -> str:
    """Share of answer positions holding the same token in both runs (so far)."""
    if not first.steps or not second.steps:
        return "–"
    return f"{identical_share(first.answer_ids, second.answer_ids):.0%}"


def _revisions(trace) -> str:
    """Tokens the run returned to [MASK] so far, and (in brackets) how many of them came back different."""
    remasks, changed = revision_counts(trace)
    return f"{int(remasks.sum())} ({int(changed.sum())})"


def _views(traces, plots: bool, status: str = "") -> dict:
    first, second = traces
    figures = (run_figures(first), run_figures(second))
    cards = [render_run_card(name, f, _label(t) + (f" · taken back {_revisions(t)}" if revises(t) else ""),
                             status or ("done" if f.finished else "running"))
             for name, f, t in zip(("A", "B"), figures, (first, second))]
    grids = [render_grid(t, color_by="step", columns=COLUMNS) for t in (first, second)]
    extra = [("mean log p at commit", f"{mean_commit_log_prob(first):.3f}", f"{mean_commit_log_prob(second):.3f}"),
             ("seed", str(first.settings.seed), str(second.settings.seed)),
             ("identical tokens, A vs B", _identical(first, second), _identical(first, second))]
    if revises(first) or revises(second):
        extra.append(("taken back to [MASK] (then changed)", _revisions(first), _revisions(second)))
    summary = render_comparison((f"A: {_label(first)}", f"B: {_label(second)}"), figures, extra,
                                note="Same model, prompt and seed. Time is each run's own compute.")
    views = dict(card_a=cards[0], grid_a=grids[0], card_b=cards[1], grid_b=grids[1], summary=summary)
    if plots:
        views.update(order_a=decoding_order_map(first, COLUMNS), order_b=decoding_order_map(second, COLUMNS))
    return views


_runs = TabRuns(OUTPUTS, lambda context: _views)


def run_strategies(prompt, model_name, gen_length, steps, temperature, seed, strategy_a, block_a, threshold_a,
                   cache_a, strategy_b, block_b, threshold_b, cache_b, request: gr.Request = None):
    """Stream both runs. Yields (card A, grid A, order map A, card B, grid B, order map B, table, notice)."""
    try:
        shared = dict(gen_length=gen_length, steps=steps, temperature=temperature, seed=resolve_seed(seed))
        first = settings_from_controls(**shared, block_length=block_a, strategy=strategy_a, threshold=threshold_a,
                                       cache=cache_a)
        second = settings_from_controls(**shared, block_length=block_b, strategy=strategy_b, threshold=threshold_b,
                                        cache=cache_b)
        stream = strategies_stream(load(model_name), prompt, first, second)
    except SettingsError as error:
        yield refused(OUTPUTS, error)
        return
    yield from _runs.stream(request, stream)


def _side(name: str, strategy: str, block: int):
    with gr.Column():
        gr.Markdown(f"**Run {name}**")
        with gr.Row():
            choice = lenient.Dropdown([(s.name, s.name) for s in STRATEGIES.values()], value=strategy,
                                      label=f"Strategy {name}", elem_id=f"strategy-{name.lower()}",
                                      info=strategy_info(strategy))
            block_length = lenient.Slider(1, 256, value=block, step=1, label=f"Block length {name}")
            threshold = lenient.Slider(0.0, 1.0, value=0.9, step=0.01, label=f"τ {name} (threshold only)")
            cache = lenient.Dropdown(list(CACHE_MODES), value="none", label=f"KV cache {name}",
                                     elem_id=f"cache-{name.lower()}")
    # The chosen strategy's one line under the menu (short names in it).
    choice.change(lambda chosen: gr.update(info=strategy_info(chosen)), choice, choice, api_name=False, queue=False)
    return choice, block_length, threshold, cache


def build_strategies_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row():
        prompt = gr.Textbox("Write a story that uses the words: boat, rain, happy.", label="Prompt", scale=3,
                            elem_id="strategies-prompt")
        model = model_picker("diffusion", "Model", scale=1)
    with gr.Row():
        gen_length = lenient.Slider(8, 256, value=64, step=8, label="Answer length (tokens)")
        steps = lenient.Slider(1, 256, value=32, step=1, label="Steps (both)")
        temperature = lenient.Slider(0.0, 2.0, value=model_defaults(model.value)["temperature"], step=0.05,
                                     label="Temperature (0 = greedy)")
        seed = seed_box("Seed, shared (-1 = random)")
    with gr.Row():
        first = _side("A", model_defaults(model.value)["strategy"], 64)
        second = _side("B", "random", 64)
    with gr.Row():
        run, stop = run_stop("Compare", "strategies-run", "strategies-stop")
    notice = gr.Markdown("", label="notice", elem_id="strategies-notice")
    with gr.Row(equal_height=False):
        a = result_column("strategies", "a", "A", "A", ("order", "order map"), plot=True)
        b = result_column("strategies", "b", "B", "B", ("order", "order map"), plot=True)
    summary = gr.HTML("", label="comparison", elem_id="strategies-summary")

    inputs = [prompt, model, gen_length, steps, temperature, seed, *first, *second]
    outputs = OUTPUTS.wire(card_a=a.card, grid_a=a.grid, order_a=a.more, card_b=b.card, grid_b=b.grid,
                           order_b=b.more, summary=summary, notice=notice)
    event = run.click(run_strategies, inputs, outputs, api_name="compare_strategies", concurrency_id="sampler")
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event], "stop_strategies")
