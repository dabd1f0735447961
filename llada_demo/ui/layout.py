"""The app's page: an introduction and one tab per mode; each tab lays itself out and wires its events."""

from __future__ import annotations

import gradio as gr

from .branch_tab import build_branch_tab
from .chat_tab import build_chat_tab
from .compare_tab import build_compare_tab
from .exports import EXPORT_SECONDS
from .how_it_works import build_how_it_works
from .infill_tab import build_infill_tab
from .presentation import DEFAULT_FPS, MOST_FPS, PACES
from .reversal_tab import build_reversal_tab
from .sessions import session_of
from .strategies_tab import build_strategies_tab
from .sweep_tab import build_sweep_tab

INTRO = """
# LLaDA: watch a diffusion language model write
The answer starts as a row of **[MASK]** tokens. At every step a bidirectional Transformer guesses
*all* masked positions at once, and the sampler commits the guesses it trusts most, leaving the rest
masked, until nothing is masked. Blocks are filled left to right. Hover or click a cell to see the model's
top 5 guesses there; *Rewind & branch* lets you change a word mid-run and watch where the model goes.
"""


# Presentation mode shows one line above each tab (its intro is folded away): what the tab shows.
ONE_LINE = {
    "chat": "The answer starts as [MASK] everywhere; each step the model guesses every blank at once and keeps "
            "the guesses it trusts most.",
    "compare": "One prompt, two models: diffusion fills blanks anywhere, several at a time; autoregressive writes "
               "one token after another, left to right.",
    "infill": "Text on both sides of a gap: diffusion reads both sides; a left-to-right model sees only the words "
              "before the gap.",
    "sweep": "Fewer forward passes write faster but rougher text: each point is one run.",
    "strategies": "Which blank first? Two strategies on one prompt, each cell coloured by the step that wrote it.",
    "branch": "Rewind a run, change a word, and watch the model rewrite around it.",
    "explain": "How a masked diffusion language model writes, step by step, on a real run.",
    "reversal": "Trained only on “A's pet is B”: can each model fill in A, the sentence's first word?",
}
PRESENT_LOAD_JS = "() => new URLSearchParams(window.location.search).get('present') === '1'"


def _one_line(tab_id: str) -> None:
    gr.Markdown(ONE_LINE[tab_id], elem_classes="llada-oneline")


def remember_pace(presenting, fps, request: gr.Request = None) -> None:
    """Presentation mode on or off, or its pace moved: what this session's live runs follow from now on."""
    PACES.set(session_of(request), bool(presenting), fps)


def build_demo() -> gr.Blocks:
    # Gradio serves downloads from copies in its cache: cleared on the exports' schedule (ui/exports.py).
    with gr.Blocks(title="LLaDA diffusion demo", analytics_enabled=False,
                   delete_cache=(EXPORT_SECONDS // 4, EXPORT_SECONDS)) as demo:
        # One switch for a teacher projecting the app (also ?present=1): page_css.py and page_js.py do the rest.
        # Beside the intro, not under it: the chat's Send and notice stay in view at 1280×720.
        with gr.Row(equal_height=False):
            with gr.Column(scale=6):
                gr.Markdown(INTRO, elem_id="page-intro")
            with gr.Column(scale=1, min_width=170, elem_id="present-col"):
                present = gr.Checkbox(False, label="Presentation mode (or ?present=1)",
                                      elem_id="present-switch")
                # Shown only while presenting (page_css.py): live runs then show one step per 1/pace seconds.
                pace = gr.Slider(1, MOST_FPS, value=DEFAULT_FPS, step=1, label="Pace (steps per second)",
                                 elem_id="present-pace")
        present.change(None, present, None, js="(on) => { window.lladaPresent(on); }", api_name=False)
        # The server remembers the session's pace: every tab's stream reads it (sessions.paced), no tab's inputs.
        gr.on([present.change, pace.change], remember_pace, [present, pace], None, api_name=False,
              queue=False, show_progress="hidden")
        demo.load(None, None, present, js=PRESENT_LOAD_JS, api_name=False)
        # "wrap": every tab's name stays in the bar, on a second row where the page is narrow (never a "⋯" menu).
        with gr.Tabs(overflow_behavior="wrap", elem_id="mode-tabs"):
            with gr.Tab("Chat & watch", id="chat"):
                _one_line("chat")
                chat = build_chat_tab(demo)
            with gr.Tab("Diffusion vs AR", id="compare", elem_id="tab-compare"):
                _one_line("compare")
                build_compare_tab(demo)
            with gr.Tab("Fill in anywhere", id="infill", elem_id="tab-infill"):
                _one_line("infill")
                build_infill_tab(demo)
            with gr.Tab("Trade-offs", id="sweep", elem_id="tab-sweep"):
                _one_line("sweep")
                build_sweep_tab(demo)
            with gr.Tab("Strategies", id="strategies", elem_id="tab-strategies"):
                _one_line("strategies")
                build_strategies_tab(demo)
            with gr.Tab("Rewind & branch", id="branch", elem_id="tab-branch"):
                _one_line("branch")
                build_branch_tab(demo, chat.trace)  # it branches from the chat's last run
            with gr.Tab("How it works", id="explain", elem_id="tab-explain") as explain_tab:
                _one_line("explain")
                build_how_it_works(demo, explain_tab)
            with gr.Tab("Reversal curse", id="reversal", elem_id="tab-reversal"):
                _one_line("reversal")
                build_reversal_tab(demo)
    return demo
