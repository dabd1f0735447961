"""A random-weight tiny LLaDA with a real tokenizer, made on the fly (no network): for tests and fallbacks."""

from __future__ import annotations

from functools import lru_cache

import torch

from .configuration_llada import LLaDAConfig
from .modeling_llada import LLaDAModelLM
from .tokenizer import special_ids

# A few sentences to train a byte-level BPE on: any text still encodes (bytes are the fallback).
_TOKENIZER_TEXT = [
    "Once upon a time, there was a little girl named Lily. She liked to play in the park with her dog.",
    "One day, Tom found a big red ball under the tree. He was very happy and shared it with his friends.",
    "The sun was warm and the birds sang. Mom said, \"Be careful!\" and they all laughed together.",
    "Write a story about a cat and a boat. Continue this story: The moon was bright.",
]


@lru_cache(maxsize=4)
def _tokenizer(vocab_size: int):
    from .tokenizer_training import train_tokenizer

    return train_tokenizer(_TOKENIZER_TEXT * 4, vocab_size=vocab_size)


def random_tiny(seed: int = 0, d_model: int = 64, n_layers: int = 2, n_heads: int = 4, vocab_size: int = 320,
                max_sequence_length: int = 1024):
    """(model, tokenizer): an untrained LLaDA of the real architecture, deterministic for a seed."""
    tokenizer = _tokenizer(vocab_size)
    ids = special_ids(tokenizer)
    config = LLaDAConfig(
        d_model=d_model, n_heads=n_heads, n_layers=n_layers, mlp_hidden_size=2 * d_model,
        vocab_size=len(tokenizer), embedding_size=len(tokenizer), max_sequence_length=max_sequence_length,
        mask_token_id=ids.mask, eos_token_id=ids.eos, pad_token_id=ids.eos, bos_token_id=ids.bos,
        eot_token_id=ids.eot, rope_theta=10000.0, init_std=0.5,
    )
    torch.manual_seed(seed)
    model = LLaDAModelLM(config).eval()
    return model, tokenizer


def random_tiny_autoregressive(seed: int = 0, d_model: int = 64, n_layers: int = 2, n_heads: int = 4,
                               vocab_size: int = 320, max_sequence_length: int = 1024):
    """(model, tokenizer): an untrained causal LM twin (transformers' Llama) with the same tokenizer."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = _tokenizer(vocab_size)
    ids = special_ids(tokenizer)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=d_model, intermediate_size=2 * d_model, num_hidden_layers=n_layers,
        num_attention_heads=n_heads, num_key_value_heads=n_heads, max_position_embeddings=max_sequence_length,
        bos_token_id=ids.bos, eos_token_id=ids.eos, pad_token_id=ids.eos, tie_word_embeddings=False,
        rope_theta=10000.0, initializer_range=0.5,
    )
    config.mask_token_id = ids.mask  # traces draw not-yet-written positions as masked
    config.eot_token_id = ids.eot
    torch.manual_seed(seed)
    return LlamaForCausalLM(config).eval(), tokenizer
