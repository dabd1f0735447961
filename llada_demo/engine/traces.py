"""Runs as growing Traces: the empty trace of a run (token texts included), and one grow_trace() for every caller."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from ..characters import is_whole, readable
from ..models.device import describe_device
from ..models.registry import LoadedModel
from ..models.tokenizer import chat_prompt_ids, token_bytes
from ..sampling import SamplingSettings, new_trace
from ..sampling.autoregressive import new_autoregressive_trace
from ..trace import StepRecord, Trace
from . import zerogpu


def add_token_texts(trace: Trace, tokenizer, arrays) -> None:
    """Give the trace the text of every token id it now holds (only ids not seen before are read), and the bytes
    of those that are part of a character, so the trace decodes runs of ids as a whole."""
    ids = np.unique(np.concatenate([np.asarray(a).ravel() for a in arrays]))
    missing = [int(i) for i in ids if int(i) not in trace.texts and int(i) >= 0]
    for index, piece in zip(missing, token_bytes(tokenizer, missing)):
        trace.texts[index] = readable(piece)
        if not is_whole(piece):
            trace.raw_bytes[index] = piece


def add_texts(trace: Trace, tokenizer, *arrays) -> None:
    """Decode the ids of `arrays` (and the mask and stop ids) the trace has no text for yet."""
    add_token_texts(trace, tokenizer, [*arrays, [trace.mask_id], list(trace.stop_ids)])


def diffusion_trace(loaded: LoadedModel, input_ids, settings: SamplingSettings, answer=None) -> Trace:
    """An empty diffusion trace that already knows the texts of its prompt, mask and stop tokens."""
    trace = new_trace(loaded.model, input_ids, settings, stop_ids=loaded.special.stops, answer=answer,
                      model_name=loaded.spec.name, device=describe_device(loaded.device))
    add_texts(trace, loaded.tokenizer, trace.prompt_ids, trace.initial_answer())
    return trace


def autoregressive_trace(loaded: LoadedModel, input_ids, settings: SamplingSettings) -> Trace:
    """An empty autoregressive trace, texts as for diffusion_trace."""
    trace = new_autoregressive_trace(loaded.model, input_ids, settings, mask_id=loaded.special.mask,
                                     stop_ids=loaded.special.stops, model_name=loaded.spec.name,
                                     device=describe_device(loaded.device))
    add_texts(trace, loaded.tokenizer, trace.prompt_ids, trace.initial_answer())
    return trace


def grow_trace(trace: Trace, records: Iterable[StepRecord], tokenizer) -> Iterator[Trace]:
    """Append each record (its token texts decoded) and yield the same trace after every step.

    The trace is marked finished once the records end; a consumer that stops early leaves it unfinished
    (a stopped run) and closes the records' generator when this one is closed.
    """
    try:
        for record in records:
            add_texts(trace, tokenizer, record.tokens, record.predicted,
                      *(() if record.top_ids is None else (record.top_ids,)))
            trace.steps.append(record)
            yield trace
        trace.finished = True
    finally:
        close = getattr(records, "close", None)
        if close:
            close()  # the sampler's cleanup (its tensors) now, not at garbage collection


def diffusion_run(loaded: LoadedModel, input_ids, settings: SamplingSettings, answer=None) -> Iterator[Trace]:
    """A diffusion run streamed as one growing trace; `answer` optionally starts it partly written ([MASK] to fill)."""
    trace = diffusion_trace(loaded, input_ids, settings, answer=answer)
    records = zerogpu.diffusion_records(loaded.model, input_ids, settings, answer=answer)
    return grow_trace(trace, records, loaded.tokenizer)


def autoregressive_run(loaded: LoadedModel, input_ids, settings: SamplingSettings) -> Iterator[Trace]:
    """An autoregressive run streamed as one growing trace (one token per step)."""
    trace = autoregressive_trace(loaded, input_ids, settings)
    records = zerogpu.autoregressive_records(loaded.model, input_ids, settings, mask_id=loaded.special.mask,
                                     stop_ids=loaded.special.stops)
    return grow_trace(trace, records, loaded.tokenizer)


def stream_trace(loaded: LoadedModel, input_ids, settings: SamplingSettings, answer=None,
                 forbid=None) -> Iterator[Trace]:
    """Yield the same Trace object after every step, then once more with `trace.finished = True`.

    `answer` starts the answer partly written; `forbid` ({position: token ids}) as for `sampling.iterate`."""
    trace = diffusion_trace(loaded, input_ids, settings, answer=answer)
    records = zerogpu.diffusion_records(loaded.model, input_ids, settings, answer=answer, forbid=forbid)
    yield from grow_trace(trace, records, loaded.tokenizer)
    yield trace


def chat_trace(loaded: LoadedModel, messages: list[dict], settings: SamplingSettings,
               answer=None) -> Iterator[Trace]:
    """Stream the answer to a multi-turn history (list of {"role", "content"}); `answer` as for diffusion_run."""
    return stream_trace(loaded, chat_prompt_ids(loaded.tokenizer, messages), settings, answer=answer)
