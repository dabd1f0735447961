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


class Slider(gr.Slider):
    """A slider whose typed-in value reaches the handler even when out of range."""

    def get_block_name(self) -> str:
        return "slider"

    def preprocess(self, payload):
        try:
            return round(float(payload), 10)
        except (TypeError, ValueError, OverflowError):
            return payload  # the settings check says what is wrong with it


class Number(gr.Number):
    """A number box whose value reaches the handler even when out of range or not a number."""

    def get_block_name(self) -> str:
        return "number"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001 - whatever Gradio refuses, the handler's check explains
            return payload


class Dropdown(gr.Dropdown):
    """A dropdown whose value reaches the handler even when it is not one of the choices."""

    def get_block_name(self) -> str:
        return "dropdown"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001
            return payload


class CheckboxGroup(gr.CheckboxGroup):
    """A checkbox group whose value reaches the handler even when it holds unknown choices."""

    def get_block_name(self) -> str:
        return "checkboxgroup"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001
            return payload


class Radio(gr.Radio):
    """A radio group whose value reaches the handler even when it is not one of the choices."""

    def get_block_name(self) -> str:
        return "radio"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001
            return payload


class _Messages(ChatbotDataMessages):
    """Chatbot messages whose validation hands a malformed history on unchanged (Gradio validates before
    preprocess, with a bare "Error" on failure)."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError:
            return obj


class Chatbot(gr.Chatbot):
    """A chat history that reaches the handler even when it is malformed (the handler refuses it by name)."""

    data_model = _Messages

    def get_block_name(self) -> str:
        return "chatbot"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception:  # noqa: BLE001
            return payload
