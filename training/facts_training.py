"""Fine-tune a shipped model on the made-up fact set, with replay of its stories, for the reversal-curse test.

Both models get the same batches in the same order (same tokens, same steps, same learning rate); only the
loss differs: masked diffusion (pretraining loss on the statements and replayed story windows, SFT loss on
the questions and replayed story instructions) or next-token prediction on exactly the same rows.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import load_tokenizer, special_ids
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound

from . import autoregressive, diffusion
from .data import (
    DEFAULT_TRAIN_FILE,
    DEFAULT_VALID_FILE,
    encode_stories,
    packed_batches,
    read_stories,
    read_text_stream,
    shuffled_batches,
    split_stories,
    stream_windows,
)
from .facts import FactSplit, make_facts, split_facts, statement_texts, training_questions
from .instructions import Instruction, encode_instructions, make_instructions

KINDS = ("diffusion", "autoregressive")


@dataclass
class FactTrainOptions:
    """One fine-tuning run per model; the defaults are the run that made the shipped weights (CPU, minutes)."""

    diffusion: Path = Path("assets/llada-tinystories")
    autoregressive: Path = Path("assets/ar-tinystories")
    out: Path = Path("runs/facts")
    only: str = "both"
    facts: int = 80
    held_out: int = 32
    steps: int = 240
    lr: float = 5e-4
    statement_batch: int = 6  # packed windows of the fact statements
    statement_len: int = 64
    question_batch: int = 6  # question/answer rows about the training people
    question_len: int = 40
    replay_batch: int = 2  # story windows (pretraining text), as long as the shipped models' windows
    replay_len: int = 256
    replay_sft_batch: int = 1  # story instructions (v1 SFT pairs that fit replay_sft_len)
    replay_sft_len: int = 256
    replay_stories: int = 2000
    # Replay the stories every N-th step only (1: every step). A continued run uses a large N: many cheap passes
    # over the short statements, with enough replay to keep the stories; the replay windows are most of a step's time.
    replay_every: int = 1
    valid_windows: int = 16
    seed: int = 0
    max_minutes: float | None = None  # a wall-clock cap (the LR schedule shrinks to fit); none: equal steps
    train_file: Path = DEFAULT_TRAIN_FILE
    valid_file: Path = DEFAULT_VALID_FILE  # held-out stories: the story-quality check while fine-tuning
    progress: bool = True
    threads: int | None = None
    name_tokens: int = 2  # the longest name, in tokens


@dataclass
class FactData:
    split: FactSplit
    statements: list  # BOS + statement + EOS token arrays
    questions: dict
    replay_tokens: list
    replay_sft: dict
    valid_windows: torch.Tensor
    info: dict


def build_fact_data(options: FactTrainOptions, tokenizer) -> FactData:
    """Everything both models train on, tokenised once with the shared tokenizer."""
    ids = special_ids(tokenizer)
    split = split_facts(make_facts(options.facts, options.seed, tokenizer, options.name_tokens), options.held_out, options.seed)
    statements = encode_stories(tokenizer, statement_texts(split), ids.bos, ids.eos)
    pairs = [Instruction("fact", question, answer) for question, answer in training_questions(split)]
    questions, too_long = encode_instructions(tokenizer, pairs, options.question_len)
    if too_long:
        raise ValueError(f"{too_long} questions do not fit {options.question_len} tokens: raise question_len")
    # The same split as the shipped models' pretraining (fraction 0.02, seed 0): held-out stories stay unseen.
    stories = read_stories(options.train_file)
    train_stories, _ = split_stories(stories, 0.02, 0)
    train_stories = train_stories[: options.replay_stories]
    replay_tokens = encode_stories(tokenizer, train_stories, ids.bos, ids.eos)
    replay_sft, _ = encode_instructions(tokenizer, make_instructions(train_stories, options.seed),
                                        options.replay_sft_len)
    valid = tokenizer(read_text_stream(options.valid_file), add_special_tokens=False)["input_ids"]
    valid_windows = stream_windows(valid, options.replay_len, options.valid_windows)
    info = {"people": len(split.facts), "training_people": len(split.train), "held_out_people": len(split.held_out),
            "statements": len(statements), "statement_tokens": int(sum(len(s) for s in statements)),
            "training_questions": len(pairs), "replay_stories": len(train_stories),
            "replay_instructions": len(replay_sft["input_ids"])}
    return FactData(split, statements, questions, replay_tokens, replay_sft, valid_windows, info)


def mixed_batches(data: FactData, options: FactTrainOptions) -> Iterator[dict]:
    """Endless steps of statements and questions, plus story windows and story instructions every `replay_every` steps."""
    seed = options.seed
    facts = {
        "statements": packed_batches(data.statements, options.statement_len, options.statement_batch, seed),
        "questions": shuffled_batches(data.questions, options.question_batch, seed + 1),
    }
    replay = {
        "replay": packed_batches(data.replay_tokens, options.replay_len, options.replay_batch, seed + 2),
        "replay_sft": shuffled_batches(data.replay_sft, options.replay_sft_batch, seed + 3),
    }
    step = 0
    while True:
        parts = {**facts, **replay} if step % max(options.replay_every, 1) == 0 else facts
        yield {name: next(batches) for name, batches in parts.items()}
        step += 1


def _cpu_bf16(loss_fn):
    """bf16 autocast on a CPU with bf16 units (fp32 master weights): about twice as fast here; same for both kinds."""
    def wrapped(model, batch):
        device = next(model.parameters()).device
        if device.type != "cpu":
            return loss_fn(model, batch)  # the loop's own autocast covers CUDA
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return loss_fn(model, batch)
    return wrapped


def step_loss(kind: str, seed: int):
    """loss_fn(model, step batch): the sum of the four parts' losses for that kind of model."""
    return _cpu_bf16(_step_loss(kind, seed))


def _step_loss(kind: str, seed: int):
    if kind == "diffusion":
        masks = torch.Generator().manual_seed(seed + 5)

        def loss(model, batch):
            total = (diffusion.pretrain_loss(model, batch["statements"], masks)
                     + diffusion.sft_loss(model, batch["questions"]["input_ids"],
                                          batch["questions"]["prompt_lengths"], masks))
            if "replay" in batch:
                total = (total + diffusion.pretrain_loss(model, batch["replay"], masks)
                         + diffusion.sft_loss(model, batch["replay_sft"]["input_ids"],
                                              batch["replay_sft"]["prompt_lengths"], masks))
            return total
        return loss

    def loss(model, batch):
        total = (autoregressive.next_token_loss(model, batch["statements"])
                 + autoregressive.sft_loss(model, batch["questions"]["input_ids"],
                                           batch["questions"]["prompt_lengths"], batch["questions"]["response_ends"]))
        if "replay" in batch:
            total = (total + autoregressive.next_token_loss(model, batch["replay"])
                     + autoregressive.sft_loss(model, batch["replay_sft"]["input_ids"],
                                               batch["replay_sft"]["prompt_lengths"],
                                               batch["replay_sft"]["response_ends"]))
        return total
    return loss


def story_valid(kind: str, windows: torch.Tensor, seed: int):
    """Held-out story NLL per token (diffusion: its bound with fixed masks), so the log shows what replay kept."""
    scored = torch.ones_like(windows, dtype=torch.bool)
    if kind == "diffusion":
        return lambda model: float(diffusion_nll_bound(model, windows, scored, 2,
                                                       torch.Generator().manual_seed(seed + 7), 16).mean())

    def nll(model):
        total, count = autoregressive_nll(model, windows, scored, 16)
        return float(total.sum() / count.sum())
    return nll


def load_model(kind: str, folder: Path):
    from transformers import LlamaForCausalLM  # imported here: loading transformers' model zoo is slow

    if kind == "diffusion":
        return LLaDAModelLM.from_pretrained(str(folder), dtype=torch.float32)
    return LlamaForCausalLM.from_pretrained(str(folder), dtype=torch.float32)


def save_finetuned(model, source: Path, target: Path, record: dict, key: str = "facts_finetune") -> None:
    """The source folder with new bf16 weights and the run in training_log.json; renamed into place at the end."""
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    copy.deepcopy(model).to(torch.bfloat16).save_pretrained(str(staging))  # bf16, as the shipped weights
    log_path = staging / "training_log.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    if key in log:  # a continued run: the earlier runs stay in the record, oldest first
        log[f"{key}_earlier"] = [*log.get(f"{key}_earlier", []), log[key]]
    log[key] = record
    log_path.write_text(json.dumps(log, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.rename(staging, target)


def train_facts_kind(kind: str, options: FactTrainOptions, data: FactData) -> dict:
    replay_tokens = options.replay_batch * options.replay_len + options.replay_sft_batch * options.replay_sft_len
    # Rows per step on average (replay every `replay_every` steps): the log's token count.
    tokens_per_step = round(options.statement_batch * options.statement_len + options.question_batch
                            * options.question_len + replay_tokens / max(options.replay_every, 1))
    # Validated once, at the end: choosing a checkpoint by any measure would pick one the run did not finish.
    return finetune_kind(kind, options, "facts", mixed_batches(data, options), step_loss(kind, options.seed),
                         tokens_per_step, data.valid_windows, data.info, key="facts_finetune",
                         command=fact_command(options))


def finetune_kind(kind: str, options, name: str, batches, loss_fn, tokens_per_step: int, valid_windows, info: dict,
                  key: str, command: str | None = None) -> dict:
    """Continue training one kind of model from `options.<kind>` on `batches`, validated once at the end on the
    held-out story windows, saved to `options.out/<kind>`; returns the record saved with it. Shared by every
    fine-tuning here (facts, small talk): `options` has the fields both option classes share."""
    from .loop import LoopSettings, train

    source = Path(getattr(options, kind))
    model = load_model(kind, source)
    logs = Path(options.out) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{kind}-{name.replace(' ', '-')}.jsonl"
    log_path.unlink(missing_ok=True)
    settings = LoopSettings(name=f"{kind} {name}", lr=options.lr, total_steps=options.steps,
                            tokens_per_step=tokens_per_step, eval_every=options.steps, log_every=10,
                            warmup_share=0.05, max_seconds=options.max_minutes * 60 if options.max_minutes else None,
                            log_path=log_path, progress=options.progress)
    # Same seeds for both kinds: the same rows in the same order, the same host RNG for random lengths.
    torch.manual_seed(options.seed)
    started = time.time()
    result, best = train(model, batches, loss_fn, story_valid(kind, valid_windows, options.seed), settings,
                         torch.device("cpu"))
    model.load_state_dict(best)
    record = {"kind": kind, "from": str(source), "seconds": round(time.time() - started, 1),
              "steps": result.steps, "tokens": result.tokens, "final_loss": result.final_loss,
              "story_valid_nll": result.best_valid, "stop_reason": result.stop_reason, "data": info,
              "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
              **({"command": command} if command is not None else {}), "log": str(log_path)}
    save_finetuned(model, source, Path(options.out) / kind, record, key=key)
    return record


def fact_command(options: FactTrainOptions) -> str:
    defaults = FactTrainOptions()
    changed = [f"--{name.replace('_', '-')} {value}" for name, value in asdict(options).items()
               if name not in ("progress", "out", "only", "train_file", "valid_file", "threads") and value != getattr(defaults, name)]
    return " ".join(["python -m llada_demo train-facts --out", str(options.out), *changed])


def run_fact_training(options: FactTrainOptions) -> dict[str, dict]:
    """Fine-tune the chosen models one after the other (the same data for both); returns their records."""
    return run_each_kind(options, build_fact_data, train_facts_kind)


def run_each_kind(options, build_data, train_kind) -> dict[str, dict]:
    """The data built once from the diffusion model's tokenizer, then `train_kind(kind, options, data)` for each
    model `options.only` names, one after the other; their records by kind."""
    options = replace(options, out=Path(options.out))
    if options.threads:
        torch.set_num_threads(options.threads)
    tokenizer = load_tokenizer(str(options.diffusion))
    data = build_data(options, tokenizer)
    np.random.seed(options.seed)
    kinds = KINDS if options.only == "both" else (options.only,)
    return {kind: train_kind(kind, options, data) for kind in kinds}
