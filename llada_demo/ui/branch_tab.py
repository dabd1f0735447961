"""The "Rewind & branch" tab: rewind a run to any step, change cells, let the model continue as a new run."""

from __future__ import annotations

import json

import gradio as gr

from ..engine import stream_trace
from ..errors import SettingsError
from ..modes.branch import SYNTAX_HELP, Branch, branch_settings, branch_stream, check_step, parse_edits, plan_branch
from ..modes.common import chat_ids, check_kind
from ..sampling import STRATEGIES
from ..startup import default_model
from ..trace import Trace
from ..viz.branch_diff import render_branch_diff
from ..viz.token_grid import render_grid
from . import exports, lenient
from .candidates import candidates_answer
from .chat_tab import chat_defaults
from .controls import choice, resolve_seed, settings_from_controls, whole_number
from .frames import Outputs
from .kit import COLUMNS, model_picker, run_stop, seed_box, wire_stop
from .mode_runs import TabRuns, failure, load, refused
from .notices import error_notice

PROMPT = "Write a story about a cat and a ball."
INTRO = """
### Rewind & branch: one early word steers the rest
Run a prompt (or take the chat's last run), **rewind** with the slider to any step, **change cells**, then let the
model **continue** from there: the branch is a new run. Click a cell to see the model's top 5 candidates there
(*use* puts one in, *put the mask back* reopens the cell), or type a word for a cell. Everything committed at that
step stays, your changes are fixed, and the masks (those left and those you put back) are filled again.
The branch keeps the run's answer length and blocks; each block's masks get *steps ÷ blocks* forward passes, and a
block with nothing masked costs none. Changed cells are outlined in purple; tokens kept from the original are white.
"""
SOURCE = Outputs("source", "source_grid", "rewind", "steps", "strategy", "temperature", "notice")
BRANCH = Outputs("original_grid", "branch_grid", "diff", "info", "branch", "notice")


def _source_views(trace: Trace) -> dict:
    trace = trace.prefix(len(trace.steps))  # a snapshot: the model thread may still be appending to the run
    done = len(trace.steps)
    return dict(source=trace, source_grid=_picker(render_grid(trace, step=done, columns=COLUMNS)),
                rewind=gr.Slider(minimum=0, maximum=max(done, 1), value=done, step=1, interactive=True),
                steps=gr.Slider(maximum=trace.gen_length, value=trace.settings.steps),
                strategy=trace.settings.strategy, temperature=trace.settings.temperature)


def _picker(grid_html: str) -> str:
    """The rewound grid, inside the marker that lets the page script's popover pick candidates for the edits."""
    return f'<div data-pick="branch-pick">{grid_html}</div>'


# The run to branch from (its views need only the run) and the branches (drawn beside their source).
_sources = TabRuns(SOURCE, lambda context: lambda trace, plots, status: _source_views(trace))


def run_source(prompt, model_name, request: gr.Request = None):
    """Run a prompt with the chat's starting settings: the run to branch from (streamed into the rewind grid)."""
    try:
        loaded = check_kind(load(model_name), "diffusion")
        defaults = chat_defaults(loaded.spec.name)
        settings = settings_from_controls(**{k: defaults[k] for k in ("gen_length", "steps", "block_length",
                                                                       "strategy", "temperature")}, seed=0)
        ids = chat_ids(loaded, prompt)
    except SettingsError as error:
        yield refused(SOURCE, error)
        return
    yield from _sources.stream(request, stream_trace(loaded, ids, settings))


def from_chat(chat_trace: Trace | None):
    """Branch from the chat's last run (this session's)."""
    if not isinstance(chat_trace, Trace):
        return SOURCE.frame(notice="⚠️ The chat has no run yet: send a message in *Chat & watch* first.")
    if chat_trace.kind != "diffusion":
        return SOURCE.frame(notice="⚠️ The chat's last run is not a diffusion run.")
    return SOURCE.frame(**_source_views(chat_trace), notice=f"Branching from the chat's last run "
                                                            f"({len(chat_trace.steps)} steps).")


def from_branch(branch: Trace | None):
    """The last branch becomes the run to rewind and branch again (a branch of a branch)."""
    if not isinstance(branch, Trace) or not branch.finished:
        return SOURCE.frame(notice="⚠️ No finished branch yet: press *Branch* first.")
    return SOURCE.frame(**_source_views(branch), notice="Branching from your last branch: rewind it and change cells.")


def rewind(step, source: Trace | None):
    """The run to branch from, as it was after `step` steps."""
    if not isinstance(source, Trace):
        return gr.skip()
    try:
        step = check_step(source, round(float(step)))
    except (SettingsError, TypeError, ValueError, OverflowError):
        step = len(source.steps)
    return _picker(render_grid(source, step=step, columns=COLUMNS))


def _append(edits, line: str) -> str:
    edits = edits if isinstance(edits, str) else ""
    return (edits.rstrip() + "\n" if edits.strip() else "") + line


def pick(value, edits, source: Trace | None, step):
    """A candidate (or a mask) chosen in a cell's popover, added to the edits as a line."""
    try:
        chosen = json.loads(value) if isinstance(value, str) and value else None
        if not isinstance(chosen, dict) or not isinstance(source, Trace):
            return gr.skip(), gr.skip()
        position = whole_number(chosen.get("position"), "Cell", 0, source.gen_length - 1)
        if chosen.get("mask"):
            return _append(edits, f"{position} = [MASK]"), ""
        step = check_step(source, round(float(step)))
        found = source.candidates(step - 1, position) if step > 0 else None
        rank = whole_number(chosen.get("rank"), "Candidate", 0, 99)
        if found is None or rank >= len(found[1]):
            raise SettingsError(f"Cell {position} has no candidates at step {step}.")
        token = found[1][rank][0]
        return _append(edits, f"{position} = #{token} {json.dumps(source.texts.get(token, '?'))}"), ""
    except (SettingsError, TypeError, ValueError, OverflowError) as error:
        return gr.skip(), error_notice(error) if isinstance(error, SettingsError) else "⚠️ Could not read that choice."


def add_word(cell, word, edits):
    """The typed word for a cell, added to the edits (checked as the branch will read it)."""
    try:
        position = whole_number(cell, "Cell", 0, 1 << 20)
        word = str(word or "").strip("\n")
        if not word.strip():
            raise SettingsError("Type a word first (or use *Mask it* to put the mask back).")
        line = f"{position} = {json.dumps(word) if word != word.strip() else word}"
        parse_edits(line)
    except SettingsError as error:
        return gr.skip(), error_notice(error)
    return _append(edits, line), ""


def mask_cell(cell, edits):
    try:
        position = whole_number(cell, "Cell", 0, 1 << 20)
    except SettingsError as error:
        return gr.skip(), error_notice(error)
    return _append(edits, f"{position} = [MASK]"), ""


def _branch_views(source: Trace, branch: Branch):
    def draw(trace: Trace, plots: bool, status: str) -> dict:
        trace = trace.prefix(len(trace.steps))  # a snapshot, as for the source
        info = {"origin": {**trace.origin, "edits": {str(k): v for k, v in trace.origin["edits"].items()}},
                "finished": trace.finished, "steps": len(trace.steps), "masks_to_fill": branch.masks,
                "answer_ids": trace.answer_ids.tolist(), "text": trace.answer_text() if trace.finished else ""}
        return dict(original_grid=render_grid(source, columns=COLUMNS),
                    branch_grid=render_grid(trace, columns=COLUMNS), diff=render_branch_diff(source, trace),
                    info=info, branch=trace)
    return draw


_branches = TabRuns(BRANCH, lambda context: _branch_views(*context))  # a branch's context: (source, branch)


def run_branch(step, edits, steps, strategy, temperature, seed, source: Trace | None, request: gr.Request = None):
    """Continue the rewound run with the edits as a new run; stream it beside the original, with a text diff."""
    try:
        if not isinstance(source, Trace):
            raise SettingsError("There is no run to branch from yet: press *Run* (or *Use the chat's last run*).")
        loaded = load(source.model_name)
        settings = branch_settings(source.settings, steps=whole_number(steps, "Steps", 1, source.gen_length),
                                   strategy=choice(strategy, "Strategy", STRATEGIES),
                                   temperature=_temperature(temperature), seed=resolve_seed(seed))
        branch = plan_branch(loaded, source, step, edits, settings)
    except SettingsError as error:
        # The branch's results go; the original beside it stays, to edit again.
        yield BRANCH.frame(branch_grid=None, diff=None, notice=failure(error))
        return
    note = "" if branch.masks else ("ℹ️ Nothing is masked at that step after your changes: the branch is your "
                                    "edited answer as it stands. Put masks back, or pick an earlier step.")
    yield from _branches.stream(request, branch_stream(loaded, source, branch, settings), context=(source, branch))
    if note:
        yield BRANCH.frame(notice=note)


def _temperature(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError(f"Temperature must be a number from 0 to 2, got {value!r:.40}.") from None
    if not 0.0 <= number <= 2.0:
        raise SettingsError(f"Temperature must be a number from 0 to 2, got {value!r:.40}.")
    return number


def build_branch_tab(demo: gr.Blocks, chat_trace: gr.State) -> None:
    """Lay out the tab inside the current Tab context and wire its events; `chat_trace` is the chat tab's state
    holding its last run (chat_tab.ChatTab.trace), which *Use the chat's last run* and /candidates read."""
    source, branch = gr.State(None), gr.State(None)
    gr.Markdown(INTRO, elem_classes="llada-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            prompt = gr.Textbox(PROMPT, label="Prompt", lines=1, max_lines=4, elem_id="branch-prompt")
        with gr.Column(scale=2):
            model = model_picker("diffusion")
            with gr.Row():
                run, stop = run_stop("Run", "branch-run", "branch-stop")
                use_chat = gr.Button("Use the chat's last run", elem_id="branch-from-chat")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            rewind_step = lenient.Slider(0, 1, value=0, step=1, label="1. Rewind to step", elem_id="branch-step")
            source_grid = gr.HTML("", elem_id="branch-source", label="The run, rewound")
        with gr.Column(scale=2):
            gr.Markdown("**2. Change cells**: click a cell in the grid and *use* a candidate, or type a word here.")
            with gr.Row(equal_height=True):
                cell = lenient.Number(0, precision=0, label="Cell", minimum=0, elem_id="branch-cell", scale=1)
                word = gr.Textbox(label="Word", placeholder="dog", elem_id="branch-word", scale=2)
            with gr.Row():
                add = gr.Button("Put the word there", size="sm", elem_id="branch-add")
                mask = gr.Button("Mask it again", size="sm", elem_id="branch-mask")
            edits = gr.Textbox(label="Your changes", lines=3, max_lines=8, elem_id="branch-edits", info=SYNTAX_HELP)
            # Where the popover's "use" writes the chosen candidate (in the DOM, never shown).
            picked = gr.Textbox(elem_id="branch-pick", visible="hidden", show_label=False, container=False)
            gr.Markdown("**3. Continue** (the branch's settings)")
            start = chat_defaults(default_model("diffusion", teaching=True))  # the chat's, until a run is chosen
            with gr.Row():
                steps = lenient.Slider(1, 512, value=start["steps"], step=1, label="Steps", elem_id="branch-steps")
                temperature = lenient.Slider(0.0, 2.0, value=start["temperature"], step=0.05, label="Temperature")
            with gr.Row():
                strategy = lenient.Dropdown([(s.name, s.name) for s in STRATEGIES.values()], value=start["strategy"],
                                            label="Remasking strategy")
                seed = seed_box()
            with gr.Row():
                go, stop_go = run_stop("Branch ▶", "branch-go", "branch-stop-go")
            notice = gr.Markdown("", elem_id="branch-notice")
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("**Original** (finished)")
            original_grid = gr.HTML("", elem_id="branch-original")
        with gr.Column():
            gr.Markdown("**Branch**")
            branch_grid = gr.HTML("", elem_id="branch-grid")
    diff = gr.HTML("", elem_id="branch-diff")
    info = gr.JSON(visible=False)
    with gr.Row():
        export_trace = gr.Button("Branch trace (JSON)", size="sm", elem_id="branch-export-trace")
        export_html = gr.Button("Branch animation (HTML)", size="sm", elem_id="branch-export-html")
        again = gr.Button("Rewind this branch", size="sm", elem_id="branch-again")
    download = gr.File(label="Download", interactive=False, height=80)

    source_outputs = SOURCE.wire(source=source, source_grid=source_grid, rewind=rewind_step, steps=steps,
                                 strategy=strategy, temperature=temperature, notice=notice)
    run_event = run.click(run_source, [prompt, model], source_outputs, api_name="branch_run",
                          concurrency_id="sampler", show_progress_on=notice)  # the queue place shows on the notice
    wire_stop(stop, _sources.sessions, _sources.stopped, source_outputs, [run_event])
    use_chat.click(from_chat, chat_trace, source_outputs, api_name="branch_from_chat", queue=False)
    rewind_step.input(rewind, [rewind_step, source], source_grid, api_name=False, trigger_mode="always_last",
                      queue=False)
    picked.change(pick, [picked, edits, source, rewind_step], [edits, notice], api_name=False, queue=False)
    add.click(add_word, [cell, word, edits], [edits, notice], api_name=False, queue=False)
    mask.click(mask_cell, [cell, edits], [edits, notice], api_name=False, queue=False)
    branch_outputs = BRANCH.wire(original_grid=original_grid, branch_grid=branch_grid, diff=diff, info=info,
                                 branch=branch, notice=notice)
    go_event = go.click(run_branch, [rewind_step, edits, steps, strategy, temperature, seed, source], branch_outputs,
                        api_name="branch", concurrency_id="sampler", show_progress_on=notice)
    wire_stop(stop_go, _branches.sessions, _branches.stopped, branch_outputs, [go_event])
    again.click(from_branch, branch, source_outputs, api_name=False, queue=False)
    export_trace.click(exports.export_trace, branch, download, api_name=False)
    export_html.click(exports.export_html, branch, download, api_name=False)

    # /candidates: the model's top 5 at any cell and step of this session's last chat run (API only).
    api_step, api_position = lenient.Number(visible=False), lenient.Number(visible=False)
    api_answer, api_notice = gr.JSON(visible=False), gr.Markdown(visible=False)
    gr.Button(visible=False).click(candidates_answer, [api_step, api_position, chat_trace], [api_answer, api_notice],
                                   api_name="candidates", queue=False)
