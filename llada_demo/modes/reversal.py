"""The reversal curse, live: a held-out fact question to both fine-tuned models, raced, each answer graded.

The questions, the fact each one tests and the measured accuracy table come from `reversal.json` in the
diffusion model's folder (written by `python -m llada_demo reversal-eval`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from ..engine import autoregressive_records, autoregressive_trace, diffusion_records, diffusion_trace
from ..errors import SettingsError
from ..models.registry import REGISTRY, LoadedModel
from ..sampling import SamplingSettings
from ..sampling.autoregressive import autoregressive_settings
from ..scoring.fact_recall import (
    FILL_IN_QUESTION,
    REVERSAL_SETTINGS,
    answer_correct,
    blanked_sentence,
    fill_in_template,
)
from ..trace import Trace
from .common import chat_ids, check_kind
from .compare import compare_lanes
from .race import Lane, race

FACTS_MODEL, FACTS_TWIN = "embedded-llada-facts", "embedded-ar-facts"  # the pair fine-tuned on the fact set
ARROWS = {"forward": "→ forward", "backward": "← backward"}


@dataclass(frozen=True)
class Question:
    direction: str
    question: str
    answer: str
    name: str
    fact: str

    @property
    def label(self) -> str:
        return f"{ARROWS[self.direction]}: {self.question}"


def report_path(folder: str | Path | None = None) -> Path:
    return Path(folder or REGISTRY[FACTS_MODEL].source) / "reversal.json"


def load_report(folder: str | Path | None = None) -> dict | None:
    """The measured reversal report shipped with the model, or None when this model has none."""
    path = report_path(folder)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def questions(report: dict | None) -> list[Question]:
    """Every held-out question of the report, forward and backward, in its order."""
    if not report:
        return []
    return [Question(r["direction"], r["question"], r["answer"], r["name"], r["fact"]) for r in report["questions"]]


def find_question(report: dict | None, text) -> Question:
    """The held-out question whose text (or dropdown label) is `text`, or a SettingsError that says what to pick."""
    if not report:
        raise SettingsError("The fine-tuned models' reversal.json is missing: run `python -m llada_demo train-facts` "
                            "and `python -m llada_demo reversal-eval` to make it.")
    if isinstance(text, str):
        for item in questions(report):
            if text.strip() in (item.question, item.label):
                return item
    raise SettingsError(f"Pick one of the {len(report['questions'])} held-out questions from the list "
                        f"(got {str(text)[:60]!r}).")


def other_names(report: dict, question: Question) -> list[str]:
    """The names a wrong answer could give instead: every pet (forward) or every child (backward)."""
    return report["names"]["pets" if question.direction == "forward" else "children"]


def grade(trace: Trace, report: dict, question: Question) -> bool | None:
    """Right or wrong by the measurement's rule, once the run has finished (None before)."""
    if not trace.finished:
        return None
    return answer_correct(trace.answer_text(), question.name, other_names(report, question))


def reversal_stream(diffusion: LoadedModel, autoregressive: LoadedModel, question: Question,
                    align: str = "passes") -> Iterator[tuple[Trace, Trace]]:
    """(diffusion trace, AR trace) as both answer `question` with the measurement's settings, raced."""
    return race(compare_lanes(diffusion, autoregressive, question.question, REVERSAL_SETTINGS), align)


def blank_of(question: Question) -> str:
    """The question's fact as a fill-in-the-blank sentence: forward blanks the pet, backward the child."""
    return blanked_sentence(question.fact, question.name, question.direction)


def fill_in_lanes(diffusion: LoadedModel, autoregressive: LoadedModel, question: Question) -> tuple[Lane, Lane]:
    """The fill-in probe as reversal-eval runs it, as two race lanes.

    Diffusion: BOS, then the trained sentence with the name's tokens masked and the rest given (EOS after it),
    filled in place, one token per pass. AR twin: forward it continues the sentence's words before the pet's
    name; backward nothing comes before the blank, so it is asked "Fill in the blank: ___'s pet is ..." and must
    write the child's name first.
    """
    check_kind(diffusion, "diffusion")
    check_kind(autoregressive, "autoregressive")
    special = diffusion.special
    template, positions = fill_in_template(diffusion.tokenizer, question.fact, question.name, question.direction,
                                           special.mask)
    template = torch.tensor([*template, special.eos])
    bos = torch.tensor([[special.bos]])
    settings = SamplingSettings(gen_length=len(template), steps=len(template), block_length=len(template),
                                strategy="low_confidence", temperature=0.0, seed=0)
    if question.direction == "forward":
        ar_ids = torch.tensor([[special.bos, *template[: positions[0]].tolist()]])
        ar_settings = autoregressive_settings(len(positions))
    else:
        ar_ids = chat_ids(autoregressive, FILL_IN_QUESTION.format(sentence=blank_of(question)))
        ar_settings = autoregressive_settings(REVERSAL_SETTINGS.gen_length)
    return (
        Lane(diffusion_trace(diffusion, bos, settings, answer=template),
             diffusion_records(diffusion.model, bos, settings, answer=template), diffusion.tokenizer),
        Lane(autoregressive_trace(autoregressive, ar_ids, ar_settings),
             autoregressive_records(autoregressive.model, ar_ids, ar_settings, mask_id=autoregressive.special.mask,
                                    stop_ids=autoregressive.special.stops),
             autoregressive.tokenizer),
    )


def fill_in_stream(diffusion: LoadedModel, autoregressive: LoadedModel, question: Question,
                   align: str = "passes") -> Iterator[tuple[Trace, Trace]]:
    """(diffusion trace, AR trace) as both fill the question's blank, raced."""
    return race(fill_in_lanes(diffusion, autoregressive, question), align)
