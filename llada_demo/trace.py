"""StepRecord and Trace: what a run recorded, step by step, compactly; (de)serialised as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from .characters import decode
from .scoring.answer import answer_end, cut_at_stop

if TYPE_CHECKING:  # sampling imports this module; import its settings lazily to avoid a cycle
    from .sampling.settings import SamplingSettings


@dataclass
class StepRecord:
    """One forward pass of a run.

    tokens: the answer's ids after this step (mask id where still masked); committed: the
    answer positions filled at this step and `committed_confidence` the model's probability
    of each; predicted / predicted_confidence: the model's best guess and its probability at
    every answer position this step (what a masked cell shows on hover); nfe: forward passes
    so far; elapsed: seconds since the run started.

    top_ids / top_probs: the model's top-k tokens ([m, k], best first; probabilities in float16) for
    the m positions that were masked before this step, in position order: what it was choosing
    between. None for records that keep no candidates (autoregressive runs, old traces).
    remasked: answer positions a revising strategy returned to [MASK] at this step (empty otherwise).
    """

    step: int
    block: int
    tokens: np.ndarray
    committed: np.ndarray
    committed_confidence: np.ndarray
    predicted: np.ndarray
    predicted_confidence: np.ndarray
    nfe: int
    elapsed: float
    top_ids: np.ndarray | None = None
    top_probs: np.ndarray | None = None
    remasked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def to_dict(self) -> dict:
        d = {
            "step": self.step, "block": self.block, "nfe": self.nfe, "elapsed": round(self.elapsed, 6),
            "tokens": self.tokens.tolist(), "committed": self.committed.tolist(),
            "committed_confidence": [round(float(c), 5) for c in self.committed_confidence],
            "predicted": self.predicted.tolist(),
            "predicted_confidence": [round(float(c), 5) for c in self.predicted_confidence],
        }
        if self.top_ids is not None:
            d["top_ids"] = self.top_ids.tolist()
            d["top_probs"] = np.round(self.top_probs.astype(np.float32), 4).tolist()
        if len(self.remasked):
            d["remasked"] = self.remasked.tolist()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> StepRecord:
        return cls(
            step=d["step"], block=d["block"], nfe=d["nfe"], elapsed=d["elapsed"],
            tokens=np.asarray(d["tokens"], dtype=np.int32),
            committed=np.asarray(d["committed"], dtype=np.int32),
            committed_confidence=np.asarray(d["committed_confidence"], dtype=np.float32),
            predicted=np.asarray(d["predicted"], dtype=np.int32),
            predicted_confidence=np.asarray(d["predicted_confidence"], dtype=np.float32),
            top_ids=None if d.get("top_ids") is None else np.asarray(d["top_ids"], dtype=np.int32).reshape(
                len(d["top_ids"]), -1),
            top_probs=None if d.get("top_probs") is None else np.asarray(d["top_probs"], dtype=np.float16).reshape(
                len(d["top_probs"]), -1),
            remasked=np.asarray(d.get("remasked", []), dtype=np.int32),
        )


@dataclass
class Trace:
    """A whole run: the prompt, the settings and every step. Views are functions of this.

    `texts` maps every token id that appears (answers and guesses) to its text, so a trace
    can be drawn or exported without the tokenizer. `kind` is "diffusion" or "autoregressive".
    A byte-level token may hold part of a character: its `texts` entry then shows the bytes as <0xNN> and
    `raw_bytes` keeps the bytes, so text is decoded from a whole run of ids (`decode`), never joined per token.
    """

    prompt_ids: np.ndarray
    settings: SamplingSettings
    mask_id: int
    stop_ids: tuple[int, ...]
    steps: list[StepRecord] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    raw_bytes: dict[int, bytes] = field(default_factory=dict)  # only tokens that are not whole characters alone
    model_name: str = ""
    device: str = ""
    kind: str = "diffusion"
    finished: bool = False
    initial: np.ndarray | None = None  # the answer before step 1 when it was partly written (infilling)
    stop_reason: str = ""  # why an unfinished run ended early ("stopped", "time budget"); "" otherwise
    # A branch: where it came from. {"step": k (the parent's state after k steps), "edits": {answer position:
    # token id the person put there, the mask id for a mask put back}, "parent": a short description}.
    origin: dict | None = None

    def stopped_text(self) -> str:
        """"stopped at step k of N" (with why) for a run that ended early, else ""."""
        if not self.stop_reason or self.finished:
            return ""
        why = " (time budget)" if self.stop_reason == "time budget" else ""
        return f"stopped{why} at step {len(self.steps)} of {self.settings.steps}"

    @property
    def gen_length(self) -> int:
        return self.settings.gen_length

    def initial_answer(self) -> np.ndarray:
        """The answer before the first step: all [MASK], or the given template when infilling."""
        if self.initial is not None:
            return self.initial
        return np.full(self.gen_length, self.mask_id, dtype=np.int32)

    @property
    def answer_ids(self) -> np.ndarray:
        """The answer's ids after the last recorded step (the initial answer before the first)."""
        if not self.steps:
            return self.initial_answer()
        return self.steps[-1].tokens

    @property
    def sequence(self) -> torch.LongTensor:
        """Prompt and answer ids, [L + gen_length], as the official generate() returns them."""
        return torch.from_numpy(np.concatenate([self.prompt_ids, self.answer_ids]).astype(np.int64))

    @property
    def nfe(self) -> int:
        return self.steps[-1].nfe if self.steps else 0

    @property
    def elapsed(self) -> float:
        return self.steps[-1].elapsed if self.steps else 0.0

    def answer_end(self) -> int:
        """Index of the first EOS/EOT in the answer (the answer text stops there), else its length."""
        return answer_end(self.answer_ids, self.stop_ids)

    def answer_token_ids(self) -> list[int]:
        """Committed answer ids up to the first EOS/EOT (not included), masks left out."""
        return cut_at_stop(self.answer_ids, self.stop_ids, keep_stop=False, mask_id=self.mask_id).ids

    def token_bytes(self, token: int) -> bytes:
        """The bytes token `token` stands for (its text's, unless it is part of a character)."""
        raw = self.raw_bytes.get(int(token))
        return raw if raw is not None else self.texts.get(int(token), "").encode("utf-8", "surrogatepass")

    def decode(self, ids) -> str:
        """The text of `ids` decoded as a whole: a character split over several tokens comes out whole."""
        return decode([self.token_bytes(int(i)) for i in ids])

    def answer_text(self) -> str:
        return self.decode(self.answer_token_ids())

    def commit_steps(self) -> np.ndarray:
        """Per answer position, the step that committed it (-1 while masked)."""
        result = np.full(self.gen_length, -1, dtype=np.int32)
        for record in self.steps:
            result[record.committed] = record.step
        return result

    def tokens_before(self, index: int) -> np.ndarray:
        """The answer's ids before step `index` (0-based into `steps`): the initial answer for the first."""
        return self.steps[index - 1].tokens if index > 0 else self.initial_answer()

    def candidates(self, index: int, position: int) -> tuple[int, list[tuple[int, float]]] | None:
        """What the model was choosing between at answer `position` as of step `index` (0-based).

        While the position is masked, its top-k at that step; once committed, the top-k of the step that
        committed it (the choice it made). Returns (the step whose candidates these are, [(id, p), ...]),
        or None when the trace kept no candidates there (autoregressive runs, given tokens, old traces).
        """
        index = min(max(index, 0), len(self.steps) - 1) if self.steps else -1
        for source in range(index, -1, -1):  # the latest step at or before `index` where it was masked
            record = self.steps[source]
            masked = np.flatnonzero(self.tokens_before(source) == self.mask_id)
            row = np.searchsorted(masked, position)
            if row < len(masked) and masked[row] == position:
                if record.top_ids is None:
                    return None
                pairs = zip(record.top_ids[row].tolist(), record.top_probs[row].astype(np.float32).tolist())
                return source, [(int(i), float(p)) for i, p in pairs]
        return None

    def commit_confidences(self) -> np.ndarray:
        """Per answer position, the model's probability of its token when committed (NaN while masked)."""
        result = np.full(self.gen_length, np.nan, dtype=np.float32)
        for record in self.steps:
            result[record.committed] = record.committed_confidence
        return result

    def prefix(self, count: int) -> Trace:
        """The same run seen after its first `count` steps (for replay and streaming)."""
        return Trace(
            prompt_ids=self.prompt_ids, settings=self.settings, mask_id=self.mask_id, stop_ids=self.stop_ids,
            steps=self.steps[:count], texts=self.texts, raw_bytes=self.raw_bytes, model_name=self.model_name, device=self.device,
            kind=self.kind, finished=self.finished and count >= len(self.steps), initial=self.initial,
            stop_reason=self.stop_reason, origin=self.origin,
        )

    def to_dict(self) -> dict:
        d = {
            "format": "llada-demo-trace/1", "kind": self.kind, "model_name": self.model_name,
            "device": self.device, "settings": self.settings.to_dict(), "mask_id": self.mask_id,
            "stop_ids": list(self.stop_ids), "prompt_ids": self.prompt_ids.tolist(), "finished": self.finished,
            "stop_reason": self.stop_reason, "texts": {str(k): v for k, v in self.texts.items()},
            "initial": None if self.initial is None else self.initial.tolist(),
            "steps": [record.to_dict() for record in self.steps],
        }
        if self.raw_bytes:  # only traces with split characters carry it: other traces' JSON is unchanged
            d["raw_bytes"] = {str(k): v.hex() for k, v in self.raw_bytes.items()}
        if self.origin is not None:  # only branches carry it: other traces' JSON is unchanged
            d["origin"] = {**self.origin, "edits": {str(k): int(v) for k, v in self.origin["edits"].items()}}
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict) -> Trace:
        from .sampling.settings import SamplingSettings

        return cls(
            prompt_ids=np.asarray(d["prompt_ids"], dtype=np.int32),
            settings=SamplingSettings(**d["settings"]), mask_id=d["mask_id"], stop_ids=tuple(d["stop_ids"]),
            steps=[StepRecord.from_dict(s) for s in d["steps"]],
            texts={int(k): v for k, v in d["texts"].items()},
            raw_bytes={int(k): bytes.fromhex(v) for k, v in d.get("raw_bytes", {}).items()}, model_name=d.get("model_name", ""),
            device=d.get("device", ""), kind=d.get("kind", "diffusion"), finished=d.get("finished", False),
            stop_reason=d.get("stop_reason", ""),
            initial=None if d.get("initial") is None else np.asarray(d["initial"], dtype=np.int32),
            origin=_origin(d.get("origin")),
        )

    @classmethod
    def from_json(cls, text: str) -> Trace:
        return cls.from_dict(json.loads(text))


def _origin(d: dict | None) -> dict | None:
    """A branch's origin read back from JSON (edit positions are JSON object keys, so text there)."""
    if d is None:
        return None
    return {**d, "step": int(d["step"]), "edits": {int(k): int(v) for k, v in d.get("edits", {}).items()}}
