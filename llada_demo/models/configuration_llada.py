"""LLaDAConfig: the official LLaDA config.json fields, read as they are, for transformers 5.x."""

from transformers import PretrainedConfig


class LLaDAConfig(PretrainedConfig):
    """Configuration of a LLaDA (OLMo-style, bidirectional) Transformer.

    Field names follow the official `GSAI-ML/LLaDA-8B-Instruct` config.json, so that file
    loads unchanged; fields this implementation does not use (alibi, init_fn, ...) are kept
    as plain attributes by `PretrainedConfig` and written back on save.
    """

    model_type = "llada"
    keys_to_ignore_at_inference = ["past_key_values"]
    # transformers utilities (device_map sizing, generation helpers) look for these names.
    attribute_map = {"hidden_size": "d_model", "num_hidden_layers": "n_layers", "num_attention_heads": "n_heads"}

    def __init__(
        self,
        d_model: int = 4096,
        n_heads: int = 32,
        n_kv_heads: int | None = None,
        n_layers: int = 32,
        mlp_hidden_size: int | None = 12288,
        mlp_ratio: int = 4,
        vocab_size: int = 126464,
        embedding_size: int | None = 126464,
        max_sequence_length: int = 4096,
        rope: bool = True,
        rope_theta: float = 500000.0,
        rms_norm_eps: float = 1e-5,
        layer_norm_type: str = "rms",
        block_type: str = "llama",
        activation_type: str = "silu",
        include_bias: bool = False,
        include_qkv_bias: bool = False,
        weight_tying: bool = False,
        mask_token_id: int = 126336,
        eos_token_id: int = 126081,
        pad_token_id: int = 126081,
        bos_token_id: int | None = None,
        eot_token_id: int | None = None,
        init_std: float = 0.02,
        use_cache: bool = False,
        **kwargs,
    ):
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_kv_heads = n_kv_heads if n_kv_heads is not None else n_heads
        self.n_layers = n_layers
        self.mlp_ratio = mlp_ratio
        self.mlp_hidden_size = mlp_hidden_size if mlp_hidden_size is not None else mlp_ratio * d_model
        self.vocab_size = vocab_size
        self.embedding_size = embedding_size if embedding_size is not None else vocab_size
        self.max_sequence_length = max_sequence_length
        self.rope = rope
        self.rope_theta = rope_theta
        self.rms_norm_eps = rms_norm_eps
        self.layer_norm_type = layer_norm_type
        self.block_type = block_type
        self.activation_type = activation_type
        self.include_bias = include_bias
        self.include_qkv_bias = include_qkv_bias
        self.weight_tying = weight_tying
        self.mask_token_id = mask_token_id
        self.eot_token_id = eot_token_id
        self.init_std = init_std
        self.use_cache = use_cache
        # PretrainedConfig ties input and output embeddings by default; LLaDA says so in weight_tying.
        kwargs["tie_word_embeddings"] = weight_tying
        super().__init__(
            eos_token_id=eos_token_id, pad_token_id=pad_token_id, bos_token_id=bos_token_id, **kwargs
        )
        if block_type != "llama" or layer_norm_type != "rms" or activation_type != "silu" or not rope:
            raise ValueError(
                "This native LLaDA implementation supports the released LLaDA architecture only "
                "(block_type 'llama', rms norm, silu, rope)."
            )
        if self.d_model % self.n_heads or self.n_heads % self.n_kv_heads:
            raise ValueError("d_model must be divisible by n_heads, and n_heads by n_kv_heads.")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads
