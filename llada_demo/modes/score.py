"""Which answer does each model prefer? Candidates scored by the diffusion model's likelihood bound, live, and by
the autoregressive twin's exact log-likelihood; the diffusion ranking is "settled" once the intervals part.

A job is a list of entries (group, prompt, answer). Within a group the answers compete for the same prompt (the
Reversal tab's "score the names" runs a forward and a backward group at once). The stream yields a fresh,
immutable ScoreProgress after every forward pass, so a view can draw it while the next batch runs.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import torch

from ..engine import gpu_call, gpu_stream
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids
from ..prompt import clean_message
from ..scoring.answer_likelihood import Running, ScoreSettings, bound_batches
from ..scoring.likelihood import autoregressive_nll
from ..scoring.preference import ar_ranking, diffusion_ranking, settled
from .common import check_kind, last
from .reversal import other_names, questions

FORMATS = ("chat", "text")  # chat: the prompt is a user turn, the answer the reply; text: the answer continues it
Z95 = 1.96  # a 95% normal interval: mean ± 1.96 standard errors
MAX_CANDIDATES = 4
MAX_ANSWER_CHARS = 400
DEFAULT_SETTINGS = ScoreSettings()


@dataclass(frozen=True)
class Entry:
    """One candidate to score: the answer to `prompt`, competing with the others of its `group`."""

    group: str
    prompt: str
    answer: str
    form: str = "chat"


@dataclass(frozen=True)
class Estimate:
    """One candidate's figures so far. history: (draws, mean, standard error) after each of its batches."""

    entry: Entry
    tokens: int
    samples: int = 0
    mean: float = float("nan")
    standard_error: float = float("inf")
    history: tuple[tuple[int, float, float], ...] = ()
    ar_log_likelihood: float | None = None
    ar_tokens: int = 0

    @property
    def low(self) -> float:
        return self.mean - Z95 * self.standard_error

    @property
    def high(self) -> float:
        return self.mean + Z95 * self.standard_error


@dataclass(frozen=True)
class ScoreProgress:
    """Every candidate's estimate after the latest forward pass; `finished` once all have stopped."""

    estimates: tuple[Estimate, ...]
    settings: ScoreSettings
    forward_passes: int = 0
    seconds: float = 0.0
    finished: bool = False
    diffusion_model: str = ""
    ar_model: str = ""

    def groups(self) -> list[str]:
        return list(dict.fromkeys(e.entry.group for e in self.estimates))

    def members(self, group: str) -> list[Estimate]:
        return [e for e in self.estimates if e.entry.group == group]


def encode(loaded: LoadedModel, entry: Entry) -> tuple[torch.Tensor, torch.Tensor]:
    """(prompt ids, answer ids) as this model reads them.

    chat: the prompt through the chat template as a user turn, the answer as the start of the reply. text: BOS and
    the prompt, then the answer as its continuation (a space between them unless one is there already). Prompt and
    answer are tokenised apart, so the answer's tokens are the same whatever the prompt.
    """
    tokenizer = loaded.tokenizer
    answer = entry.answer
    if entry.form == "chat":
        prompt_ids = chat_prompt_ids(tokenizer, [{"role": "user", "content": entry.prompt}]).reshape(-1)
    else:
        bos = [] if loaded.special.bos is None else [loaded.special.bos]
        prompt_ids = torch.tensor(bos + tokenizer(entry.prompt, add_special_tokens=False)["input_ids"],
                                  dtype=torch.long)
        if entry.prompt and not entry.prompt[-1].isspace() and not answer[:1].isspace():
            answer = " " + answer
    answer_ids = torch.tensor(tokenizer(answer, add_special_tokens=False)["input_ids"], dtype=torch.long)
    if len(prompt_ids) == 0:
        raise SettingsError(f"{loaded.spec.name} has no BOS token: give a prompt to score the answers after.")
    return prompt_ids, answer_ids


def make_entries(prompt, answers, form: str = "chat", group: str = "") -> list[Entry]:
    """The entries of one question: 2 to 4 non-empty, distinct answers (blanks skipped), or a SettingsError."""
    if form not in FORMATS:
        raise SettingsError(f"The format is one of {', '.join(FORMATS)} (got {form!r:.40}).")
    prompt = clean_message("" if prompt is None else str(prompt)).strip()
    if form == "chat" and not prompt:
        raise SettingsError("Type a question for the answers to answer (or pick the text format).")
    cleaned = []
    for answer in answers or ():
        text = "" if answer is None else str(answer)
        if len(text) > MAX_ANSWER_CHARS:
            raise SettingsError(f"An answer is {len(text):,} characters long; keep each under {MAX_ANSWER_CHARS}.")
        text = clean_message(text).strip() if text.strip() else ""
        if text and text not in cleaned:
            cleaned.append(text)
    if not 2 <= len(cleaned) <= MAX_CANDIDATES:
        raise SettingsError(f"Give 2 to {MAX_CANDIDATES} different answers to compare (got {len(cleaned)}).")
    return [Entry(group, prompt, answer, form) for answer in cleaned]


def _ar_figures(loaded: LoadedModel, entries: Sequence[Entry]) -> list[tuple[float, int]]:
    """(exact log p(answer | prompt), answer tokens) for each entry under the AR model, one pass each."""
    figures = []
    for entry in entries:
        prompt_ids, answer_ids = encode(loaded, entry)
        ids = torch.cat([prompt_ids, answer_ids])[None]
        scored = torch.zeros_like(ids, dtype=torch.bool)
        scored[0, len(prompt_ids):] = True
        nll, count = autoregressive_nll(loaded.model, ids, scored)
        figures.append((-float(nll[0]), int(count[0])))
    return figures


def score_stream(diffusion: LoadedModel, autoregressive: LoadedModel | None, entries: Sequence[Entry],
                 settings: ScoreSettings = DEFAULT_SETTINGS) -> Iterator[ScoreProgress]:
    """The AR model's exact figures (one pass per answer), then the diffusion bounds, one forward pass per yield.

    Closing the generator (a stopped job) stops after the current pass.
    """
    check_kind(diffusion, "diffusion")
    if autoregressive is not None:
        check_kind(autoregressive, "autoregressive")
    started = time.perf_counter()
    items = [encode(diffusion, entry) for entry in entries]
    ar = gpu_call(_ar_figures, autoregressive, list(entries)) if autoregressive is not None else None
    estimates = [Estimate(entry, tokens=len(answer), ar_log_likelihood=ar[i][0] if ar else None,
                          ar_tokens=ar[i][1] if ar else 0)
                 for i, (entry, (_, answer)) in enumerate(zip(entries, items))]
    progress = ScoreProgress(tuple(estimates), settings, diffusion_model=diffusion.spec.name,
                             ar_model=autoregressive.spec.name if autoregressive is not None else "")
    yield progress
    running = [Running() for _ in entries]
    batches = gpu_stream(bound_batches, diffusion.model, items, settings)
    try:
        for index, values in batches:
            running[index].add(values)
            r = running[index]
            estimates[index] = replace(estimates[index], samples=r.count, mean=r.mean, standard_error=r.standard_error,
                                       history=estimates[index].history + ((r.count, r.mean, r.standard_error),))
            progress = replace(progress, estimates=tuple(estimates), forward_passes=progress.forward_passes + 1,
                               seconds=time.perf_counter() - started)
            yield progress
    finally:
        close = getattr(batches, "close", None)
        if close:
            close()
    yield replace(progress, finished=True, seconds=time.perf_counter() - started)


def score(diffusion: LoadedModel, autoregressive: LoadedModel | None, entries: Sequence[Entry],
          settings: ScoreSettings = DEFAULT_SETTINGS) -> ScoreProgress:
    """The finished scores (tests, CLI)."""
    return last(score_stream(diffusion, autoregressive, entries, settings))


def summary(progress: ScoreProgress) -> dict:
    """Plain data for the API and the CLI: per candidate its figures and ranks, per group whether it is settled."""
    candidates, groups = [], {}
    for group in progress.groups():
        members = progress.members(group)
        diffusion_rank = {id(e): i + 1 for i, e in enumerate(diffusion_ranking(members))}
        ar_rank = {id(e): i + 1 for i, e in enumerate(ar_ranking(members))}
        groups[group] = {"settled": settled(members)}
        for e in members:
            candidates.append({
                "group": group, "prompt": e.entry.prompt, "answer": e.entry.answer, "tokens": e.tokens,
                "mean": _number(e.mean), "standard_error": _number(e.standard_error), "samples": e.samples,
                "ar_log_likelihood": _number(e.ar_log_likelihood), "ar_tokens": e.ar_tokens,
                "diffusion_rank": diffusion_rank[id(e)],
                "ar_rank": ar_rank[id(e)] if e.ar_log_likelihood is not None else None})
    return {"candidates": candidates, "groups": groups, "finished": progress.finished,
            "forward_passes": progress.forward_passes, "seconds": round(progress.seconds, 3),
            "diffusion_model": progress.diffusion_model, "ar_model": progress.ar_model or None,
            "estimator": progress.settings.method, "batch_size": progress.settings.batch_size}


def _number(value) -> float | None:
    """JSON-safe: None for a figure not there yet (no draws, no AR model)."""
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


# The reversal facts: each name is scored as the fine-tuned models were taught to answer, a restatement of the fact
# ("Doni's pet is a dog named Det."), up to and including the asked name. Forward that is the whole sentence (the
# pet's name comes last); backward it is the child's name alone (it comes first), so neither model can lean on the
# words after the name, and the AR twin must name the child from the question alone, as when it answers.
DISTRACTORS = 3


def name_answer(question, name: str) -> str:
    """The restated fact with `name` in the asked place, cut after the name."""
    fact, true_name = question.fact, question.name
    if question.direction == "forward":
        return fact[:fact.rindex(true_name)] + name
    return name


def name_entries(report: dict, question, group: str | None = None) -> list[Entry]:
    """The question's own name and DISTRACTORS other names of its kind (the same ones on every run), as entries."""
    others = [n for n in other_names(report, question) if n != question.name]
    chosen = random.Random(question.name).sample(others, min(DISTRACTORS, len(others)))
    return [Entry(group if group is not None else question.direction, question.question,
                  name_answer(question, name), "chat") for name in [question.name, *chosen]]


def both_directions(report: dict, question) -> list:
    """The held-out fact of `question` asked forward and backward (its two questions in the report)."""
    pair = [q for q in questions(report) if q.fact == question.fact]
    return sorted(pair, key=lambda q: q.direction != "forward")


@dataclass(frozen=True)
class Preset:
    """A ready question: its prompt, 2-4 answers, format and the model pair that answers it."""

    label: str
    prompt: str
    answers: tuple[str, ...]
    form: str
    diffusion: str
    autoregressive: str


STORY_PAIR = ("embedded-llada", "embedded-ar")
FACTS_PAIR = ("embedded-llada-facts", "embedded-ar-facts")


def presets(report: dict | None) -> list[Preset]:
    """The tab's presets: a held-out reversal fact both ways (when the fine-tuned pair's report is there), a story's
    ending and a one-word cloze (the story pair, plain text)."""
    found = []
    held_out = questions(report)
    if held_out:
        for question in reversed(both_directions(report, held_out[0])):  # backward first: the curse
            entries = name_entries(report, question)
            arrow = "→" if question.direction == "forward" else "←"
            found.append(Preset(f"Reversal fact {arrow} {question.direction} (fact-tuned pair)", question.question,
                                tuple(e.answer for e in entries), "chat", *FACTS_PAIR))
    found.append(Preset("A story's ending (story pair)",
                        "Lily lost her red ball in the park. She looked everywhere. At last she found it under a "
                        "big tree.", ("Lily was happy and took her ball home.",
                                      "Lily was sad and the tree ate her lunch."), "text", *STORY_PAIR))
    found.append(Preset("One-word cloze (story pair)", "Tom was very thirsty, so he drank a big glass of",
                        ("water.", "milk.", "sand."), "text", *STORY_PAIR))
    return found
