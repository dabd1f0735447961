"""How likely an answer is given a prompt: LLaDA's Monte Carlo bound, streamed batch by batch with its error bar.

A masked diffusion model has no exact likelihood; it has a lower bound on log p(answer | prompt). The LLaDA paper
estimates it in a lower-variance form: draw the number of masked answer tokens l uniformly in 1..L, mask that many
answer positions at random (the prompt stays visible), and take (L / l) times the summed log-probability of the
masked tokens. Each draw is one independent sample of the bound, so the running mean carries a standard error.
The "naive" form (draw t uniformly in (0, 1], mask each answer token with probability t, weight 1 / t) has the same
expectation and is kept to measure how much the count form gains (docs/likelihood.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import SettingsError

METHODS = ("count", "time")  # count: LLaDA's l ~ U{1..L}; time: t ~ U(0, 1], each token masked with probability t
MAX_ENUMERATED = 12  # exact enumeration visits 2^L - 1 maskings


@dataclass(frozen=True)
class ScoreSettings:
    """How long the estimate runs: stop at `samples` draws, or earlier once the standard error is under `target_se`.

    target_se is in nats (0 = never stop early); at least `min_samples` draws are taken before it may stop, so a
    few lucky draws cannot end it. batch_size draws go through the model in one forward pass.
    """

    samples: int = 128
    target_se: float = 0.0
    batch_size: int = 16
    min_samples: int = 32
    seed: int = 0
    method: str = "count"

    def __post_init__(self):
        for name, low, high in (("samples", 1, 4096), ("batch_size", 1, 512), ("min_samples", 1, 4096)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise SettingsError(f"{name.replace('_', ' ').capitalize()} must be a whole number from {low} to "
                                    f"{high} (got {value!r:.40}).")
        if not isinstance(self.target_se, (int, float)) or not math.isfinite(self.target_se) or self.target_se < 0:
            raise SettingsError(f"The target standard error is a number of nats, 0 or more "
                                f"(got {self.target_se!r:.40}).")
        if self.method not in METHODS:
            raise SettingsError(f"The estimator is one of {', '.join(METHODS)} (got {self.method!r:.40}).")


def draw_masks(length: int, count: int, generator: torch.Generator, method: str = "count"):
    """(masks [count, length] bool, weights [count] float64) for `count` independent draws over an answer of `length`.

    count: l ~ U{1..length}, l positions chosen uniformly without replacement, weight length / l.
    time: t ~ U(0, 1], each position masked with probability t, weight 1 / t (a draw may mask nothing: value 0).
    """
    # Drawn one row at a time, so a seed gives the same draws whatever the batch size.
    masks, weights = torch.zeros((count, length), dtype=torch.bool), torch.empty(count, dtype=torch.float64)
    for row in range(count):
        if method == "count":
            masked = int(torch.randint(1, length + 1, (1,), generator=generator))
            masks[row, torch.rand(length, generator=generator).argsort()[:masked]] = True
            weights[row] = length / masked
        else:
            t = 1.0 - float(torch.rand(1, generator=generator, dtype=torch.float64))  # (0, 1]
            masks[row] = torch.rand(length, generator=generator, dtype=torch.float64) < t
            weights[row] = 1.0 / t
    return masks, weights


@torch.no_grad()
def masked_log_probs(model, prompt_ids: torch.Tensor, answer_ids: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """[rows] float64: for each mask row, the summed log-probability of the masked answer tokens (one forward pass)."""
    device = next(model.parameters()).device
    rows = len(masks)
    prompt = prompt_ids.reshape(1, -1).expand(rows, -1)
    answer = answer_ids.reshape(1, -1).expand(rows, -1)
    noisy = torch.cat([prompt, answer.masked_fill(masks, model.config.mask_token_id)], dim=1).to(device)
    logits = model(noisy).logits[:, prompt.shape[1]:].float()
    log_probs = -F.cross_entropy(logits.transpose(1, 2), answer.to(device), reduction="none")
    return (log_probs * masks.to(device)).sum(dim=1).double().cpu()


def sample_values(model, prompt_ids, answer_ids, masks, weights) -> np.ndarray:
    """Each draw's estimate of the log-likelihood bound (nats, total over the answer): weight × masked log-probs."""
    return (weights * masked_log_probs(model, prompt_ids, answer_ids, masks)).numpy()


@torch.no_grad()
def enumerated_bound(model, prompt_ids: torch.Tensor, answer_ids: torch.Tensor) -> float:
    """The bound's exact expectation, every masking visited: sum over l of (mean over l-subsets of the masked
    log-probs) / l. Both estimators' expectation (the 1/t weight integrates to 1/l over t's binomial counts)."""
    length = len(answer_ids)
    if length > MAX_ENUMERATED:
        raise SettingsError(f"Exact enumeration visits 2^L maskings; keep the answer to {MAX_ENUMERATED} tokens.")
    total = 0.0
    for size in range(1, length + 1):
        subsets = list(combinations(range(length), size))
        masks = torch.zeros((len(subsets), length), dtype=torch.bool)
        for row, subset in enumerate(subsets):
            masks[row, list(subset)] = True
        total += float(masked_log_probs(model, prompt_ids, answer_ids, masks).mean()) / size
    return total


class Running:
    """Running mean and standard error of a stream of values (Welford's update, float64)."""

    def __init__(self):
        self.count, self.mean, self._m2 = 0, 0.0, 0.0

    def add(self, values: Sequence[float]) -> None:
        for value in np.asarray(values, dtype=np.float64).ravel():
            self.count += 1
            delta = value - self.mean
            self.mean += delta / self.count
            self._m2 += delta * (value - self.mean)

    @property
    def variance(self) -> float:
        """Sample variance of one draw (nan under two draws)."""
        return self._m2 / (self.count - 1) if self.count > 1 else float("nan")

    @property
    def standard_error(self) -> float:
        return math.sqrt(self.variance / self.count) if self.count > 1 else float("inf")


def done(running: Running, settings: ScoreSettings) -> bool:
    """Whether a candidate's estimate may stop: all its draws taken, or its error under the target."""
    if running.count >= settings.samples:
        return True
    return (settings.target_se > 0 and running.count >= settings.min_samples
            and running.standard_error < settings.target_se)


def bound_batches(model, items: Sequence[tuple[torch.Tensor, torch.Tensor]],
                  settings: ScoreSettings) -> Iterator[tuple[int, np.ndarray]]:
    """(candidate index, the batch's draws as a float64 array), one forward pass per yield, until every candidate is
    done by `settings`. Candidates take turns batch by batch, so all estimates grow together.

    items: (prompt ids [P], answer ids [L]) per candidate. Plain NumPy out, so it can stream from a GPU process.
    Each candidate draws from its own generator (seed + index), so its figures do not depend on the others.
    """
    for _, answer_ids in items:
        if len(answer_ids) == 0:
            raise SettingsError("Every candidate answer needs at least one token: fill in or remove the empty one.")
    generators = [torch.Generator().manual_seed(settings.seed + index) for index in range(len(items))]
    running = [Running() for _ in items]
    while True:
        active = [i for i, r in enumerate(running) if not done(r, settings)]
        if not active:
            return
        for index in active:
            if done(running[index], settings):
                continue
            prompt_ids, answer_ids = items[index]
            count = min(settings.batch_size, settings.samples - running[index].count)
            masks, weights = draw_masks(len(answer_ids), count, generators[index], settings.method)
            values = sample_values(model, prompt_ids, answer_ids, masks, weights)
            running[index].add(values)
            yield index, values
