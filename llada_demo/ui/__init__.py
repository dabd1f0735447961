"""Gradio Blocks UI: layout and event wiring only (views draw, the sampler samples)."""

from .launch import launch_kwargs
from .layout import build_demo

__all__ = ["build_demo", "launch_kwargs"]
