"""Model shapes the benchmark can build with random weights (speed does not depend on weight values)."""

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


def shape_config(name: str) -> LLaDAConfig:
    return LLaDAConfig(**SHAPES[name])
