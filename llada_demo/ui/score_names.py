"""The Reversal tab's "score the names": for the chosen held-out fact, which name each model prefers, forward and
backward, by the diffusion model's likelihood bound (with error bars) and the AR twin's exact log-likelihood."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..modes.reversal import FACTS_MODEL, FACTS_TWIN, find_question, load_report
from ..modes.score import both_directions, name_entries, score_stream, summary
from ..scoring.answer_likelihood import ScoreSettings
from ..viz.likelihood import preference_figure, ranking_html
from .frames import Outputs
from .mode_runs import TabRuns, failure, load

NAMES_SETTINGS = ScoreSettings(samples=64)  # 8 answers in 32 passes, as the main preset
INTRO = """
**Score the names.** Instead of letting each model write, ask how likely each model finds the answer with the
right name and with three other names of the same kind, asked both ways. Each answer is scored as the models were
taught to answer, up to and including the name: forward the restated fact ending in the pet's name; backward the
child's name alone, which the answer starts with. Diffusion: the likelihood bound (dots, 95% error bars, 64 draws
each); AR twin: exact (diamonds). Higher is preferred.
"""

OUTPUTS = Outputs("plot", "ranking", "result", "notice")


def _label(question) -> str:
    return f"{'→' if question.direction == 'forward' else '←'} {question.direction}: {question.question}"


def _draw(progress, plots: bool, status: str) -> dict:
    views = {"ranking": ranking_html(progress, status), "result": summary(progress)}
    if plots or status or progress.finished:
        views["plot"] = preference_figure(progress)
    return views


_runs = TabRuns(OUTPUTS, lambda context: _draw)


def run_score_names(question_text, request: gr.Request = None):
    """Stream the names' scores for the question's fact, both directions. Yields (figure, ranking HTML, figures as
    JSON, notice)."""
    try:
        report = load_report()
        question = find_question(report, question_text)
        entries = [entry for q in both_directions(report, question) for entry in name_entries(report, q, _label(q))]
        stream = score_stream(load(FACTS_MODEL), load(FACTS_TWIN), entries, NAMES_SETTINGS)
    except SettingsError as error:
        yield OUTPUTS.frame(notice=failure(error))
        return
    yield from _runs.stream(request, stream)


def build_score_names(question: gr.Dropdown) -> None:
    """The section (inside the current layout context), scoring the fact of `question`'s choice."""
    with gr.Accordion("Score the names: which name each model prefers (likelihoods)", open=False,
                      elem_id="reversal-score-names"):
        gr.Markdown(INTRO)
        button = gr.Button("Score the names", variant="secondary", elem_id="reversal-score")
        notice = gr.Markdown("", label="notice", elem_id="reversal-score-notice")
        plot = gr.Plot(label="names", show_label=False, elem_id="reversal-score-plot")
        ranking = gr.HTML("", label="names ranking", elem_id="reversal-score-ranking")
        result = gr.JSON(label="scores", visible=False)
    button.click(run_score_names, [question], OUTPUTS.wire(plot=plot, ranking=ranking, result=result, notice=notice),
                 api_name="reversal_score", concurrency_id="sampler")
