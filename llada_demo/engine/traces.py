"""Run a prompt or chat turn on a loaded model, streaming one growing Trace (token texts included)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .models.registry import LoadedModel
from .models.device import describe_device
from .models.tokenizer import chat_prompt_ids
from .sampling import SamplingSettings, new_trace
from .zerogpu import gpu_iterate
from .trace import Trace


def add_token_texts(trace: Trace, tokenizer, arrays) -> None:
    """Give the trace the text of every token id it now holds (only ids not seen before are decoded)."""
    ids = np.unique(np.concatenate([np.asarray(a).ravel() for a in arrays]))
    missing = [int(i) for i in ids if int(i) not in trace.texts]
    for index in missing:
        trace.texts[index] = tokenizer.decode([index], skip_special_tokens=False)


def stream_trace(loaded: LoadedModel, input_ids, settings: SamplingSettings, answer=None) -> Iterator[Trace]:
    """Yield the same Trace object after every step; it ends with `trace.finished = True`.

    `answer` optionally starts the answer partly written ([MASK] where to fill), for infilling.
    """
    trace = new_trace(loaded.model, input_ids, settings, stop_ids=loaded.special.stops, answer=answer,
                      model_name=loaded.spec.name, device=describe_device(loaded.device))
    add_token_texts(trace, loaded.tokenizer, [trace.prompt_ids, trace.initial_answer(), [trace.mask_id],
                                         list(trace.stop_ids)])
    for record in gpu_iterate(loaded.model, input_ids, settings, answer=answer):
        add_token_texts(trace, loaded.tokenizer, [record.tokens, record.predicted])
        trace.steps.append(record)
        yield trace
    trace.finished = True
    yield trace


def chat_trace(loaded: LoadedModel, messages: list[dict], settings: SamplingSettings) -> Iterator[Trace]:
    """Stream the answer to a multi-turn history (list of {"role", "content"})."""
    return stream_trace(loaded, chat_prompt_ids(loaded.tokenizer, messages), settings)
