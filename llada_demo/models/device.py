"""Device and dtype choice: CUDA (bf16), Apple MPS (fp16-safe bf16 fallback), else CPU (fp32)."""

import torch


def pick_device(preferred: str | None = None) -> torch.device:
    if preferred:
        return torch.device(preferred)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_dtype(device: torch.device) -> torch.dtype:
    # bf16 halves memory and is what LLaDA was trained in; CPUs run fp32 much faster than bf16.
    return torch.float32 if device.type == "cpu" else torch.bfloat16


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type
