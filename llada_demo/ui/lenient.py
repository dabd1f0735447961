"""Components that pass what they cannot parse to the handler, so every input gets the app's own message.

Gradio rejects a value its component cannot preprocess (a typed 600 on a slider ending at 512, a model name
an API caller misspelt, a history that is not a list) with a bare "Error" before the handler runs. These
subclasses hand such a value on unchanged; the handler's checks then say what to change, in the notice,
like any other settings problem. Gradio writes a .pyi stub beside a module that subclasses a component
(ignored in git); these classes live alone so that stub stays small.
"""

from __future__ import annotations

import gradio as gr
from gradio.components.chatbot import ChatbotDataMessages
from pydantic import ValidationError


class _PassThrough:
    """What every component here does: a value Gradio's own preprocessing refuses goes to the handler as it came.

    The Svelte component is the one named like the class (slider, number, …), as for Gradio's own classes.
    """

    def get_block_name(self) -> str:
        return type(self).__name__.lower()

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001 - whatever Gradio refuses, the handler's check explains
            return payload


class Slider(_PassThrough, gr.Slider):
    """A slider whose typed-in value reaches the handler even when out of range."""

    def preprocess(self, payload):
        try:
            return round(float(payload), 10)  # no range check here: the settings check says what to change
        except (TypeError, ValueError, OverflowError):
            return payload


class Number(_PassThrough, gr.Number):
    """A number box whose value reaches the handler even when out of range or not a number."""


class Dropdown(_PassThrough, gr.Dropdown):
    """A dropdown whose value reaches the handler even when it is not one of the choices."""


class CheckboxGroup(_PassThrough, gr.CheckboxGroup):
    """A checkbox group whose value reaches the handler even when it holds unknown choices."""


class Radio(_PassThrough, gr.Radio):
    """A radio group whose value reaches the handler even when it is not one of the choices."""


class _Messages(ChatbotDataMessages):
    """Chatbot messages whose validation hands a malformed history on unchanged (Gradio validates before
    preprocess, with a bare "Error" on failure)."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError:
            return obj


class Chatbot(_PassThrough, gr.Chatbot):
    """A chat history that reaches the handler even when it is malformed (the handler refuses it by name)."""

    data_model = _Messages
