"""The autoregressive generator: greedy equals transformers' generate(), stops pad with EOS, records match."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from llada_demo.errors import SettingsError
from llada_demo.sampling.autoregressive import autoregressive_generate, autoregressive_settings, iterate_autoregressive
from llada_demo.trace import StepRecord, Trace

EOS, MASK, EOT = 1, 2, 5


@pytest.fixture(scope="module")
def llama():
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         tie_word_embeddings=False, bos_token_id=0, eos_token_id=EOS, pad_token_id=EOS,
                         mask_token_id=MASK, eot_token_id=EOT, initializer_range=0.5)
    torch.manual_seed(0)
    return LlamaForCausalLM(config).eval()


PROMPT = torch.tensor([[0, 7, 9, 11, 13]])


def reference(model, length, stops):
    output = model.generate(PROMPT, max_new_tokens=length, do_sample=False, eos_token_id=list(stops),
                            pad_token_id=EOS, attention_mask=torch.ones_like(PROMPT))
    return output[0, PROMPT.shape[1]:].tolist()


def unused_ids(model, count=2):
    """Ids the seeded model does not produce in 24 greedy steps: stops that let the whole length run."""
    answer = autoregressive_generate(model, PROMPT, 24, stop_ids=(MASK,)).answer_ids.tolist()
    assert MASK not in answer
    return tuple(i for i in range(10, 64) if i not in answer)[:count]


def test_greedy_equals_transformers_generate(llama):
    stops = unused_ids(llama)
    trace = autoregressive_generate(llama, PROMPT, 24, stop_ids=stops)
    expected = reference(llama, 24, stops)
    assert len(expected) == 24 and trace.answer_ids.tolist() == expected
    assert len(trace.steps) == 24 and trace.nfe == 24 and trace.kind == "autoregressive"


def test_stop_token_ends_the_run_and_pads_with_eos(llama):
    free_run = autoregressive_generate(llama, PROMPT, 24, stop_ids=unused_ids(llama)).answer_ids.tolist()
    stop = free_run[3]
    first = free_run.index(stop)
    trace = autoregressive_generate(llama, PROMPT, 24, stop_ids=(stop,))
    answer = trace.answer_ids.tolist()
    assert answer[: first + 1] == free_run[: first + 1] and answer[first + 1:] == [EOS] * (23 - first)
    assert reference(llama, 24, (stop,)) == answer[: first + 1]  # generate() stops at the same token
    assert len(trace.steps) == first + 1 and trace.answer_end() == first
    last = trace.steps[-1]
    assert last.committed.tolist() == list(range(first, 24)) and np.all(last.committed_confidence[1:] == 1.0)
    assert (trace.commit_steps() >= 0).all()


def test_records_have_the_diffusion_format(llama):
    settings = autoregressive_settings(8)
    assert (settings.steps, settings.block_length) == (8, 1)
    records = list(iterate_autoregressive(llama, PROMPT, settings, stop_ids=unused_ids(llama, 1)))
    for index, record in enumerate(records):
        assert isinstance(record, StepRecord) and record.step == index and record.block == index
        assert record.tokens.shape == (8,) and record.tokens.dtype == np.int32
        assert (record.tokens[index + 1:] == MASK).all() and (record.tokens[: index + 1] != MASK).all()
        assert record.committed.tolist() == [index]
        assert 0 < record.committed_confidence[0] <= 1
        assert record.predicted.shape == (8,) and record.predicted_confidence.dtype == np.float32
        assert record.predicted[index] == record.tokens[index]  # greedy: the guess is the token
    stops = unused_ids(llama, 1)
    trace = Trace.from_json(autoregressive_generate(llama, PROMPT, settings, stop_ids=stops).to_json())
    assert trace.kind == "autoregressive" and trace.mask_id == MASK and trace.stop_ids == stops


def test_default_ids_come_from_the_config(llama):
    trace = autoregressive_generate(llama, PROMPT, 4)
    assert trace.mask_id == MASK and trace.stop_ids == (EOS, EOT)


def test_sampling_is_seeded(llama):
    stops = unused_ids(llama, 1)
    runs = [autoregressive_generate(llama, PROMPT, autoregressive_settings(16, 1.0, seed), stop_ids=stops)
            for seed in (3, 3, 4)]
    assert runs[0].answer_ids.tolist() == runs[1].answer_ids.tolist()
    assert runs[0].answer_ids.tolist() != runs[2].answer_ids.tolist()


def test_kv_cache_feeds_one_token_per_step(llama):
    stops, lengths = unused_ids(llama, 1), []
    hook = llama.model.embed_tokens.register_forward_hook(lambda module, args, out: lengths.append(args[0].shape[1]))
    try:
        autoregressive_generate(llama, PROMPT, 6, stop_ids=stops)
    finally:
        hook.remove()
    assert lengths == [PROMPT.shape[1]] + [1] * 5


def test_too_long_is_a_settings_error(llama):
    with pytest.raises(SettingsError, match="context"):
        autoregressive_generate(llama, PROMPT, 60)
