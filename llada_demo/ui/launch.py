"""The one place the app and the tests take launch options from (CSS, theme, queue limits)."""

from __future__ import annotations

import gradio as gr

from ..config import limits
from ..viz.branch_diff import DIFF_CSS
from ..viz.candidates import CANDIDATES_CSS, CANDIDATES_JS
from ..viz.diagram import DIAGRAM_CSS
from ..viz.given_grid import GIVEN_CSS
from ..viz.infill_text import INFILL_TEXT_CSS
from ..viz.likelihood import LIKELIHOOD_CSS
from ..viz.order_grid import ORDER_CSS
from ..viz.reversal_table import REVERSAL_CSS
from ..viz.run_card import CARD_CSS
from ..viz.stats import STATS_CSS
from ..viz.token_grid import GRID_CSS
from .page_css import PAGE_CSS, PAGE_HEAD
from .page_js import PAGE_JS
from .queue_policy import install
from .session_store import CAPACITY, start_pruning

# The chat's grid fills its column and sizes each column to its widest token (never less than an equal
# share), so a committed cell always shows its whole token; positions stay in their rows.
APP_CSS = """
#notice p { margin: 4px 0; }
#notice:not(:empty) { min-height: 1.5em; }
#token-grid { min-height: 120px; }
#token-grid .llada-view { width: 100%; }
#token-grid .llada-view .cell { padding: 0 5px; }
#chat-buttons { flex-wrap: nowrap; }
"""

# The other views' styles: the fill-in's text, the branch's diff, the explainer's diagram, the likelihood tables
# and the reversal verdicts and table.
VIEW_CSS = INFILL_TEXT_CSS + DIFF_CSS + DIAGRAM_CSS + LIKELIHOOD_CSS + REVERSAL_CSS


# Gradio keeps a copy of every component's last value (grid, figures, chat, trace) for each browser session
# it has seen, in one LRU of `state_session_capacity` sessions counted by number: then a rush of newcomers (or
# of cheap calls with new session ids) pushed out everyone's saved runs. session_store prunes it by memory
# budget and age instead; Gradio's count stays only as a far backstop.
SESSIONS = CAPACITY


def launch_kwargs() -> dict:
    # Gradio runs no <script> inside gr.HTML: the grids' candidate popovers come from this page script.
    # Every view's styles are here, none in a gr.HTML's css_template (tests/test_tab_kit.py checks it): measured
    # in Chromium on 2 cores (benchmarks/race_browser.py --css-template), the compare race took 1.2x to 2.5x as
    # long with its cards and order maps styled by css_template, depending on the machine's load.
    # GIVEN_CSS after GRID_CSS: a given cell's look overrides a committed cell's at the same specificity.
    # PAGE_CSS last: the room's layout (projector, phone, presentation mode) overrides the grids' own sizes.
    return dict(css=GRID_CSS + GIVEN_CSS + STATS_CSS + CANDIDATES_CSS + CARD_CSS + ORDER_CSS + VIEW_CSS + APP_CSS
                + PAGE_CSS,
                head=PAGE_HEAD, js="() => {\n" + CANDIDATES_JS + "\n" + PAGE_JS + "\n}", theme=gr.themes.Soft(),
                state_session_capacity=SESSIONS)


def configure_queue(demo: gr.Blocks) -> gr.Blocks:
    """Bounded queue (beyond it a run is refused as "queue full") and runs at once, from spaces.yaml; at most
    queue_policy.QUEUE_PLACES waiting events (PER_SESSION of them runs) per session.

    api_open=False closes the direct REST routes (POST /gradio_api/run/<name>) of every queued event, as Spaces
    does by default: off Spaces they let any caller run a model outside the queue and its limits (8 direct
    /run/chat calls all ran at once). gradio_client and the page join the queue and are not affected; the
    events wired with queue=False (checks, replay, candidates, stop) stay callable directly and run no model."""
    top = limits()
    demo.queue(max_size=top["queue_size"], default_concurrency_limit=top["concurrency_per_model"], api_open=False)
    start_pruning(demo)
    return install(demo)
