"""Optional torch.compile of a model's forward: CUDA graphs on a GPU ("reduce-overhead"), fused kernels on a CPU."""

from __future__ import annotations

import functools

import torch

from .device import compile_allowed


def compile_forward(model, device: torch.device):
    """Compile `model.forward` in place where the platform allows it; returns the model.

    Costs seconds to tens of seconds per new input shape on first use (3 to 28 s per sampler variant
    on a 2-core CPU; the exact sampler has one shape per run, the caches one per block), so the app
    does it only when asked (LLADA_COMPILE=1).
    On ZeroGPU torch.compile is unsupported and the model stays eager.
    """
    if not compile_allowed() or getattr(model, "compiled", False):
        return model
    mode = "reduce-overhead" if device.type == "cuda" else None  # reduce-overhead = CUDA graphs
    compiled = torch.compile(model.forward, mode=mode)  # shapes that vary (the caches) become dynamic

    @functools.wraps(model.forward)
    def forward(*args, **kwargs):
        # Each call is a new step: the previous call's outputs (graph-owned buffers on CUDA) may be
        # overwritten, so callers keep only what they copy (the caches copy their keys/values).
        torch.compiler.cudagraph_mark_step_begin()
        return compiled(*args, **kwargs)

    model.forward = forward
    model.compiled = True
    return model
