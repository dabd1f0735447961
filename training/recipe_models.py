"""Recipe steps 2-4 for one model: build it, pretrain it, fine-tune it (SFT), then save it."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from pathlib import Path

import torch
import transformers

from llada_demo.models.configuration_llada import LLaDAConfig
from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import special_ids
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound

from . import autoregressive, diffusion
from .data import packed_batches, shuffled_batches
from .loop import LoopSettings, train
from .recipe_corpus import Corpus
from .recipe_options import RecipeOptions
from .recipe_save import save_folder


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


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Path) else value
