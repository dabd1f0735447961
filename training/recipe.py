"""The whole recipe, in the paper's order: tokenizer, pretraining, SFT; then the same for the AR twin."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import transformers

from llada_demo.models.configuration_llada import LLaDAConfig
from llada_demo.models.device import pick_device
from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import load_tokenizer, special_ids
from llada_demo.models.tokenizer_training import train_tokenizer
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound

from . import autoregressive, diffusion
from .data import (
    DEFAULT_TRAIN_FILE,
    encode_stories,
    load_hf_stories,
    pack,
    packed_batches,
    read_stories,
    shuffled_batches,
    split_stories,
)
from .instructions import encode_instructions
from .loop import LoopSettings, train
from .model_card import card, training_command
from .sft_mix import sft_instructions

KINDS = ("diffusion", "autoregressive")


@dataclass
class RecipeOptions:
    """Every knob of a training run; the defaults are the real run (one H100: about 5 minutes a model,
    both models trained at once as two processes)."""

    out: Path = Path("runs/tiny")
    train_file: Path = DEFAULT_TRAIN_FILE
    hf_dataset: bool = False
    hf_limit: int | None = 100_000
    story_limit: int | None = None
    valid_fraction: float = 0.02
    vocab_size: int = 4096
    d_model: int = 256
    n_layers: int = 8
    n_heads: int = 4
    mlp_hidden_size: int = 768
    max_sequence_length: int = 512
    rope_theta: float = 10000.0
    seq_len: int = 256
    sft_seq_len: int = 384
    batch_size: int = 128
    sft_batch_size: int = 64
    pretrain_tokens: int = 100_000_000
    sft_tokens: int = 20_000_000
    lr: float = 1e-3
    sft_lr: float = 3e-4
    weight_decay: float = 0.1
    max_minutes: float | None = 6.0
    evaluations: int = 40
    valid_windows: int = 256
    valid_pairs: int = 256
    valid_samples: int = 4
    device: str | None = None
    seed: int = 0
    only: str = "both"
    progress: bool = True
    smoke: bool = False
    # v2 knobs; their defaults reproduce v1.
    sft_recipe: str = "v1"  # which SFT pairs: see sft_mix.SFT_RECIPES
    folder: str | None = None  # the model's subfolder of `out` (default: its kind)
    tokenizer_from: Path | None = None  # reuse this tokenizer (e.g. the shipped one) instead of training one
    patience: int | None = None  # early stopping, in validations without a new best, in both phases
    eval_every_tokens: int | None = None  # validate this often (default: `evaluations` times per phase)
    schedule_tokens: int | None = None  # pretraining cosine horizon (default: the whole budget)
    sft_max_minutes: float | None = None  # the SFT phase's cap (default: max_minutes)


def smoke_options(**overrides) -> RecipeOptions:
    """A CPU run of a few seconds: a slice of the stories, a tiny tokenizer and model, a few steps."""
    values = dict(
        story_limit=120, valid_fraction=0.1, vocab_size=384, d_model=32, n_layers=2, n_heads=2, mlp_hidden_size=64,
        max_sequence_length=768, seq_len=64, sft_seq_len=512, batch_size=8, sft_batch_size=4,
        pretrain_tokens=8 * 64 * 30, sft_tokens=4 * 512 * 10, lr=3e-3, sft_lr=1e-3, max_minutes=1.0, evaluations=2,
        valid_windows=8, valid_pairs=8, valid_samples=1, smoke=True,
    )
    values.update(overrides)
    return RecipeOptions(**values)


# ---------------------------------------------------------------- step 1: tokenizer

def copy_tokenizer(folder: Path, source: Path):
    """Use an existing tokenizer (the shipped one: v2 models share v1's vocabulary) instead of training one."""
    if not (folder / "tokenizer.json").exists():
        staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        tokenizer = load_tokenizer(str(source))
        tokenizer.save_pretrained(str(staging))
        (staging / "recipe.json").write_text(json.dumps({"vocab_size": len(tokenizer), "from": str(source)}) + "\n")
        try:
            os.rename(staging, folder)
        except OSError:  # another process copied it first
            shutil.rmtree(staging, ignore_errors=True)
    return load_tokenizer(str(folder))


def ensure_tokenizer(folder: Path, texts: list[str], vocab_size: int):
    """Train the BPE tokenizer once; a second process (the twin's) reuses the same folder.

    Training is deterministic for the same texts, and the folder appears by one atomic rename,
    so two concurrent runs never see a half-written tokenizer.
    """
    if not (folder / "tokenizer.json").exists():
        tokenizer = train_tokenizer(texts, vocab_size=vocab_size)
        staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        tokenizer.save_pretrained(str(staging))
        # The requested size, since a small corpus can yield fewer entries than asked for.
        (staging / "recipe.json").write_text(json.dumps({"vocab_size": vocab_size}) + "\n")
        try:
            os.rename(staging, folder)
        except OSError:  # the other process got there first: keep its (identical) files
            shutil.rmtree(staging, ignore_errors=True)
    stamp = folder / "recipe.json"
    requested = json.loads(stamp.read_text()).get("vocab_size") if stamp.exists() else None
    if requested != vocab_size:
        raise SystemExit(f"{folder} holds a tokenizer trained for a vocabulary of {requested}, not {vocab_size}: "
                         "delete it or choose another --out.")
    return load_tokenizer(str(folder))


# ---------------------------------------------------------------- data

@dataclass
class Corpus:
    """The tokenised data both models train on, identical for both."""

    train_stories: list
    valid_stories: list
    train_tokens: list
    valid_windows: torch.Tensor
    sft_train: dict
    sft_valid: dict
    info: dict


def load_stories(options: RecipeOptions) -> tuple[list[str], dict]:
    if options.hf_dataset:
        stories = load_hf_stories("train", limit=options.hf_limit)
        return stories, {"source": f"hf:roneneldan/TinyStories (first {len(stories)})"}
    path = Path(options.train_file)
    stories = read_stories(path, limit=options.story_limit)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return stories, {"source": str(path), "sha256": digest}


def build_corpus(options: RecipeOptions, tokenizer, stories: list[str], info: dict) -> Corpus:
    train_stories, valid_stories = split_stories(stories, options.valid_fraction, options.seed)
    ids = special_ids(tokenizer)
    train_tokens = encode_stories(tokenizer, train_stories, ids.bos, ids.eos)
    valid_windows = pack(encode_stories(tokenizer, valid_stories, ids.bos, ids.eos), options.seq_len)
    valid_windows = valid_windows[: options.valid_windows]
    sft_train, skipped = encode_instructions(tokenizer, sft_instructions(options.sft_recipe, train_stories,
                                                                         options.seed), options.sft_seq_len)
    valid_pairs = sft_instructions(options.sft_recipe, valid_stories, options.seed + 1)
    sft_valid, skipped_valid = encode_instructions(tokenizer, valid_pairs, options.sft_seq_len)
    sft_valid = {name: tensor[: options.valid_pairs] for name, tensor in sft_valid.items()}
    if len(valid_windows) == 0 or len(sft_valid["input_ids"]) == 0:
        raise SystemExit("The validation split is too small: raise --valid-fraction.")
    info = dict(info, stories=len(stories), train_stories=len(train_stories), valid_stories=len(valid_stories),
                train_tokens=int(sum(len(t) for t in train_tokens)), valid_windows=len(valid_windows),
                sft_pairs=len(sft_train["input_ids"]), sft_pairs_too_long=skipped,
                sft_valid_pairs=len(sft_valid["input_ids"]), sft_valid_too_long=skipped_valid)
    return Corpus(train_stories, valid_stories, train_tokens, valid_windows, sft_train, sft_valid, info)


# ---------------------------------------------------------------- steps 2-4: models

def diffusion_config(options: RecipeOptions, tokenizer) -> LLaDAConfig:
    ids = special_ids(tokenizer)
    return LLaDAConfig(
        d_model=options.d_model, n_heads=options.n_heads, n_layers=options.n_layers,
        mlp_hidden_size=options.mlp_hidden_size, vocab_size=len(tokenizer), embedding_size=len(tokenizer),
        max_sequence_length=options.max_sequence_length, rope_theta=options.rope_theta,
        mask_token_id=ids.mask, eos_token_id=ids.eos, pad_token_id=ids.eos, bos_token_id=ids.bos,
        eot_token_id=ids.eot, weight_tying=False, init_std=0.02,
    )


def build_model(kind: str, config: LLaDAConfig, seed: int):
    torch.manual_seed(seed)
    return LLaDAModelLM(config) if kind == "diffusion" else autoregressive.make_twin(config)


def phase_objectives(kind: str, corpus: Corpus, options: RecipeOptions, device: torch.device):
    """(pretrain loss, pretrain validation, SFT loss, SFT validation) for one kind of model."""
    windows = corpus.valid_windows
    sft_valid = corpus.sft_valid
    answer = diffusion.response_positions(sft_valid["input_ids"], sft_valid["prompt_lengths"])
    batch_size = options.batch_size
    if kind == "diffusion":
        masks = torch.Generator(device=device)
        masks.manual_seed(options.seed + 1)

        def pretrain_loss(model, batch):
            return diffusion.pretrain_loss(model, batch, masks)

        def sft_loss(model, batch):
            return diffusion.sft_loss(model, batch["input_ids"], batch["prompt_lengths"], masks)

        def bound(model, ids, scored):
            # A fixed CPU generator per call: every validation sees the same masks, so values compare.
            fixed = torch.Generator().manual_seed(options.seed + 7)
            return float(diffusion_nll_bound(model, ids, scored, options.valid_samples, fixed, batch_size).mean())

        return (pretrain_loss, lambda model: bound(model, windows, torch.ones_like(windows, dtype=torch.bool)),
                sft_loss, lambda model: bound(model, sft_valid["input_ids"], answer))

    def pretrain_loss(model, batch):
        return autoregressive.next_token_loss(model, batch)

    def sft_loss(model, batch):
        return autoregressive.sft_loss(model, batch["input_ids"], batch["prompt_lengths"], batch["response_ends"])

    def mean_nll(model, ids, scored):
        total, count = autoregressive_nll(model, ids, scored, batch_size)
        return float(total.sum() / count.sum())

    labelled = autoregressive.sft_labels(sft_valid["input_ids"], sft_valid["prompt_lengths"],
                                         sft_valid["response_ends"]) != autoregressive.IGNORE
    # sft_labels marks token i as a target; autoregressive_nll scores position i the same way.
    return (pretrain_loss, lambda model: mean_nll(model, windows, torch.ones_like(windows, dtype=torch.bool)),
            sft_loss, lambda model: mean_nll(model, sft_valid["input_ids"], labelled))


def train_kind(kind: str, options: RecipeOptions, tokenizer, corpus: Corpus, device: torch.device) -> dict:
    """Pretrain, keep the best-validation weights, SFT from them, keep the best again, save the folder."""
    config = diffusion_config(options, tokenizer)
    model = build_model(kind, config, options.seed).to(device)
    params = sum(p.numel() for p in model.parameters())
    pretrain_loss, pretrain_valid, sft_loss, sft_valid = phase_objectives(kind, corpus, options, device)
    logs = options.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    max_seconds = options.max_minutes * 60 if options.max_minutes else None
    phases = {}

    def run(phase, batches, loss_fn, valid_fn, tokens, lr, tokens_per_step, max_seconds, schedule_tokens=None):
        total_steps = max(1, tokens // tokens_per_step)
        eval_every = max(1, total_steps // options.evaluations)
        if options.eval_every_tokens:
            eval_every = max(1, options.eval_every_tokens // tokens_per_step)
        log_path = logs / f"{kind}-{phase}.jsonl"
        log_path.unlink(missing_ok=True)
        settings = LoopSettings(
            name=f"{kind} {phase}", lr=lr, total_steps=total_steps, tokens_per_step=tokens_per_step,
            weight_decay=options.weight_decay, eval_every=eval_every,
            log_every=min(10, total_steps), max_seconds=max_seconds, log_path=log_path, progress=options.progress,
            patience=options.patience,
            schedule_steps=max(1, schedule_tokens // tokens_per_step) if schedule_tokens else None,
        )
        torch.manual_seed(options.seed)  # the host RNG (random lengths) starts the same in every run
        result, best = train(model, batches, loss_fn, valid_fn, settings, device)
        model.load_state_dict(best)
        phases[phase] = dict(asdict(result), lr=lr, batch_tokens=tokens_per_step, budget_tokens=tokens,
                             log=str(log_path.relative_to(options.out)))
        phases[phase].pop("valid_history")

    started = time.time()
    batches = packed_batches(corpus.train_tokens, options.seq_len, options.batch_size, options.seed, device)
    run("pretrain", batches, pretrain_loss, pretrain_valid, options.pretrain_tokens, options.lr,
        options.batch_size * options.seq_len, max_seconds, options.schedule_tokens)
    sft_data = {name: tensor.to(device) for name, tensor in corpus.sft_train.items()}
    batches = shuffled_batches(sft_data, options.sft_batch_size, options.seed + 2)
    sft_seconds = options.sft_max_minutes * 60 if options.sft_max_minutes else max_seconds
    run("sft", batches, sft_loss, sft_valid, options.sft_tokens, options.sft_lr,
        options.sft_batch_size * options.sft_seq_len, sft_seconds)

    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    else:
        device_name = platform.processor() or platform.machine()
    log = {
        "kind": kind, "parameters": params, "seed": options.seed, "device": str(device), "device_name": device_name,
        "torch": torch.__version__, "transformers": transformers.__version__,
        "seconds": round(time.time() - started, 1), "tokens_seen": sum(p["tokens"] for p in phases.values()),
        "phases": phases, "data": corpus.info, "options": _jsonable(asdict(options)),
    }
    save_folder(model, tokenizer, options.out / (options.folder or kind), kind, log)
    return log


# ---------------------------------------------------------------- saving

SAMPLING_DEFAULTS = {
    "diffusion": {"gen_length": 256, "steps": 256, "block_length": 32, "strategy": "low_confidence",
                  "temperature": 0.0},
    "autoregressive": {"gen_length": 256, "steps": 256, "block_length": 1, "temperature": 0.0},
}


def save_folder(model, tokenizer, folder: Path, kind: str, log: dict) -> None:
    """A from_pretrained folder: config, bf16 safetensors, tokenizer + chat template, defaults, log, card.

    Written beside the target and renamed into place, so a crash never leaves half a model.
    """
    staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    model = copy.deepcopy(model).to("cpu", torch.bfloat16)  # bf16: half the bytes the GPU call and the Space carry
    if kind == "autoregressive":
        ids = special_ids(tokenizer)
        model.generation_config = transformers.GenerationConfig(
            max_new_tokens=SAMPLING_DEFAULTS[kind]["gen_length"], do_sample=False, bos_token_id=ids.bos,
            eos_token_id=list(ids.stops), pad_token_id=ids.eos,
        )
    model.save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    (staging / "sampling_defaults.json").write_text(json.dumps(SAMPLING_DEFAULTS[kind], indent=2) + "\n")
    (staging / "training_log.json").write_text(json.dumps(log, indent=2) + "\n")
    (staging / "README.md").write_text(card(kind, log, config=model.config.to_dict(), defaults=SAMPLING_DEFAULTS[kind],
                                            train_command=training_command(kind, folder.name, log)), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(staging, folder)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Path) else value


# ---------------------------------------------------------------- the recipe

def run_recipe(options: RecipeOptions) -> dict[str, dict]:
    """1) tokenizer 2) pretrain diffusion 3) SFT diffusion 4) the same for the twin, on the same tokens."""
    options = replace(options, out=Path(options.out))
    options.out.mkdir(parents=True, exist_ok=True)
    device = pick_device(options.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    kinds = KINDS if options.only == "both" else (options.only,)
    stories, info = load_stories(options)
    train_stories, _ = split_stories(stories, options.valid_fraction, options.seed)
    if options.tokenizer_from:
        tokenizer = copy_tokenizer(options.out / "tokenizer", Path(options.tokenizer_from))
    else:
        tokenizer = ensure_tokenizer(options.out / "tokenizer", train_stories, options.vocab_size)
    corpus = build_corpus(options, tokenizer, stories, info)
    return {kind: train_kind(kind, options, tokenizer, corpus, device) for kind in kinds}
