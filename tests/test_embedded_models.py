"""The shipped checkpoints load through the same from_pretrained path as LLaDA-8B, fast, and write English."""

import time
from pathlib import Path

import pytest
import torch
from transformers import AutoModel, AutoModelForCausalLM

from llada_demo.models import LLaDAModelLM
from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling import SamplingSettings, generate

ASSETS = Path(__file__).resolve().parents[1] / "assets"
DIFFUSION, TWIN = ASSETS / "llada-tinystories", ASSETS / "ar-tinystories"
pytestmark = pytest.mark.skipif(not (DIFFUSION / "model.safetensors").exists(), reason="embedded models not shipped")


@pytest.mark.parametrize("folder", [DIFFUSION, TWIN])
def test_checkpoint_is_small_and_complete(folder):
    assert (folder / "model.safetensors").stat().st_size <= 40 * 2**20
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "README.md"):
        assert (folder / name).exists(), name


def test_both_load_on_cpu_in_seconds():
    start = time.perf_counter()
    diffusion = LLaDAModelLM.from_pretrained(DIFFUSION, dtype=torch.float32)
    twin = AutoModelForCausalLM.from_pretrained(TWIN, dtype=torch.float32)
    assert time.perf_counter() - start < 30  # generous: "a few seconds" on an idle machine
    assert isinstance(AutoModel.from_pretrained(DIFFUSION), LLaDAModelLM)
    n_diffusion = sum(p.numel() for p in diffusion.parameters())
    n_twin = sum(p.numel() for p in twin.parameters())
    assert abs(n_diffusion - n_twin) <= 0.1 * n_diffusion


def test_same_tokenizer_and_llada_chat_shape():
    a, b = load_tokenizer(str(DIFFUSION)), load_tokenizer(str(TWIN))
    assert a.get_vocab() == b.get_vocab() and special_ids(a) == special_ids(b)
    messages = [{"role": "user", "content": "Write a story about a dog."}]
    text = a.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == ("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nWrite a story about a dog.<|eot_id|>"
                    "<|start_header_id|>assistant<|end_header_id|>\n\n")


def test_diffusion_model_writes_english():
    tokenizer = load_tokenizer(str(DIFFUSION))
    model = LLaDAModelLM.from_pretrained(DIFFUSION, dtype=torch.float32).eval()
    ids = chat_prompt_ids(tokenizer, [{"role": "user", "content": "Write a story about a dog and a ball."}])
    trace = generate(model, ids, SamplingSettings(gen_length=48, steps=48, block_length=16),
                     stop_ids=special_ids(tokenizer).stops)
    words = tokenizer.decode(trace.answer_token_ids()).split()
    common = {"the", "a", "and", "was", "to", "he", "she", "they", "day", "one", "upon", "time", "there"}
    assert len(words) >= 10
    assert sum(w.lower().strip(".,!\"") in common for w in words) >= 3, words
