"""The shared training loop: AdamW, warmup + cosine LR, bf16 on CUDA, clipping, JSONL log, best checkpoint."""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm.auto import tqdm


@dataclass
class LoopSettings:
    """One training phase. `total_steps` comes from the token budget; `max_seconds` caps the wall clock.

    LR follows warmup then cosine over progress = max(step share, time share): when the clock
    cap would end the phase first, the LR still decays to its floor by then.
    """

    name: str
    lr: float
    total_steps: int
    tokens_per_step: int
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    warmup_share: float = 0.02
    min_lr_ratio: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 100
    log_every: int = 10
    max_seconds: float | None = None
    log_path: Path | None = None
    progress: bool = True
    # Early stopping: end the phase after this many validations without a new best (None: never).
    patience: int | None = None
    # Steps over which the cosine decays (None: total_steps); after it the LR stays at its floor. A
    # model that overfits early (the AR twin) anneals by its best point yet may still use the budget.
    schedule_steps: int | None = None


@dataclass
class LoopResult:
    steps: int
    tokens: int
    seconds: float
    final_loss: float
    best_valid: float
    best_step: int
    stop_reason: str = "budget"  # "budget", "time" (max_seconds) or "patience" (early stopping)
    valid_history: list[tuple[int, float]] = field(default_factory=list)


def learning_rate(settings: LoopSettings, progress: float) -> float:
    warmup = max(settings.warmup_share, 1e-9)
    if progress < warmup:
        return settings.lr * (progress + 1.0 / max(settings.total_steps, 1)) / warmup
    decay = min((progress - warmup) / max(1.0 - warmup, 1e-9), 1.0)
    floor = settings.lr * settings.min_lr_ratio
    return floor + 0.5 * (settings.lr - floor) * (1.0 + math.cos(math.pi * decay))


def make_optimizer(model: torch.nn.Module, settings: LoopSettings, device: torch.device) -> torch.optim.AdamW:
    # Decay matrices and embeddings only; norm gains (1-D) stay undecayed, as is usual.
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": settings.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=settings.lr, betas=settings.betas, fused=device.type == "cuda")


def autocast(device: torch.device):
    """bf16 autocast on CUDA (fp32 master weights); plain fp32 elsewhere (CPUs are slow in bf16)."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().to("cpu", copy=True) for name, value in model.state_dict().items()}


def train(model: torch.nn.Module, batches: Iterator, loss_fn: Callable, valid_fn: Callable[[torch.nn.Module], float],
          settings: LoopSettings, device: torch.device) -> tuple[LoopResult, dict[str, torch.Tensor]]:
    """Run one phase; returns its summary and the weights with the best validation loss.

    loss_fn(model, batch) -> scalar loss; valid_fn(model) -> float, called in eval mode without grad.
    """
    optimizer = make_optimizer(model, settings, device)
    log = open(settings.log_path, "a", encoding="utf-8") if settings.log_path else None  # noqa: SIM115 - closed at the end
    best_valid, best_step, best_state = math.inf, -1, snapshot(model)
    history: list[tuple[int, float]] = []
    stop_reason = "budget"
    running, running_count, final_loss = torch.zeros((), device=device), 0, math.nan
    start = time.perf_counter()
    bar = tqdm(total=settings.total_steps, desc=settings.name, disable=not settings.progress, mininterval=1.0,
               dynamic_ncols=True)

    def validate(step: int) -> None:
        nonlocal best_valid, best_step, best_state, stop_reason
        model.eval()
        with torch.no_grad(), autocast(device):
            value = float(valid_fn(model))
        model.train()
        history.append((step, value))
        if value < best_valid:
            best_valid, best_step, best_state = value, step, snapshot(model)
        since_best = sum(1 for past_step, _ in history if past_step > best_step)
        if settings.patience is not None and since_best >= settings.patience:
            stop_reason = "patience"
        write({"event": "valid", "step": step, "valid_loss": value, "best_valid": best_valid})
        shown = {"loss": f"{final_loss:.3f}"} if math.isfinite(final_loss) else {}
        bar.set_postfix(**shown, valid=f"{value:.3f}", best=f"{best_valid:.3f}")

    def write(record: dict) -> None:
        if log:
            record = {"phase": settings.name, "time": round(time.perf_counter() - start, 3), **record}
            log.write(json.dumps(record) + "\n")
            log.flush()

    model.train()
    step = 0
    try:
        while step < settings.total_steps:
            if stop_reason == "patience":
                break
            elapsed = time.perf_counter() - start
            progress = min(1.0, step / (settings.schedule_steps or settings.total_steps))
            if settings.max_seconds:
                if elapsed >= settings.max_seconds:
                    stop_reason = "time"
                    break
                progress = max(progress, elapsed / settings.max_seconds)
            lr = learning_rate(settings, progress)
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = next(batches)
            with autocast(device):
                loss = loss_fn(model, batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
            optimizer.step()
            running += loss.detach()
            running_count += 1
            step += 1
            bar.update(1)
            # Reading the loss waits for the GPU, so it happens only every log_every steps.
            if step % settings.log_every == 0 or step == settings.total_steps:
                final_loss = float(running) / running_count
                running.zero_()
                running_count = 0
                write({"event": "train", "step": step, "tokens": step * settings.tokens_per_step, "lr": lr,
                       "loss": final_loss, "grad_norm": float(grad_norm)})
                bar.set_postfix(loss=f"{final_loss:.3f}", best=f"{best_valid:.3f}")
            if step % settings.eval_every == 0:
                validate(step)
        if running_count:
            final_loss = float(running) / running_count
        if not history or history[-1][0] != step:
            validate(step)
    finally:
        bar.close()
        if log:
            log.close()
    seconds = time.perf_counter() - start
    result = LoopResult(steps=step, tokens=step * settings.tokens_per_step, seconds=seconds, final_loss=final_loss,
                        best_valid=best_valid, best_step=best_step, stop_reason=stop_reason,
                        valid_history=history)
    return result, best_state
