"""A slider that lets out-of-range typed values through to the app's own settings check.

Gradio writes a .pyi stub beside any module that subclasses a component (ignored in git); this class
lives alone so that stub stays small.
"""

from __future__ import annotations

import gradio as gr


class Slider(gr.Slider):
    """A slider whose typed-in value reaches the handler even when out of range, so the app answers with its
    own message (what to change, the nearest valid settings) instead of Gradio's bare "Error"."""

    def get_block_name(self) -> str:
        return "slider"

    def preprocess(self, payload):
        try:
            return round(float(payload), 10)
        except (TypeError, ValueError):
            return payload  # the settings check says what is wrong with it
