"""Native LLaDA Transformer: bidirectional attention, official parameter names, no remote code."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.utils import ModelOutput

from .configuration_llada import LLaDAConfig


@dataclass
class LLaDAOutput(ModelOutput):
    """Logits, plus the fed positions' keys/values per layer when `use_cache=True`."""

    logits: torch.Tensor | None = None
    past_key_values: tuple | None = None


class RMSNorm(nn.Module):
    """OLMo's RMS layer norm: normalise in float32, cast back, then scale."""

    def __init__(self, size: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotary_tables(positions: torch.Tensor, head_dim: int, theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin tables of shape [L, head_dim] in float32 (LLaDA applies RoPE in full precision)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=positions.device, dtype=torch.float32) / head_dim))
    freqs = torch.outer(positions.float(), inv_freq)
    angles = torch.cat((freqs, freqs), dim=-1)
    return angles.cos(), angles.sin()


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate-half RoPE on [B, H, L, D], computed in float32 and cast back."""
    xf = x.float()
    x1, x2 = xf.chunk(2, dim=-1)
    rotated = torch.cat((-x2, x1), dim=-1)
    return (xf * cos + rotated * sin).to(x.dtype)


class LLaDABlock(nn.Module):
    """One pre-norm Llama-style block with the official LLaDA parameter names."""

    def __init__(self, config: LLaDAConfig):
        super().__init__()
        d, kv = config.d_model, config.n_kv_heads * config.head_dim
        bias = config.include_bias or config.include_qkv_bias
        self.n_heads, self.n_kv_heads, self.head_dim = config.n_heads, config.n_kv_heads, config.head_dim
        self.attn_norm = RMSNorm(d, config.rms_norm_eps)
        self.ff_norm = RMSNorm(d, config.rms_norm_eps)
        self.q_proj = nn.Linear(d, d, bias=bias)
        self.k_proj = nn.Linear(d, kv, bias=bias)
        self.v_proj = nn.Linear(d, kv, bias=bias)
        self.attn_out = nn.Linear(d, d, bias=config.include_bias)
        self.ff_proj = nn.Linear(d, config.mlp_hidden_size, bias=config.include_bias)  # gate (silu)
        self.up_proj = nn.Linear(d, config.mlp_hidden_size, bias=config.include_bias)
        self.ff_out = nn.Linear(config.mlp_hidden_size, d, bias=config.include_bias)
        self.fused = None  # (qkv weight, qkv bias, gate-up weight) once fuse() ran

    @torch.no_grad()
    def fuse(self) -> None:
        """Inference: one matmul for q/k/v and one for gate/up (fewer, larger kernels).

        The fused tensors are built once; the original parameters become views into them, so
        memory does not grow and the official names still address the same numbers.
        """
        if self.fused is not None:
            return
        projections = (self.q_proj, self.k_proj, self.v_proj)
        qkv = torch.cat([p.weight for p in projections])
        qkv_bias = torch.cat([p.bias for p in projections]) if self.q_proj.bias is not None else None
        gate_up = torch.cat([self.ff_proj.weight, self.up_proj.weight])
        rows = 0
        for p in projections:
            size = p.weight.shape[0]
            p.weight = nn.Parameter(qkv[rows:rows + size], requires_grad=False)
            if qkv_bias is not None:
                p.bias = nn.Parameter(qkv_bias[rows:rows + size], requires_grad=False)
            rows += size
        hidden = self.ff_proj.weight.shape[0]
        self.ff_proj.weight = nn.Parameter(gate_up[:hidden], requires_grad=False)
        self.up_proj.weight = nn.Parameter(gate_up[hidden:], requires_grad=False)
        self.fused = (qkv, qkv_bias, gate_up)

    def _apply(self, fn, *args, **kwargs):
        # Moving or casting gives every parameter its own storage again: drop the fused copies (fuse() again after).
        self.fused = None
        return super()._apply(fn, *args, **kwargs)

    def _qkv(self, h):
        if self.fused is None:
            return self.q_proj(h), self.k_proj(h), self.v_proj(h)
        kv = self.k_proj.weight.shape[0]
        return F.linear(h, self.fused[0], self.fused[1]).split((self.q_proj.weight.shape[0], kv, kv), dim=-1)

    def _mlp(self, h):
        if self.fused is None or self.ff_proj.bias is not None:
            return self.ff_out(F.silu(self.ff_proj(h)) * self.up_proj(h))
        gate, up = F.linear(h, self.fused[2]).chunk(2, dim=-1)
        return self.ff_out(F.silu(gate) * up)

    def forward(self, x, cos, sin, key_mask=None, past=None):
        batch, length, _ = x.shape
        h = self.attn_norm(x)
        q, k, v = self._qkv(h)
        q = q.view(batch, length, self.n_heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, length, self.n_kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, length, self.n_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        present = (k, v)
        if past is not None:  # cached keys/values of positions not fed this time (already rotated)
            k, v = torch.cat((past[0], k), dim=2), torch.cat((past[1], v), dim=2)
        attn = F.scaled_dot_product_attention(
            q, k, v, attn_mask=key_mask, is_causal=False, enable_gqa=self.n_kv_heads != self.n_heads
        )
        x = x + self.attn_out(attn.transpose(1, 2).reshape(batch, length, -1))
        x = x + self._mlp(self.ff_norm(x))
        return x, present


class LLaDAModel(nn.Module):
    """The `model` submodule of the official checkpoint: `transformer.{wte, blocks, ln_f, ff_out}`."""

    def __init__(self, config: LLaDAConfig):
        super().__init__()
        self.config = config
        modules = dict(
            wte=nn.Embedding(config.embedding_size, config.d_model),
            blocks=nn.ModuleList(LLaDABlock(config) for _ in range(config.n_layers)),
            ln_f=RMSNorm(config.d_model, config.rms_norm_eps),
        )
        if not config.weight_tying:
            modules["ff_out"] = nn.Linear(config.d_model, config.embedding_size, bias=config.include_bias)
        self.transformer = nn.ModuleDict(modules)


class LLaDAModelLM(PreTrainedModel):
    """LLaDA mask predictor: `model(input_ids).logits` scores every vocabulary entry at every position.

    Attention is fully bidirectional. Optional extras, all used by the samplers:
    `attention_mask` ([B, L] 1 = real token, 0 = padding), `position_ids`, `past_key_values`
    (per-layer (K, V) of positions not fed in this call, e.g. a cached prefix), `use_cache`
    (return this call's K/V), and `logits_positions` (compute the output head only there).
    """

    config_class = LLaDAConfig
    base_model_prefix = "model"
    main_input_name = "input_ids"
    _no_split_modules = ["LLaDABlock"]
    _supports_sdpa = True

    def __init__(self, config: LLaDAConfig):
        super().__init__(config)
        self.model = LLaDAModel(config)
        self.post_init()

    @property
    def mask_token_id(self) -> int:
        return self.config.mask_token_id

    def _init_weights(self, module):
        std = self.config.init_std
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, RMSNorm):
            nn.init.ones_(module.weight)

    def fuse_projections(self) -> LLaDAModelLM:
        """Fuse q/k/v and gate/up projections in every block, for inference (see LLaDABlock.fuse)."""
        for block in self.model.transformer.blocks:
            block.fuse()
        return self

    def get_input_embeddings(self):
        return self.model.transformer.wte

    def output_weight(self) -> torch.Tensor:
        transformer = self.model.transformer
        return transformer.wte.weight if self.config.weight_tying else transformer.ff_out.weight

    def forward(
        self,
        input_ids: torch.LongTensor,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        past_key_values: tuple | None = None,
        use_cache: bool = False,
        logits_positions: torch.Tensor | slice | None = None,
        **_unused,
    ) -> LLaDAOutput:
        transformer = self.model.transformer
        past_length = past_key_values[0][0].shape[2] if past_key_values else 0
        if position_ids is None:
            position_ids = torch.arange(past_length, past_length + input_ids.shape[1], device=input_ids.device)
        elif position_ids.dim() == 2:
            position_ids = position_ids[0]  # one position layout for the whole batch
        cos, sin = rotary_tables(position_ids, self.config.head_dim, self.config.rope_theta)
        key_mask = None
        if attention_mask is not None:
            # [B, L_keys] padding mask -> boolean [B, 1, 1, L_keys]; queries on padding still see real keys.
            key_mask = attention_mask.to(torch.bool)[:, None, None, :]
        x = transformer.wte(input_ids)
        presents = []  # kept only when asked: 32 layers of K/V at 1,088 tokens are 0.5 GB on LLaDA-8B
        for index, block in enumerate(transformer.blocks):
            x, present = block(x, cos, sin, key_mask, past_key_values[index] if past_key_values else None)
            if use_cache:  # V may be a view into the fused q/k/v output: copy it so that output can be freed
                presents.append((present[0], present[1].contiguous()))
        if logits_positions is not None:
            x = x[:, logits_positions]
        logits = F.linear(transformer.ln_f(x), self.output_weight())
        return LLaDAOutput(logits=logits, past_key_values=tuple(presents) if use_cache else None)
