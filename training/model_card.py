"""The embedded models' model card (README.md): written when a model is saved, rewritten with the eval's results.

Run: python -m training.model_card --eval runs/tiny/eval.json [--diffusion DIR --autoregressive DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

TRAIN_COMMAND = (
    "python -m llada_demo train --only {kind} --out runs/tiny --train-file tinystories-train.txt "
    "--pretrain-tokens 150000000 --max-minutes 5.4 --no-progress"
)
EVAL_COMMAND = (
    "python -m llada_demo eval --diffusion assets/llada-tinystories --autoregressive assets/ar-tinystories "
    "--valid-file tinystories-valid.txt --train-file tinystories-train.txt"
)
ATTRIBUTION = (
    "Trained on a sample of the TinyStories data set (Ronen Eldan and Yuanzhi Li, \"TinyStories: How Small Can "
    "Language Models Be and Still Speak Coherent English?\", 2023), published under the Community Data License "
    "Agreement – Sharing, version 1.0 (CDLA-Sharing-1.0): 5,248 stories from the start of the training split "
    "(about 2,300 with their original casing, the rest re-cased by rule from a lower-case copy). The data is not "
    "shipped with the model."
)
DESCRIPTIONS = {
    "diffusion": (
        "A LLaDA-style masked-diffusion language model: the LLaDA architecture (bidirectional Transformer, "
        "RMSNorm, SwiGLU, RoPE, official parameter names) at teaching size. It loads with "
        "`llada_demo.models.LLaDAModelLM.from_pretrained(folder)`, the same path as GSAI-ML/LLaDA-8B-Instruct.\n\n"
        "Recipe, as in the LLaDA paper: pretraining where each sequence is masked with a ratio t ~ U(0, 1] and the "
        "loss is the cross-entropy on masked positions weighted by 1/t (1% of sequences get a random length); then "
        "supervised fine-tuning on instructions made from the stories, where only the response is masked and EOS "
        "padding is trained like any token."
    ),
    "autoregressive": (
        "The autoregressive twin of the embedded LLaDA model: a standard causal LM (transformers' "
        "`LlamaForCausalLM`) with the same width, depth, heads, vocabulary and tokenizer, trained on the same "
        "pretraining text and SFT pairs with the same token budget, so diffusion and autoregression can be "
        "compared fairly. It loads with `AutoModelForCausalLM.from_pretrained(folder)`."
    ),
}


V2_TRAIN_COMMAND = "scripts/gpu_train.sh runs/v2   # train --recipe v2 --only {run}, see the script"


def training_command(kind: str, folder: str, log: dict) -> str:
    """The command the card shows: recipe v2's script for a v2 run (SFT recipe v2), else the v1 command."""
    if log.get("options", {}).get("sft_recipe") == "v2":
        return V2_TRAIN_COMMAND.format(run=folder)
    return TRAIN_COMMAND.format(kind=kind)


def shape_text(config: dict | None) -> str:
    """"d_model 256, 8 layers, 4 heads, SwiGLU 768, vocabulary 4,096 (...), context 512" from either kind's
    config.json (without one: the shipped v1 shape)."""
    if not config:
        d, layers, heads, mlp, vocab, context = 256, 8, 4, 768, 4096, 512
    elif "d_model" in config:
        d, layers, heads, mlp = config["d_model"], config["n_layers"], config["n_heads"], config["mlp_hidden_size"]
        vocab, context = config["vocab_size"], config["max_sequence_length"]
    else:
        d, layers = config["hidden_size"], config["num_hidden_layers"]
        heads, mlp = config["num_attention_heads"], config["intermediate_size"]
        vocab, context = config["vocab_size"], config["max_position_embeddings"]
    return (f"d_model {d}, {layers} layers, {heads} heads, SwiGLU {mlp}, vocabulary {vocab:,} (byte-level BPE with "
            f"LLaDA's special tokens), context {context}")


def decoding_text(kind: str, defaults: dict | None) -> str:
    if kind != "diffusion":
        return "greedy"
    d = defaults or {"steps": 256, "block_length": 32, "strategy": "low_confidence", "temperature": 0.0}
    return f"diffusion: {d['steps']} steps, block {d['block_length']}, {d['strategy']}, temperature {d['temperature']:g}"


def evaluation_text(kind: str, evaluation: dict | None, eval_md: str, defaults: dict | None) -> str:
    """The card's evaluation table and five samples, or where they will come from before the eval has run."""
    if evaluation is None:
        return ("Not evaluated yet: after `python -m llada_demo eval`, `python -m training.model_card "
                "--eval EVAL.json` rewrites this card with the results and five samples.")
    samples = "\n\n".join(f"**Prompt:** {a['prompt']}\n\n```text\n{a[kind]['text'].strip()}\n```"
                           for a in evaluation["answers"][:5])
    decoding = decoding_text(kind, defaults)
    return f"""```bash
{EVAL_COMMAND}
```

{eval_md.split(chr(10), 1)[1].strip()}

## Five unedited samples

Answers to the first five evaluation prompts ({decoding}, 256 tokens, cut at the first end token):

{samples}"""


def card(kind: str, log: dict, evaluation: dict | None = None, eval_md: str = "", config: dict | None = None,
         defaults: dict | None = None, train_command: str | None = None) -> str:
    """The model card from the training log, with the eval's table and samples once there is an `evaluation`."""
    phases = log["phases"]
    data = log.get("data", {})
    command = train_command or TRAIN_COMMAND.format(kind=kind)
    return f"""---
license: mit
datasets:
- roneneldan/TinyStories
language:
- en
tags:
- {"masked-diffusion" if kind == "diffusion" else "causal-lm"}
- tinystories
- teaching
---

# Embedded teaching model: {"LLaDA-style diffusion" if kind == "diffusion" else "autoregressive twin"}

{DESCRIPTIONS[kind]}

| | |
|---|---|
| parameters | {log['parameters']:,} |
| shape | {shape_text(config)} |
| weights | bfloat16 safetensors (load in float32 on a CPU) |
| chat template | LLaDA-8B-Instruct's (Llama-3 style): `tokenizer.apply_chat_template(messages, add_generation_prompt=True)` |

## Data

{ATTRIBUTION} Deterministic split (seed {log.get('seed', 0)}): {data.get('train_stories', '?')} training stories,
{data.get('valid_stories', '?')} held out for validation; {data.get('train_tokens', 0):,} training tokens;
{data.get('sft_pairs', 0):,} instruction pairs ("Write a story about X and Y.", "Write a story that uses the
words: a, b, c.", "Continue this story: …", "Write a story that ends with: …").

## Training

```bash
{command}
```

Hardware: one {log.get('device_name', log.get('device'))} (torch {log.get('torch')}, transformers
{log.get('transformers')}), the diffusion model and its twin trained at the same time on the same GPU.
Wall time {log['seconds']:.0f} s; {log['tokens_seen']:,} tokens seen.

| phase | steps | tokens | seconds | best validation loss (step) |
|---|---|---|---|---|
| pretraining | {phases['pretrain']['steps']} | {phases['pretrain']['tokens']:,} | {phases['pretrain']['seconds']:.0f} | {phases['pretrain']['best_valid']:.4f} ({phases['pretrain']['best_step']}) |
| SFT | {phases['sft']['steps']} | {phases['sft']['tokens']:,} | {phases['sft']['seconds']:.0f} | {phases['sft']['best_valid']:.4f} ({phases['sft']['best_step']}) |

The best checkpoint by validation loss is kept.{_stop_note(kind, phases)}

## Evaluation

{evaluation_text(kind, evaluation, eval_md, defaults)}

## Limits

A teaching model: it writes simple TinyStories English and little else, repeats itself in long answers
(especially the diffusion model with few steps), and knows nothing of the world. Not for any other use.
"""


def _stop_note(kind: str, phases: dict) -> str:
    """Why pretraining ended, from the log (v1 logs carry no stop reason: their known story)."""
    reason = phases["pretrain"].get("stop_reason")
    if reason is None:
        return (" The diffusion model's pretraining stopped at its 5.4-minute cap, a little short of the twin's token "
                "count." if kind == "diffusion" else " The twin overfits the small data set early: its best "
                "pretraining checkpoint is from step " + str(phases['pretrain']['best_step']) + ".")
    what = {"time": "at its wall-clock cap", "patience": "early, its validation loss no longer improving",
            "budget": "at the end of its token budget"}[reason]
    return f" Pretraining stopped {what}; the kept checkpoint is from step {phases['pretrain']['best_step']}."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, required=True)
    parser.add_argument("--diffusion", type=Path, default=Path("assets/llada-tinystories"))
    parser.add_argument("--autoregressive", type=Path, default=Path("assets/ar-tinystories"))
    parser.add_argument("--recipe", choices=("v1", "v2"), default="v1", help="which training command the card shows")
    args = parser.parse_args(argv)
    evaluation = json.loads(args.eval.read_text())
    eval_md = args.eval.with_suffix(".md").read_text()
    for kind, folder in (("diffusion", args.diffusion), ("autoregressive", args.autoregressive)):
        log = json.loads((folder / "training_log.json").read_text())
        config = json.loads((folder / "config.json").read_text())
        defaults_path = folder / "sampling_defaults.json"
        defaults = json.loads(defaults_path.read_text()) if defaults_path.exists() else None
        command = V2_TRAIN_COMMAND.format(run=folder.name) if args.recipe == "v2" else None
        (folder / "README.md").write_text(card(kind, log, evaluation, eval_md, config, defaults, command),
                                          encoding="utf-8")
        (folder / "eval.json").write_text(json.dumps({k: evaluation[k] for k in ("settings", "heldout", "generation")},
                                                     indent=2))
        print(f"wrote {folder / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
