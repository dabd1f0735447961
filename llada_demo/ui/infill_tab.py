"""The "Fill in anywhere" tab: text with [MASK] gaps; the diffusion model fills them, the AR model can only continue."""

from __future__ import annotations

import gradio as gr

from ..errors import SettingsError
from ..models.sampling_defaults import model_defaults
from ..modes.infill import InfillTemplate, infill_stream
from ..modes.placed_words import parse_words, place_words, used_summary
from ..sampling import STRATEGIES
from ..scoring.agreement import fixed_kept
from ..scoring.run_figures import run_figures
from ..startup import default_model
from ..viz.given_grid import render_given_grid
from ..viz.infill_text import render_infill_text
from ..viz.run_card import render_run_card
from . import lenient
from .controls import choice, resolve_seed, whole_number
from .frames import Outputs
from .kit import COLUMNS, NO_MODEL, model_picker, result_column, run_stop, seed_box, wire_stop
from .mode_runs import TabRuns, failure, load, refused

OUTPUTS = Outputs("diffusion_card", "diffusion_grid", "diffusion_text", "ar_card", "ar_grid", "ar_text", "summary",
                  "notice")
INTRO = """
### Fill in anywhere
Write text and leave gaps: **`[MASK]`** is one missing token, **`[MASK*8]`** (or **`[8]`**) is eight. A gap can
be anywhere, even at the very start (give the ending, ask for the beginning). The diffusion model reads the text
on *both* sides of every gap and fills only the gaps; your text stays exactly as written. An autoregressive model
can only continue from the text before the first gap: it never sees what comes after, so it writes over it.

**Must use these words**: type a few words and press *Place the words*: they become fixed text at spread
places of a template (gaps around them) that the diffusion model writes around; the autoregressive model is
asked for them in its prompt, all it can be given. Below the grids: which words each answer used.
"""
EXAMPLES = [
    ["Once upon a time, there was a [MASK*3] named Tim. [MASK*24] And they all went home together.",
     "Write a story."],
    ["[MASK*30] In the end, the little dog found his way home.", "Write a story."],
    ["Lily had a red [MASK]. She [MASK*6] every day. One day, it [MASK*10]. Lily was sad, but [MASK*12]",
     "Write a story."],
]


def _summary(template: InfillTemplate, traces, words: tuple[str, ...] = ()) -> str:
    parts, used = [], []
    for name, trace in zip(("Diffusion", "Autoregressive"), traces):
        kept, overwritten, total = fixed_kept(trace.answer_ids, template.given_ids(), trace.mask_id)
        verdict = "untouched" if kept == total else f"{overwritten} overwritten"
        parts.append(f"**{name}**: {kept}/{total} of your fixed tokens in place ({verdict})")
        if words:  # checked on the finished text only: a placed word is there from the start, whole or not
            used.append(f"**{name}**: " + (used_summary(trace.answer_text(), words) if trace.finished
                                          else "words checked when it finishes"))
    summary = f"Your text is {template.length} tokens, {template.masks} of them masked. " + " · ".join(parts)
    return summary + ("\n\n" + " · ".join(used) if used else "")


def _views(template: InfillTemplate, traces, status: str = "", words: tuple[str, ...] = ()) -> dict:
    given = template.given_ids()
    views = dict(ar_card=render_run_card("Autoregressive", None, "not compared"), ar_grid="", ar_text="",
                 summary=_summary(template, traces, words))
    for side, name, trace in zip(("diffusion", "ar"), ("Diffusion", "Autoregressive"), traces):
        figures = run_figures(trace)
        views[f"{side}_card"] = render_run_card(name, figures, trace.model_name,
                                                status or ("done" if figures.finished else "running"))
        views[f"{side}_grid"] = render_given_grid(trace, given, columns=COLUMNS)
        views[f"{side}_text"] = render_infill_text(trace, given,
                                                   "what it wrote (your text plain, its words highlighted)")
    return views


def _draw(context: tuple[InfillTemplate, tuple[str, ...]]):
    """The tab's Draw for one fill-in request (its template and the words it must use)."""
    template, words = context
    return lambda traces, plots, status: _views(template, traces, status, words)


_runs = TabRuns(OUTPUTS, _draw)


def run_infill(text, instruction, diffusion_name, ar_name, steps, strategy, seed, words=None,
               request: gr.Request = None):
    """Stream the fill-in. Yields (diffusion card, grid, text, AR card, grid, text, summary, notice).

    `words` (optional) the answer must use: the AR model is asked for them; the summary says who used them.
    """
    try:
        required = tuple(r.word for r in parse_words(words))
        autoregressive = None if ar_name in (None, "", NO_MODEL) else load(ar_name)
        template, stream = infill_stream(load(diffusion_name), autoregressive, text, instruction,
                                         steps=whole_number(steps or 0, "Steps", 0, 4096),
                                         strategy=choice(strategy, "Strategy", STRATEGIES), seed=resolve_seed(seed),
                                         words=required,
                                         # the model's default temperature, the same for both sides (fair)
                                         temperature=model_defaults(diffusion_name)["temperature"])
    except SettingsError as error:
        yield refused(OUTPUTS, error)
        return
    yield from _runs.stream(request, stream, context=(template, required))


def place_template(words, diffusion_name, length):
    """(the Fill-in text with the words at spread places, notice): "[MASK*9] dragon [MASK*10] cake …"."""
    try:
        requests = parse_words(words)
        if not requests:
            raise SettingsError("Type the words first, e.g. “dragon, cake, rain”.")
        loaded = load(diffusion_name)
        placement = place_words(loaded.tokenizer, requests, whole_number(length, "Template length", 8, 256),
                                loaded.special.mask)
    except SettingsError as error:
        return gr.skip(), failure(error)
    return placement.infill_text(), (f"Placed {placement.describe()} (token positions) in a {placement.length}-token "
                                     "template; press **Fill in**.")


def build_infill_tab(demo: gr.Blocks) -> None:
    """Lay out the tab inside the current Tab context and wire its events."""
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            text = gr.Textbox(EXAMPLES[0][0], label="Your text, with gaps", lines=3, max_lines=10,
                              elem_id="infill-text")
            instruction = gr.Textbox(EXAMPLES[0][1], label="Instruction (optional)", lines=1,
                                     info="Sent as the chat turn the text answers; leave empty for plain text.",
                                     elem_id="infill-instruction")
            with gr.Row(equal_height=True):
                words = gr.Textbox(label="Must use these words (optional)", placeholder="dragon, cake, rain",
                                   lines=1, scale=3, elem_id="infill-words",
                                   info="Place them in a template, or write them in your text yourself.")
                length = lenient.Slider(8, 256, value=64, step=1, label="Template length (tokens)", scale=2,
                                        elem_id="infill-length")
            place = gr.Button("Place the words in a template", size="sm", elem_id="infill-place")
            gr.Examples(EXAMPLES, inputs=[text, instruction], cache_examples=False, label="Examples")
        with gr.Column(scale=2):
            diffusion = model_picker("diffusion")
            autoregressive = model_picker("autoregressive", optional=True)
            steps = lenient.Slider(0, 256, value=0, step=1, label="Steps (0 = one per masked token)",
                                   elem_id="infill-steps")
            strategy = lenient.Dropdown([(s.name, s.name) for s in STRATEGIES.values()],
                                        value=model_defaults(default_model("diffusion", teaching=True))["strategy"],
                                        label="Remasking strategy")
            seed = seed_box()
            with gr.Row():
                run, stop = run_stop("Fill in", "infill-run", "infill-stop")
    notice = gr.Markdown("", label="notice", elem_id="infill-notice")
    summary = gr.Markdown("", label="fixed tokens kept", elem_id="infill-summary")
    with gr.Row(equal_height=False):
        left = result_column("infill", "diffusion", "diffusion", "Diffusion", ("text", "text"))
        right = result_column("infill", "ar", "AR", "Autoregressive", ("text", "text"))

    inputs = [text, instruction, diffusion, autoregressive, steps, strategy, seed, words]  # words last: optional
    outputs = OUTPUTS.wire(diffusion_card=left.card, diffusion_grid=left.grid, diffusion_text=left.more,
                           ar_card=right.card, ar_grid=right.grid, ar_text=right.more, summary=summary, notice=notice)
    event = run.click(run_infill, inputs, outputs, api_name="infill", concurrency_id="sampler")
    wire_stop(stop, _runs.sessions, _runs.stopped, outputs, [event], "stop_infill")
    place.click(place_template, [words, diffusion, length], [text, notice], api_name="place_words")
