"""Native LLaDA model: official config and weight names, save/load round trip, padding mask."""

import json

import pytest
import torch
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModel

from llada_demo.models import LLaDAConfig, LLaDAModelLM

# The official GSAI-ML/LLaDA-8B-Instruct config.json fields (REFERENCE.md), shrunk in size only.
OFFICIAL_CONFIG = {
    "activation_type": "silu", "alibi": False, "alibi_bias_max": 8.0, "architectures": ["LLaDAModelLM"],
    "attention_dropout": 0.0, "attention_layer_norm": False, "attention_layer_norm_with_affine": True,
    "auto_map": {"AutoConfig": "configuration_llada.LLaDAConfig", "AutoModel": "modeling_llada.LLaDAModelLM",
                 "AutoModelForCausalLM": "modeling_llada.LLaDAModelLM"},
    "bias_for_layer_norm": False, "block_group_size": 1, "block_type": "llama", "d_model": 64,
    "embedding_dropout": 0.0, "embedding_size": 160, "eos_token_id": 126, "flash_attention": False,
    "include_bias": False, "include_qkv_bias": False, "init_cutoff_factor": None, "init_device": "meta",
    "init_fn": "mitchell", "init_std": 0.02, "input_emb_norm": False, "layer_norm_type": "rms",
    "layer_norm_with_affine": True, "mask_token_id": 150, "max_sequence_length": 4096,
    "mlp_hidden_size": 96, "mlp_ratio": 4, "model_type": "llada", "multi_query_attention": None,
    "n_heads": 4, "n_kv_heads": 4, "n_layers": 2, "pad_token_id": 126, "precision": "amp_bf16",
    "residual_dropout": 0.0, "rms_norm_eps": 1e-05, "rope": True, "rope_full_precision": True,
    "rope_theta": 500000.0, "scale_logits": False, "transformers_version": "4.46.3", "use_cache": False,
    "vocab_size": 160, "weight_tying": False,
}


def official_weight_names(n_layers):
    names = ["model.transformer.wte.weight", "model.transformer.ln_f.weight", "model.transformer.ff_out.weight"]
    for i in range(n_layers):
        names += [f"model.transformer.blocks.{i}.{p}.weight" for p in
                  ("q_proj", "k_proj", "v_proj", "attn_out", "ff_proj", "up_proj", "ff_out", "attn_norm", "ff_norm")]
    return sorted(names)


def test_parameter_names_are_the_official_ones(tiny):
    assert sorted(tiny[0].state_dict()) == official_weight_names(tiny[0].config.n_layers)


def test_official_folder_loads_without_remote_code(tmp_path):
    """A folder shaped like the hub checkpoint (config with auto_map, bf16 safetensors) loads natively."""
    (tmp_path / "config.json").write_text(json.dumps(OFFICIAL_CONFIG))
    torch.manual_seed(0)
    reference = LLaDAModelLM(LLaDAConfig(**{k: v for k, v in OFFICIAL_CONFIG.items() if k != "auto_map"}))
    weights = {k: v.to(torch.bfloat16).contiguous() for k, v in reference.state_dict().items()}
    save_file(weights, str(tmp_path / "model.safetensors"), metadata={"format": "pt"})

    config = AutoConfig.from_pretrained(tmp_path)  # no trust_remote_code: the local class is used
    assert isinstance(config, LLaDAConfig) and config.mask_token_id == 150 and config.n_kv_heads == 4
    model = AutoModel.from_pretrained(tmp_path, dtype=torch.float32)
    assert isinstance(model, LLaDAModelLM)
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, weights[name].float()), name


def test_save_load_round_trip_gives_identical_logits(tiny, tmp_path):
    model = tiny[0]
    model.save_pretrained(tmp_path)
    loaded = AutoModel.from_pretrained(tmp_path)
    x = torch.randint(0, model.config.vocab_size, (2, 13))
    with torch.no_grad():
        assert torch.equal(model(x).logits, loaded(x).logits)


def test_attention_is_bidirectional(tiny):
    model = tiny[0]
    x = torch.randint(0, 100, (1, 10))
    changed = x.clone()
    changed[0, -1] = (x[0, -1] + 1) % 100
    with torch.no_grad():
        # A causal model's first position would not see the last token; LLaDA's does.
        assert not torch.allclose(model(x).logits[0, 0], model(changed).logits[0, 0])


def test_padding_mask_hides_padded_keys(tiny):
    model = tiny[0]
    x = torch.randint(0, 100, (1, 10))
    padded = torch.cat([x, torch.zeros(1, 4, dtype=torch.long)], dim=1)
    mask = torch.cat([torch.ones(1, 10), torch.zeros(1, 4)], dim=1)
    with torch.no_grad():
        plain = model(x).logits
        masked = model(padded, attention_mask=mask).logits[:, :10]
        unmasked = model(padded).logits[:, :10]
    # Padding changes the kernels' blocking, so float32 sums round differently (~3e-5 on logits of ~15
    # seen on an AMD EPYC); a visible padded key changes them by ~10.
    assert torch.allclose(plain, masked, atol=1e-4)
    assert not torch.allclose(plain, unmasked, atol=1e-2)


def test_cached_prefix_keys_reproduce_the_full_forward(tiny):
    """Feeding only the suffix, with the prefix's K/V taken from a full forward, gives the same logits."""
    model = tiny[0]
    x = torch.randint(0, 100, (1, 12))
    with torch.no_grad():
        full = model(x, use_cache=True)
        prefix = tuple((k[:, :, :8], v[:, :, :8]) for k, v in full.past_key_values)
        rest = model(x[:, 8:], past_key_values=prefix).logits
    assert torch.allclose(rest, full.logits[:, 8:], atol=1e-5)


def test_logits_positions_select_rows(tiny):
    model = tiny[0]
    x = torch.randint(0, 100, (1, 12))
    with torch.no_grad():
        assert torch.allclose(model(x).logits[:, 5:], model(x, logits_positions=slice(5, None)).logits, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_bf16_on_gpu(tiny, tmp_path):
    tiny[0].save_pretrained(tmp_path)
    model = LLaDAModelLM.from_pretrained(tmp_path, dtype=torch.bfloat16).cuda()
    assert model(torch.randint(0, 100, (1, 8)).cuda()).logits.dtype == torch.bfloat16


def test_fused_projections_give_the_same_logits_without_more_memory(tmp_path):
    from llada_demo.models.tiny import random_tiny

    model = random_tiny(seed=1)[0]
    x = torch.randint(0, model.config.vocab_size, (2, 24))
    with torch.no_grad():
        before = model(x).logits
        names = sorted(model.state_dict())
        count = sum(p.numel() for p in model.parameters())
        model.fuse_projections()
        after = model(x).logits
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)
    assert sorted(model.state_dict()) == names and sum(p.numel() for p in model.parameters()) == count
    block = model.model.transformer.blocks[0]
    qkv, _, gate_up = block.fused
    assert block.q_proj.weight.data_ptr() == qkv.data_ptr()  # views into the fused tensor, not copies
    assert block.up_proj.weight.data_ptr() == gate_up[block.ff_proj.weight.shape[0]:].data_ptr()
    model.to(torch.float64)  # moving or casting unfuses instead of computing with stale copies
    assert block.fused is None
    with torch.no_grad():
        torch.testing.assert_close(model(x).logits.float(), before, rtol=1e-4, atol=1e-4)


def test_compiled_forward_gives_the_same_tokens():
    from llada_demo.models.compiled import compile_forward
    from llada_demo.models.tiny import random_tiny
    from llada_demo.sampling import SamplingSettings, generate

    model = random_tiny(seed=2)[0].fuse_projections()
    prompt = torch.randint(3, model.config.vocab_size, (1, 12))
    settings = SamplingSettings(gen_length=16, steps=8, block_length=16)
    eager = generate(model, prompt, settings).sequence
    compile_forward(model, torch.device("cpu"))
    assert model.compiled
    assert torch.equal(generate(model, prompt, settings).sequence, eager)


def test_llada_compile_env_compiles_loaded_models(monkeypatch):
    from llada_demo.models.registry import REGISTRY, _load

    monkeypatch.setenv("LLADA_COMPILE", "1")
    compiled = _load(REGISTRY["random-tiny"], torch.device("cpu")).model
    monkeypatch.setenv("LLADA_COMPILE", "0")
    eager = _load(REGISTRY["random-tiny"], torch.device("cpu")).model
    assert getattr(compiled, "compiled", False) and not getattr(eager, "compiled", False)
    assert compiled.model.transformer.blocks[0].fused is not None  # fused as well


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("cache", ["none", "prefix", "dual"])
def test_cuda_graphs_match_eager_on_gpu(cache):
    # CUDA graphs reuse their output buffers between calls: the caches must have copied what they keep.
    from llada_demo.models.compiled import compile_forward
    from llada_demo.models.tiny import random_tiny
    from llada_demo.sampling import SamplingSettings, generate

    model = random_tiny(seed=3)[0].cuda().fuse_projections()
    prompt = torch.randint(3, model.config.vocab_size, (1, 12), device="cuda")
    settings = SamplingSettings(gen_length=32, steps=16, block_length=8, cache=cache)
    eager = generate(model, prompt, settings).sequence
    compile_forward(model, torch.device("cuda"))
    generate(model, prompt, settings)  # compile and record
    assert torch.equal(generate(model, prompt, settings).sequence, eager)
