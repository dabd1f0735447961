"""Registry of known checkpoints, and loading one (model + tokenizer) onto the right device."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import torch

from ..errors import SettingsError
from .device import describe_device, pick_device, pick_dtype
from .tokenizer import SpecialIds, load_tokenizer, special_ids

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass(frozen=True)
class ModelSpec:
    """A checkpoint the app can offer. `source` is a hub repo id, a local folder, or "random-tiny"."""

    name: str
    source: str
    kind: str = "diffusion"  # or "autoregressive"
    description: str = ""
    revision: str | None = None
    min_gpu_memory_gb: float = 0.0  # 0: runs on a CPU
    trust_remote_code: bool = False  # loads only with a pinned `revision` (never a moving branch)
    trained: bool = True
    adapter: str | None = None  # "shifted-logits" for Dream-style models
    mask_token_id: int | None = None  # when the checkpoint's config lacks it
    hint: str = ""  # what the model is good at, shown when an answer comes back empty
    examples: tuple[str, ...] = ()  # chat prompts that work on it (the chat tab offers them)
    listed: bool = True  # False: only the tab it was made for uses it (not offered in the model menus)
    # Trained on conversations, so earlier turns help it. The embedded models learned single requests: shown an
    # earlier story, they write about its subject again, so the chat sends them the new message alone.
    reads_earlier_turns: bool = True


# The embedded models were trained on children's stories only: these prompts are what they can answer.
STORY_HINT = ("It was trained on children's stories only, so it answers story requests: try "
              "\u201cWrite a story about a dog who finds a ball.\u201d")
STORY_EXAMPLES = (
    "Write a story about a cat and a ball.",
    "Write a story that uses the words: boat, rain, happy.",
    "Continue this story: Lily found a small key in the garden.",
    "Write a story that ends with: And they all went home together.",
)
CHAT_EXAMPLES = (
    "Explain diffusion language models to a ten-year-old.",
    "Write a short poem about the sea.",
    "Lily can run 12 kilometers per hour for 4 hours. How far does she run?",
    "Give three tips for learning a new language.",
)

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec("embedded-llada", str(ASSETS / "llada-tinystories"), description=(
            "Tiny LLaDA trained on TinyStories by this project (runs on a CPU)."), hint=STORY_HINT,
            examples=STORY_EXAMPLES, reads_earlier_turns=False),
        ModelSpec("embedded-ar", str(ASSETS / "ar-tinystories"), kind="autoregressive", description=(
            "Autoregressive twin of the embedded LLaDA: same data, tokenizer and size."), reads_earlier_turns=False),
        # The pair above fine-tuned on the made-up facts of the Reversal tab (python -m llada_demo train-facts).
        ModelSpec("embedded-llada-facts", str(ASSETS / "llada-facts"), description=(
            "The embedded LLaDA fine-tuned on the Reversal tab's made-up facts (stories a little worse)."),
            hint=STORY_HINT, examples=STORY_EXAMPLES, listed=False, reads_earlier_turns=False),
        ModelSpec("embedded-ar-facts", str(ASSETS / "ar-facts"), kind="autoregressive", description=(
            "The AR twin fine-tuned on the same made-up facts, with the same data and steps."), listed=False,
            reads_earlier_turns=False),
        ModelSpec("random-tiny", "random-tiny", trained=False, description=(
            "UNTRAINED random-weight tiny LLaDA: shows the mechanics, writes noise."), hint=(
            "random-tiny is untrained: whatever you ask, it writes noise (choose embedded-llada for stories)."),
            examples=STORY_EXAMPLES, reads_earlier_turns=False),
        ModelSpec("random-tiny-ar", "random-tiny-ar", kind="autoregressive", trained=False, description=(
            "UNTRAINED random-weight tiny causal LM with the same tokenizer (tests, fallbacks)."),
            reads_earlier_turns=False),
        ModelSpec("LLaDA-8B-Instruct", "GSAI-ML/LLaDA-8B-Instruct", min_gpu_memory_gb=17, description=(
            "LLaDA 8B instruction-tuned (GSAI-ML), native code, bf16."), examples=CHAT_EXAMPLES),
        ModelSpec("LLaDA-8B-Base", "GSAI-ML/LLaDA-8B-Base", min_gpu_memory_gb=17, description=(
            "LLaDA 8B pretrained base model (no chat tuning)."), hint=(
            "The Base model was not tuned for chat: it continues text rather than answering."),
            examples=CHAT_EXAMPLES),
        ModelSpec("LLaDA-1.5", "GSAI-ML/LLaDA-1.5", min_gpu_memory_gb=17, description=(
            "LLaDA 1.5: LLaDA-8B-Instruct further aligned with VRPO."), examples=CHAT_EXAMPLES),
        # Models with their own code: offered only once a reviewed revision is pinned here.
        ModelSpec("Dream-v0-Instruct-7B", "Dream-org/Dream-v0-Instruct-7B", min_gpu_memory_gb=17,
                  trust_remote_code=True, revision=None, adapter="shifted-logits", mask_token_id=151666,
                  description="Dream 7B (diffusion LM initialised from Qwen2.5; logits shifted by one)."),
        ModelSpec("LLaDA-MoE-7B-A1B-Instruct", "inclusionAI/LLaDA-MoE-7B-A1B-Instruct", min_gpu_memory_gb=17,
                  trust_remote_code=True, revision=None, mask_token_id=156895,
                  description="LLaDA-MoE: 7B mixture-of-experts, 1B active (its own code)."),
        ModelSpec("Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct", kind="autoregressive", min_gpu_memory_gb=17,
                  description="An autoregressive instruct model of LLaDA's size, for the comparison tab on a GPU."),
    ]
}


def is_available(spec: ModelSpec) -> bool:
    """Can this machine run it now? Local checkpoints must exist; big ones need a big enough GPU;
    checkpoints with their own code need a pinned revision."""
    if spec.trust_remote_code and not spec.revision:
        return False
    if spec.source in ("random-tiny", "random-tiny-ar"):
        return True
    if spec.source.startswith(str(ASSETS)):
        return (Path(spec.source) / "config.json").exists()
    if spec.min_gpu_memory_gb and torch.cuda.is_available():
        total = sum(torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count()))
        return total / 2**30 >= spec.min_gpu_memory_gb
    return spec.min_gpu_memory_gb == 0


def default_model_name(kind: str = "diffusion") -> str:
    """The embedded trained model when shipped, else the random tiny one (labelled untrained)."""
    choices = ("embedded-llada", "random-tiny") if kind == "diffusion" else ("embedded-ar", "random-tiny-ar")
    for name in choices:
        if is_available(REGISTRY[name]):
            return name
    return choices[-1]


@dataclass
class LoadedModel:
    spec: ModelSpec
    model: torch.nn.Module
    tokenizer: object
    device: torch.device
    special: SpecialIds

    @property
    def label(self) -> str:
        untrained = "" if self.spec.trained else " (untrained, random weights)"
        return f"{self.spec.name}{untrained} on {describe_device(self.device)}"


_cache: dict[tuple[str, str], LoadedModel] = {}


_load_lock = threading.Lock()


def load_model(name: str, device: str | None = None) -> LoadedModel:
    """Load (once per process) a registered model and its tokenizer, in bf16 on GPU or fp32 on CPU.

    Loads on the calling thread; the app calls it through `engine.load_model`, on the model thread.
    """
    if not isinstance(name, str) or name not in REGISTRY:
        raise SettingsError(f"Unknown model {name!r:.60}: choose one of {', '.join(REGISTRY)}.")
    target = pick_device(device)
    key = (name, str(target))
    with _load_lock:  # two callers asking for the same model load it once
        if key not in _cache:
            _cache[key] = _load(REGISTRY[name], target)
        return _cache[key]


def already_loaded(name: str, device: str | None = None) -> LoadedModel | None:
    """The model if this process has loaded it already, else None (never loads: for checks that must answer now)."""
    if name not in REGISTRY:
        return None
    return _cache.get((name, str(pick_device(device))))


def _load(spec: ModelSpec, device: torch.device) -> LoadedModel:
    if spec.source in ("random-tiny", "random-tiny-ar"):
        from .tiny import random_tiny, random_tiny_autoregressive

        model, tokenizer = (random_tiny if spec.source == "random-tiny" else random_tiny_autoregressive)()
        model = model.to(device)
    else:
        if spec.trust_remote_code and not spec.revision:
            raise SettingsError(f"Model {spec.name} runs its own code from the hub; it loads only once the "
                                "registry pins a reviewed revision.")
        if not is_available(spec):
            raise SettingsError(f"Model {spec.name} is not available on this machine ({spec.description}).")
        if spec.kind == "autoregressive":
            from transformers import AutoModelForCausalLM as loader
        elif spec.trust_remote_code:
            from transformers import AutoModel as loader
        else:
            from .modeling_llada import LLaDAModelLM as loader
        # A checkpoint larger than one GPU spreads over all of them (accelerate's device_map).
        spread = device.type == "cuda" and torch.cuda.device_count() > 1
        try:
            tokenizer = load_tokenizer(spec.source, revision=spec.revision)
            model = loader.from_pretrained(
                spec.source, revision=spec.revision, dtype=pick_dtype(device),
                trust_remote_code=spec.trust_remote_code, **({"device_map": "auto"} if spread else {}),
            )
            model = (model if spread else model.to(device)).eval()
            if spec.adapter == "shifted-logits":
                from .adapters import ShiftedLogits

                model = ShiftedLogits(model, spec.mask_token_id)
            elif spec.mask_token_id is not None and getattr(model.config, "mask_token_id", None) is None:
                model.config.mask_token_id = spec.mask_token_id
        except OSError as error:  # no network, missing files, unknown repo
            raise SettingsError(f"Could not load {spec.name} from {spec.source}: {error}") from error
    from .modeling_llada import LLaDAModelLM

    if isinstance(model, LLaDAModelLM):
        model.fuse_projections()  # after placement on the device: one matmul for q/k/v and one for gate/up
        if os.environ.get("LLADA_COMPILE") == "1":  # opt in: each new shape compiles for tens of seconds
            from .compiled import compile_forward

            compile_forward(model, device)
    special = special_ids(tokenizer, require_mask=spec.kind == "diffusion")
    if spec.kind == "autoregressive" and getattr(model.config, "mask_token_id", None) is None:
        model.config.mask_token_id = special.mask  # traces draw not-yet-written positions as masked
    return LoadedModel(spec=spec, model=model, tokenizer=tokenizer, device=device, special=special)
