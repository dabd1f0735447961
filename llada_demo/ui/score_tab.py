"""The "Which answer?" tab: 2-4 answers to one prompt, the diffusion model's likelihood bound converging live with
its error bar beside the autoregressive model's exact log-likelihood."""

from __future__ import annotations

import time

import gradio as gr

from ..errors import SettingsError
from ..models.registry import REGISTRY, is_available
from ..modes.reversal import load_report
from ..modes.score import FORMATS, MAX_CANDIDATES, make_entries, presets, score_stream, summary
from ..scoring.answer_likelihood import ScoreSettings
from ..startup import offered_models
from ..viz.likelihood import convergence_figure, ranking_html
from . import lenient
from .controls import choice, whole_number
from .frames import Outputs
from .kit import NO_MODEL, model_picker, run_stop, wire_stop
from .mode_runs import TabRuns, failure, load

PLOT_SECONDS = 0.6  # redraw the figure at most this often while running (it is small; the table goes every frame)
INTRO = """
### Which answer does the model prefer?
An autoregressive model gets the **exact** log-likelihood of an answer in one pass: the product of each token's
probability given the ones before it. A masked diffusion model has no such product. LLaDA is trained on, and
evaluated with, a **lower bound** on it, estimated by Monte Carlo: mask a random number *l* of the answer's *L*
tokens (chosen uniformly from 1 to *L*), let the model guess them from the prompt and the unmasked rest, and weight
their log-probabilities by *L / l*. Every draw is one noisy sample of the bound, so the estimate comes with an
error bar that shrinks as draws accumulate. Type a prompt and 2-4 answers (or pick a preset) and watch the
diffusion model's preference settle: it is **settled** once the leader's 95% interval overlaps no other answer's.
"""

OUTPUTS = Outputs("plot", "ranking", "result", "notice")


def model_choices(kind: str) -> list[tuple[str, str]]:
    """The models every tab offers, and the Reversal tab's fact-tuned model (the reversal presets use it)."""
    name = "embedded-llada-facts" if kind == "diffusion" else "embedded-ar-facts"
    extra = [(f"{name} (fine-tuned on the Reversal tab's facts)", name)] if is_available(REGISTRY[name]) else []
    return offered_models(kind) + extra


def _draw():
    """A Draw for one job: the ranking and figures every frame, the Plotly figure at most every PLOT_SECONDS."""
    last_plot = [-1e9]

    def draw(progress, plots: bool, status: str) -> dict:
        views = {"ranking": ranking_html(progress, status), "result": summary(progress)}
        now = time.monotonic()
        if plots or status or progress.finished or now - last_plot[0] >= PLOT_SECONDS:
            last_plot[0] = now
            views["plot"] = convergence_figure(progress)
        return views

    return draw


_runs = TabRuns(OUTPUTS, lambda context: _draw())


def score_settings(samples, target_se) -> ScoreSettings:
    """The job's stopping rule from the controls (a SettingsError says what to change)."""
    samples = whole_number(samples, "Draws per answer", 16, 1024)
    try:
        target = float(target_se or 0)
    except (TypeError, ValueError):
        raise SettingsError(f"The target standard error is a number of nats (got {target_se!r:.40}).") from None
    return ScoreSettings(samples=samples, target_se=target, min_samples=min(32, samples))


def run_score(prompt, answer_1, answer_2, answer_3, answer_4, form, diffusion_name, ar_name, samples, target_se,
              request: gr.Request = None):
    """Stream the scores of 2-4 answers to one prompt. Yields (figure, ranking HTML, per-candidate figures as
    JSON: mean, standard_error, samples, ar_log_likelihood and ranks, notice)."""
    try:
        form = choice(form, "Format", FORMATS)
        entries = make_entries(prompt, [answer_1, answer_2, answer_3, answer_4], form)
        settings = score_settings(samples, target_se)
        autoregressive = None if ar_name in (None, "", NO_MODEL) else load(ar_name)
        stream = score_stream(load(diffusion_name), autoregressive, entries, settings)
    except SettingsError as error:
        yield OUTPUTS.frame(notice=failure(error))
        return
    yield from _runs.stream(request, stream)


def build_score_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    found = presets(load_report())
    by_label = {p.label: p for p in found}
    first = found[0]
    gr.Markdown(INTRO)
    with gr.Row():
        preset = lenient.Dropdown([p.label for p in found], value=first.label, label="Preset", scale=2,
                                  elem_id="score-preset")
        form = lenient.Radio(list(FORMATS), value=first.form, label="Format", scale=1, elem_id="score-format",
                             info="chat: the prompt is a question, the answer its reply; text: the answer continues "
                                  "the prompt")
        diffusion = model_picker("diffusion", choices=model_choices("diffusion"), value=first.diffusion, scale=1,
                                 elem_id="score-diffusion")
        autoregressive = model_picker("autoregressive", "AR model (exact)", choices=model_choices("autoregressive"),
                                      optional=True, value=first.autoregressive, scale=1, elem_id="score-ar")
    prompt = gr.Textbox(first.prompt, label="Prompt", lines=2, elem_id="score-prompt")
    with gr.Row():
        answers = [gr.Textbox(first.answers[i] if i < len(first.answers) else "", label=f"Answer {i + 1}",
                              elem_id=f"score-answer-{i + 1}") for i in range(MAX_CANDIDATES)]
    with gr.Row():
        samples = lenient.Slider(16, 1024, value=128, step=16, label="Draws per answer (at most)",
                                 elem_id="score-samples")
        target = lenient.Number(0, label="Stop once the standard error is under (nats, 0 = never)",
                                elem_id="score-target")
        run, stop = run_stop("Score the answers", "score-run", "score-stop")
    notice = gr.Markdown("", label="notice", elem_id="score-notice")
    plot = gr.Plot(label="convergence", show_label=False, elem_id="score-plot")
    ranking = gr.HTML("", label="ranking", elem_id="score-ranking")
    with gr.Accordion("The figures as data (what /score returns)", open=False):
        result = gr.JSON(label="scores", elem_id="score-json")

    def use_preset(label):
        chosen = by_label.get(label)
        if chosen is None:
            return (gr.skip(),) * (4 + MAX_CANDIDATES)
        texts = [chosen.answers[i] if i < len(chosen.answers) else "" for i in range(MAX_CANDIDATES)]
        return (chosen.prompt, *texts, chosen.form, chosen.diffusion, chosen.autoregressive)

    preset.change(use_preset, [preset], [prompt, *answers, form, diffusion, autoregressive], api_name=False,
                  queue=False)
    outputs = OUTPUTS.wire(plot=plot, ranking=ranking, result=result, notice=notice)
    inputs = [prompt, *answers, form, diffusion, autoregressive, samples, target]
    event = run.click(run_score, inputs, outputs, api_name="score", concurrency_id="sampler")
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event], "stop_score")
