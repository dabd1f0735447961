"""The "Reversal curse" tab: a held-out fact as a blank to fill (first) or a question, forward or backward, to both
fine-tuned models live."""

from __future__ import annotations

from html import escape

import gradio as gr

from ..errors import SettingsError
from ..modes.reversal import (
    FACTS_MODEL,
    FACTS_TWIN,
    blank_of,
    fill_in_stream,
    find_question,
    grade,
    load_report,
    questions,
    reversal_stream,
)
from ..scoring.run_figures import run_figures
from ..viz.reversal_table import render_accuracy_table, render_verdict
from ..viz.run_card import render_run_card
from ..viz.token_grid import render_grid
from . import lenient
from .frames import Outputs
from .kit import COLUMNS, result_column, run_stop, wire_stop
from .mode_runs import TabRuns, failure, load, refused
from .score_names import build_score_names

# The tab leads with what convinces (filling the blank in the trained sentence), then the questions.
LEAD = """
### The reversal curse, live
Both models learned made-up facts stated one way round only, **child first** ("‹child›'s pet is a ‹kind› named
‹pet›."). **Fill in the blank** blanks a name in that very sentence: the diffusion model fills it in place from
the words on **both** sides, even when the blank is the sentence's first word (backward); a left-to-right model
can only continue the words before a blank, so backward it must write the name first.
"""
# Why the questions are weaker than the blanks, in one sentence (the accuracy table below has the measured shares).
QUESTIONS_NOTE = """
**Ask both** then puts the fact as a question. Questions were only ever trained about *other* people, so for
these held-out people a forward question mostly pulls either model toward a fact about someone it was quizzed
on, which is why forward questions are weak here and the blank is the fairer test of the fact itself.
"""
DETAILS = """
Both models were fine-tuned on the same facts about children and their pets, with the same steps and learning
rate. For some children they also saw questions both ways, answered by restating the fact; for the
**held-out** children below they saw only the statements. Ask **forward** (child → pet: the asked name comes
last, after what the question gives) or **backward** (pet → child: the asked name comes first, before the pet
the question names). Watch the order in the grids: the autoregressive model must write the child's name
before anything else; the diffusion model may write the rest first and the name last.

An autoregressive model only ever learns to predict each word from the words **before** it, so a fact stated
one way round is stored that way round; a masked diffusion model learns to fill in **any** masked word from the
words on **both** sides.
"""


def fill_in_headline(report) -> str:
    """The measured fill-in result in one line, from reversal.json (empty when it was not measured)."""
    fill = (report or {}).get("fill_in_accuracy")
    if not fill:
        return ""
    count = len(report["fill_in"]) // 2

    def pct(share) -> str:
        return "n/a" if share is None else f"{share * 100:.0f} %"

    return (f"**Measured on all {count} held-out people, fill in the blank** (forward / backward): diffusion "
            f"**{pct(fill['diffusion']['forward'])} / {pct(fill['diffusion']['backward'])}**, autoregressive twin "
            f"**{pct(fill['autoregressive']['forward'])} / {pct(fill['autoregressive']['backward'])}**.")


PAPER_QUOTE = """
> **The LLaDA paper** (Nie et al. 2025), on reversal poem completion (given one line, write the next or the
> previous one): LLaDA 8B Instruct scores about the same both ways (**forward 48.8, reversal 42.4**), while
> GPT-4o drops from **82.7 to 34.3** and Qwen2.5-7B from **75.9 to 38.0**.
"""

OUTPUTS = Outputs("diffusion_card", "diffusion_grid", "diffusion_verdict", "ar_card", "ar_grid", "ar_verdict",
                  "fact", "notice")


def fact_text(question) -> str:
    """What the models were trained on about this person, and the name a right answer contains."""
    def plain(text: str) -> str:
        return escape(text, quote=False)  # apostrophes stay readable; markup in names cannot come through

    return (f"**Trained on** (statements only, child first): *{plain(question.fact)}*  \n"
            f"**As a blank** (Fill in the blank, {question.direction}): *{plain(blank_of(question))}* → "
            f"**{plain(question.name)}**  \n"
            f"**Asked** (Ask both): *{plain(question.question)}* → a right answer names "
            f"**{plain(question.name)}**.")


def _draw(report, question):
    def views(traces, plots: bool, status: str = "") -> dict:
        diffusion, autoregressive = traces
        d, a = run_figures(diffusion), run_figures(autoregressive)
        return {
            "diffusion_card": render_run_card("Diffusion", d, diffusion.model_name,
                                           status or ("done" if d.finished else "running")),
            "diffusion_grid": render_grid(diffusion, columns=COLUMNS),
            "diffusion_verdict": render_verdict(grade(diffusion, report, question), diffusion.answer_text(),
                                             question.name),
            "ar_card": render_run_card("Autoregressive", a, autoregressive.model_name,
                                    status or ("done" if a.finished else "running")),
            "ar_grid": render_grid(autoregressive, columns=COLUMNS),
            "ar_verdict": render_verdict(grade(autoregressive, report, question), autoregressive.answer_text(),
                                      question.name),
            "fact": fact_text(question)}
    return views


_runs = TabRuns(OUTPUTS, lambda context: _draw(*context))  # a run's context: (report, question)


def _run(question_text, request, make_stream):
    try:
        report = load_report()
        question = find_question(report, question_text)
        stream = make_stream(load(FACTS_MODEL), load(FACTS_TWIN), question)
    except SettingsError as error:
        yield refused(OUTPUTS, error)
        return
    yield from _runs.stream(request, stream, context=(report, question))


def run_reversal(question_text, request: gr.Request = None):
    """Stream both models answering one held-out question. Yields (diffusion card, diffusion grid, diffusion
    verdict, AR card, AR grid, AR verdict, the trained fact, notice)."""
    yield from _run(question_text, request, reversal_stream)


def run_fill_in(question_text, request: gr.Request = None):
    """Stream both models filling the question's fact with its name blanked; yields as run_reversal."""
    yield from _run(question_text, request, fill_in_stream)


def show_fact(question_text) -> str:
    try:
        return fact_text(find_question(load_report(), question_text))
    except SettingsError as error:
        return failure(error)


def build_reversal_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    report = load_report()
    choices = [q.label for q in questions(report)]
    first = next((label for label in choices if label.startswith("←")), choices[0] if choices else None)
    gr.Markdown(LEAD, elem_classes="llada-intro")
    gr.Markdown(fill_in_headline(report), elem_id="reversal-headline")
    with gr.Row(equal_height=True):
        question = lenient.Dropdown(choices, value=first, label="Held-out person", scale=4,
                                    elem_id="reversal-question",
                                    info="→ forward blanks (or asks for) the pet, as the facts were written; "
                                         "← backward the child")
        with gr.Column(min_width=140, scale=0):
            fill = gr.Button("Fill in the blank", variant="primary", elem_id="reversal-fill")
            run, stop = run_stop("Ask both", "reversal-run", "reversal-stop", variant="secondary")
    fact = gr.Markdown(show_fact(first) if first else "", elem_id="reversal-fact")
    gr.Markdown(QUESTIONS_NOTE, elem_classes="llada-intro", elem_id="reversal-questions-note")
    with gr.Accordion("How the two models were trained, and what forward and backward mean", open=False,
                      elem_classes="llada-intro"):
        gr.Markdown(DETAILS)
    notice = gr.Markdown("", label="notice", elem_id="reversal-notice")
    with gr.Row(equal_height=False):
        left = result_column("reversal", "diffusion", "diffusion", "Diffusion", ("verdict", "verdict"), min_width=360)
        right = result_column("reversal", "ar", "AR", "Autoregressive", ("verdict", "verdict"), min_width=360)
    build_score_names(question)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.HTML(render_accuracy_table(report), elem_id="reversal-table")
        with gr.Column(scale=2):
            gr.Markdown(PAPER_QUOTE)

    outputs = OUTPUTS.wire(diffusion_card=left.card, diffusion_grid=left.grid, diffusion_verdict=left.more,
                           ar_card=right.card, ar_grid=right.grid, ar_verdict=right.more, fact=fact, notice=notice)
    event = run.click(run_reversal, [question], outputs, api_name="reversal", concurrency_id="sampler")
    fill_event = fill.click(run_fill_in, [question], outputs, api_name="reversal_fill_in", concurrency_id="sampler")
    question.change(show_fact, [question], [fact], api_name=False, queue=False)
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event, fill_event], "stop_reversal")
