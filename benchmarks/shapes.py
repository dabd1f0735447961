"""Model shapes the benchmark can build with random weights (speed does not depend on weight values)."""

import torch
from transformers import LlamaConfig

from llada_demo.models import LLaDAConfig

SHAPES = {
    # GSAI-ML/LLaDA-8B-Instruct's config.json dimensions (REFERENCE.md).
    "llada-8b": dict(d_model=4096, n_heads=32, n_kv_heads=32, n_layers=32, mlp_hidden_size=12288,
                     vocab_size=126464, embedding_size=126464, mask_token_id=126336, eos_token_id=126081,
                     pad_token_id=126081, max_sequence_length=4096, rope_theta=500000.0),
    # The embedded teaching model's dimensions.
    "embedded": dict(d_model=256, n_heads=4, n_layers=8, mlp_hidden_size=768, vocab_size=4096, embedding_size=4096,
                     mask_token_id=2, eos_token_id=1, pad_token_id=1, max_sequence_length=1024),
    "tiny": dict(d_model=64, n_heads=4, n_layers=2, mlp_hidden_size=128, vocab_size=320, embedding_size=320,
                 mask_token_id=2, eos_token_id=1, pad_token_id=1, max_sequence_length=1024),
}

# The autoregressive baseline for each diffusion shape: Llama-3-8B (its public config.json) for the 8B
# shape, the same-size LlamaForCausalLM twin for the small ones.
LLAMA_3_8B = dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                  num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0,
                  rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=128000, eos_token_id=128009)


def shape_config(name: str) -> LLaDAConfig:
    return LLaDAConfig(**SHAPES[name])


def autoregressive_config(name: str) -> tuple[str, LlamaConfig]:
    """(label, config) of the autoregressive baseline for diffusion shape `name`."""
    if name == "llada-8b":
        return "llama-3-8b", LlamaConfig(**LLAMA_3_8B)
    from training.autoregressive import twin_config

    return f"{name} (autoregressive twin)", twin_config(shape_config(name))


def random_model(model_class, config, device: torch.device, dtype: torch.dtype):
    """A model with seeded random weights, built directly on `device` in `dtype` (an 8B model never
    touches host memory, and never exists in fp32)."""
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = model_class(config)
    finally:
        torch.set_default_dtype(previous)
    return model.eval()
