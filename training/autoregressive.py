"""The autoregressive twin: a LlamaForCausalLM shaped like the diffusion model, and its next-token losses."""

from __future__ import annotations

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from llada_demo.models.configuration_llada import LLaDAConfig

IGNORE = -100  # transformers' "no loss here" label


def twin_config(config: LLaDAConfig) -> LlamaConfig:
    """Same width, depth, heads, MLP, vocabulary, context, RoPE and init; untied embeddings like LLaDA.

    The two parameter lists then match one to one (causal attention is the only difference).
    `mask_token_id` / `eot_token_id` ride along so traces and stops read the same fields on both.
    """
    return LlamaConfig(
        vocab_size=config.embedding_size,
        hidden_size=config.d_model,
        intermediate_size=config.mlp_hidden_size,
        num_hidden_layers=config.n_layers,
        num_attention_heads=config.n_heads,
        num_key_value_heads=config.n_kv_heads,
        max_position_embeddings=config.max_sequence_length,
        rope_theta=config.rope_theta,
        rms_norm_eps=config.rms_norm_eps,
        initializer_range=config.init_std,
        attention_bias=config.include_bias or config.include_qkv_bias,
        mlp_bias=config.include_bias,
        tie_word_embeddings=False,
        bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
        mask_token_id=config.mask_token_id,
        eot_token_id=config.eot_token_id,
    )


def make_twin(config: LLaDAConfig) -> LlamaForCausalLM:
    return LlamaForCausalLM(twin_config(config))


def next_token_loss(model, input_ids: torch.LongTensor, labels: torch.LongTensor | None = None) -> torch.Tensor:
    """Mean cross-entropy of each labelled token given the ones before it (transformers shifts the labels)."""
    labels = input_ids if labels is None else labels
    return model(input_ids=input_ids, labels=labels, use_cache=False).loss


def sft_labels(input_ids: torch.LongTensor, prompt_lengths: torch.LongTensor,
               response_ends: torch.LongTensor) -> torch.LongTensor:
    """Labels for SFT: the answer and its `<|eot_id|>` only.

    The prompt is given, not predicted; the EOS padding after `<|eot_id|>` carries nothing an
    autoregressive model needs, since generation stops at `<|eot_id|>`.
    """
    positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None, :]
    answer = (positions >= prompt_lengths[:, None]) & (positions < response_ends[:, None])
    return torch.where(answer, input_ids, torch.full_like(input_ids, IGNORE))


def sft_loss(model, input_ids: torch.LongTensor, prompt_lengths: torch.LongTensor,
             response_ends: torch.LongTensor) -> torch.Tensor:
    return next_token_loss(model, input_ids, sft_labels(input_ids, prompt_lengths, response_ends))
