"""Gradio Blocks UI: layout and event wiring only (views draw, the sampler samples)."""

from .layout import build_demo
from .launch import launch_kwargs

__all__ = ["build_demo", "launch_kwargs"]
