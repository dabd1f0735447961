"""Device and dtype choice: CUDA (bf16), Apple MPS, else CPU (bf16 with AMX, otherwise fp32); ZeroGPU detection."""

import os

try:  # on Spaces `spaces` must be imported before anything touches CUDA (app.py imports it first)
    import spaces
except ImportError:  # not on Spaces
    spaces = None

import torch


def on_zero_gpu() -> bool:
    """Whether this process is a ZeroGPU Space (a GPU is attached only inside `@spaces.GPU` calls)."""
    return spaces is not None and os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "true")


def compile_allowed() -> bool:
    """torch.compile / CUDA graphs are unsupported on ZeroGPU; elsewhere the speed work may use them."""
    return not on_zero_gpu()


def pick_device(preferred: str | None = None) -> torch.device:
    if preferred:
        return torch.device(preferred)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpu_has_amx() -> bool:
    """Whether this CPU has AMX bf16 tiles (Intel Sapphire Rapids and later), read from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " amx_bf16" in line for line in f)
    except OSError:
        return False


def pick_dtype(device: torch.device) -> torch.dtype:
    # bf16 halves memory and is what LLaDA (and the embedded models' evaluation) ran in. CPUs without AMX run
    # fp32 much faster than bf16; with AMX, bf16 is faster (embedded model, 2 cores: 4.5 s vs 7.0 s).
    if device.type == "cpu":
        return torch.bfloat16 if cpu_has_amx() else torch.float32
    return torch.bfloat16


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type
