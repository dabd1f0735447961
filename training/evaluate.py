"""Compare the diffusion model with its AR twin: held-out likelihoods, then answers to fixed prompts."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch

from llada_demo.models.device import describe_device, pick_device
from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import load_tokenizer, special_ids

from .data import DEFAULT_VALID_FILE, load_hf_stories, read_text_stream, stream_windows
from .eval_answers import prompt_answers, summarise
from .eval_data import _training_log, heldout_stories
from .eval_likelihood import heldout_likelihood
from .eval_options import EvalOptions
from .eval_report import markdown
from .instructions import KINDS, eval_instructions


def load_models(options: EvalOptions, device: torch.device):
    from transformers import LlamaForCausalLM  # imported here: loading transformers' model zoo is slow

    # float32 for scoring: the models are small, and bf16 rounding would blur NLL differences.
    diffusion_model = LLaDAModelLM.from_pretrained(str(options.diffusion), dtype=torch.float32).to(device).eval()
    ar_model = LlamaForCausalLM.from_pretrained(str(options.autoregressive), dtype=torch.float32).to(device).eval()
    return diffusion_model, ar_model


def run_evaluation(options: EvalOptions) -> dict:
    """Both parts; writes the JSON and the markdown table and returns the results (with "markdown")."""
    device = pick_device(options.device)
    tokenizer = load_tokenizer(str(options.diffusion))
    ids = special_ids(tokenizer)
    diffusion_model, ar_model = load_models(options, device)
    log = _training_log(options.diffusion)

    if options.hf_dataset:
        text, valid_source = "\n".join(load_hf_stories("validation", limit=20_000)), "hf:roneneldan/TinyStories"
    else:
        valid_path = options.valid_file or DEFAULT_VALID_FILE
        text, valid_source = read_text_stream(valid_path), str(valid_path)
    stream = tokenizer(text, add_special_tokens=False)["input_ids"]
    # One position goes to the BOS each window starts with; both models see the same tokens.
    length = min(options.window_length, diffusion_model.config.max_sequence_length) - 1
    windows = stream_windows(stream, length, options.windows)
    heldout = heldout_likelihood(diffusion_model, ar_model, windows, ids.bos, options)

    stories, story_source = heldout_stories(options, log)
    instructions = eval_instructions(stories, options.prompts, options.seed)
    rows = prompt_answers(diffusion_model, ar_model, tokenizer, instructions, options)
    generation = {"prompts": len(rows), "kinds": {k: sum(r["kind"] == k for r in rows) for k in KINDS},
                  **summarise(rows)}

    results = {
        "format": "llada-demo-eval/1",
        "device": describe_device(device),
        "models": {
            "diffusion": {"path": str(options.diffusion),
                          "parameters": sum(p.numel() for p in diffusion_model.parameters())},
            "autoregressive": {"path": str(options.autoregressive),
                               "parameters": sum(p.numel() for p in ar_model.parameters())},
        },
        "settings": {**{k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
                     "steps": options.steps or options.gen_length},
        "data": {"valid_source": valid_source, "prompt_source": story_source, "heldout_stories": len(stories)},
        "heldout": heldout,
        "generation": generation,
        "answers": rows,
    }
    results["markdown"] = markdown(results)
    out_json = options.out_json or Path(options.diffusion).parent / "eval.json"
    out_md = options.out_md or Path(options.diffusion).parent / "eval.md"
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    out_md.write_text(results["markdown"])
    return results
