"""A trained model's folder: config, bf16 weights, tokenizer, sampling defaults, training log, card."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import torch
import transformers

from llada_demo.models.tokenizer import special_ids

from .model_card import card, training_command

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
