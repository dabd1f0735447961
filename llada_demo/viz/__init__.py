"""Views of a run: token grid (HTML), Plotly figures, terminal text, exports; pure functions of a Trace."""

from .export import animation_gif, animation_html, trace_to_json_file
from .figures import confidence_heatmap, decoding_order_map, step_curves
from .state import answer_state, resolve_step
from .terminal import render_terminal, status_line
from .token_grid import GRID_CSS, render_grid

__all__ = [
    "GRID_CSS",
    "animation_gif",
    "animation_html",
    "answer_state",
    "confidence_heatmap",
    "decoding_order_map",
    "render_grid",
    "render_terminal",
    "resolve_step",
    "status_line",
    "step_curves",
    "trace_to_json_file",
]
