"""Where all model work runs: the one model thread, background runs, the ZeroGPU path and growing traces."""

from __future__ import annotations

from ..models import registry
from . import worker
from .background import BackgroundRun
from .traces import (
    add_texts,
    add_token_texts,
    autoregressive_run,
    autoregressive_trace,
    chat_trace,
    diffusion_run,
    diffusion_trace,
    grow_trace,
    stream_trace,
)
from .zerogpu import autoregressive_records, diffusion_records, gpu_call, gpu_stream


def load_model(name: str, device: str | None = None) -> registry.LoadedModel:
    """Load (once per process) a registered model on the model thread, the thread that will run it."""
    return worker.call(registry.load_model, name, device)


def last(stream):
    """Run a stream to its end and return its last item (tests, CLI, the explainer: the finished state)."""
    item = None
    for item in stream:
        pass
    return item


def run_to_end(stream):
    """Run a stream on the model thread and return its last item (a short run a handler waits for)."""
    return worker.call(last, stream)


__all__ = ["BackgroundRun", "add_texts", "add_token_texts", "autoregressive_records", "autoregressive_run",
           "autoregressive_trace", "chat_trace", "diffusion_records", "diffusion_run", "diffusion_trace",
           "gpu_call", "gpu_stream", "grow_trace", "last", "load_model", "run_to_end", "stream_trace", "worker"]
