"""The widgets every tab shares, built one way: model picker, seed box, Run/Stop pair and its Stop, result column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from ..startup import default_model, offered_models
from ..viz.run_card import render_run_card
from . import lenient
from .queue_policy import stops_waiting
from .sessions import SessionRuns

# Cells a row in every grid on the page (chat, race, fill-in, branch, strategies, reversal) and in the chat's
# decoding-order map: room for a whole word in each cell (tested in a browser); the page's CSS takes fewer
# columns where the grid's box is narrower (page_css.py).
COLUMNS = 8
NO_MODEL = "none"  # the choice that leaves an optional model out (fill-in's AR side, the sweep's judge)
# Classes that mark the kit's widgets, so a test can tell them from hand-built ones in the built page.
MODEL_CLASS, SEED_CLASS, SETTINGS_CLASS = "llada-model-picker", "llada-seed", "tab-settings"


def model_picker(kind: str = "diffusion", label: str | None = None, *, value: str | None = None, choices=None,
                 optional: bool = False, teaching: bool = True, **layout) -> lenient.Dropdown:
    """A menu of the registered models of `kind` this machine can run (default: the teaching tabs' start).

    `choices` replaces the offered list (a tab with models of its own); `optional` adds "none" (NO_MODEL);
    `teaching=False` starts with the manifest's choice for this machine, as the chat does (startup.default_model).
    """
    offered = list(offered_models(kind) if choices is None else choices)
    label = label or ("Diffusion model" if kind == "diffusion" else "Autoregressive model")
    return lenient.Dropdown(offered + ([("none", NO_MODEL)] if optional else []),
                            value=value or default_model(kind, teaching=teaching), label=label,
                            elem_classes=MODEL_CLASS, **layout)


def seed_box(label: str = "Seed (-1 = random)", **layout) -> lenient.Number:
    """The seed of a run: a whole number, or -1 for a fresh random one (controls.resolve_seed reads it)."""
    return lenient.Number(0, precision=0, label=label, elem_classes=SEED_CLASS, **layout)


def run_stop(label: str, run_id: str, stop_id: str, variant: str = "primary", **layout) -> tuple[gr.Button, gr.Button]:
    """The Run button and its Stop, in the current layout context (wire the Stop with `wire_stop`)."""
    run = gr.Button(label, variant=variant, elem_id=run_id, **layout)
    stop = gr.Button("Stop", variant="stop", elem_id=stop_id, **layout)
    return run, stop


def wire_stop(stop: gr.Button, runs: SessionRuns, stopped: Callable[[object, object], tuple], outputs: list,
              cancels: list, api_name: str | bool = False) -> None:
    """Wire a tab's Stop, the one shape every tab's Stop has: it removes this session's runs of `cancels` still
    waiting in the queue, stops the session's job in `runs` after its current forward pass, and answers
    `stopped(run, context)` (the run once stopped, or None, and what its handler gave `runs.start`) on `outputs`.

    Outside the queue (queue=False): a Stop must answer at once even when runs fill the queue.
    """
    def stop_run(request: gr.Request = None) -> tuple:
        return stopped(*runs.stop(request))

    stop_run.__name__ = stop_run.__qualname__ = api_name or "stop"
    handler = stops_waiting(stop_run, cancels)
    handler.tab_stop = True  # tests/test_tab_kit.py: every Stop on the page is this one
    stop.click(handler, None, outputs, cancels=cancels, api_name=api_name, queue=False)


def settings_box(label: str, elem_id: str, open: bool = True, extra_classes=()) -> gr.Accordion:
    """A tab's settings accordion (class "tab-settings": presentation mode folds them all alike)."""
    return gr.Accordion(label, open=open, elem_id=elem_id, elem_classes=[*extra_classes, SETTINGS_CLASS])


@dataclass(frozen=True)
class ResultColumn:
    """One run's column of results: its figures card, its token grid, and one more view under them."""

    card: gr.HTML
    grid: gr.HTML
    more: gr.HTML | gr.Plot


def result_column(tab: str, side: str, who: str, title: str, more: tuple[str, str], plot: bool = False,
                  min_width: int = 420) -> ResultColumn:
    """A column (in the current Row) with `title`'s empty run card, its grid and its `more` view.

    elem_ids `{tab}-{side}-card`, `-grid` and `-{more[0]}`; labels "{who} figures", "{who} grid", "{who} {more[1]}".
    A `plot` view is a Plotly figure, else HTML. The page's CSS styles them all (launch.py: no css_template).
    """
    with gr.Column(min_width=min_width):
        card = gr.HTML(render_run_card(title, None), label=f"{who} figures", elem_id=f"{tab}-{side}-card")
        grid = gr.HTML("", label=f"{who} grid", elem_id=f"{tab}-{side}-grid")
        label, elem_id = f"{who} {more[1]}", f"{tab}-{side}-{more[0]}"
        view = gr.Plot(label=label, elem_id=elem_id, show_label=False) if plot else gr.HTML("", label=label,
                                                                                              elem_id=elem_id)
    return ResultColumn(card, grid, view)
