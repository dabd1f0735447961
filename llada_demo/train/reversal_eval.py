"""Measure the reversal curse: both models answer every held-out fact question, forward and backward.

Writes the same reversal.json into both model folders (the app's Reversal tab reads its questions and table).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from ..models.device import describe_device, pick_device, pick_dtype
from ..models.modeling_llada import LLaDAModelLM
from ..models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from ..sampling.autoregressive import autoregressive_generate
from ..sampling.sampler import generate
from ..scoring.answer import cut_at_stop
from ..scoring.fact_recall import REVERSAL_SETTINGS, RULE, accuracy, answer_correct
from .facts import DIRECTIONS, held_out_questions, make_facts, split_facts

FORMAT = "llada-demo-reversal/1"
PAPER = {
    "source": "Nie et al. 2025, Large Language Diffusion Models, reversal poem completion",
    "rows": [
        {"model": "LLaDA 8B Instruct", "forward": 48.8, "backward": 42.4},
        {"model": "GPT-4o", "forward": 82.7, "backward": 34.3},
        {"model": "Qwen2.5-7B Instruct", "forward": 75.9, "backward": 38.0},
    ],
}


@dataclass
class ReversalOptions:
    diffusion: Path = Path("assets/llada-facts")
    autoregressive: Path = Path("assets/ar-facts")
    device: str | None = None
    progress: bool = True
    train_questions: int = 40  # also ask this many training-people questions each way (did training take?)


def fact_settings(folder: Path) -> dict:
    """The fact-set options a model was fine-tuned with (its training_log.json), for rebuilding the same split."""
    path = Path(folder) / "training_log.json"
    log = json.loads(path.read_text()) if path.exists() else {}
    options = log.get("facts_finetune", {}).get("options")
    if not options:
        raise SystemExit(f"{folder} was not fine-tuned on the fact set (no facts_finetune in training_log.json)")
    return {name: options[name] for name in ("facts", "held_out", "seed", "name_tokens")}


def answer_text(tokenizer, region, stops) -> str:
    ids = cut_at_stop(region, stops, keep_stop=False).ids
    return tokenizer.decode(ids, skip_special_tokens=True).strip()


def ask_both(diffusion_model, ar_model, tokenizer, question: str) -> tuple[str, str]:
    """(diffusion answer, AR answer) to one question: the tab's diffusion settings, greedy AR."""
    ids = special_ids(tokenizer)
    prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": question}])
    diffusion_region = generate(diffusion_model, prompt, REVERSAL_SETTINGS).answer_ids
    ar_region = autoregressive_generate(ar_model, prompt, REVERSAL_SETTINGS.gen_length, mask_id=ids.mask,
                                        stop_ids=ids.stops).answer_ids
    return answer_text(tokenizer, diffusion_region, ids.stops), answer_text(tokenizer, ar_region, ids.stops)


def _table(rows: list[dict]) -> dict:
    return {model: {direction: accuracy(r[f"{model}_correct"] for r in rows if r["direction"] == direction)
                    for direction in DIRECTIONS} for model in ("diffusion", "autoregressive")}


def measure_reversal(options: ReversalOptions) -> dict:
    from transformers import LlamaForCausalLM  # imported here: loading transformers' model zoo is slow

    device = pick_device(options.device)
    facts = fact_settings(options.diffusion)
    if facts != fact_settings(options.autoregressive):
        raise SystemExit("the two models were fine-tuned on different fact sets")
    tokenizer = load_tokenizer(str(options.diffusion))
    dtype = pick_dtype(device)  # what the app runs them in on this machine
    diffusion_model = LLaDAModelLM.from_pretrained(str(options.diffusion), dtype=dtype).to(device).eval()
    ar_model = LlamaForCausalLM.from_pretrained(str(options.autoregressive), dtype=dtype).to(device).eval()
    split = split_facts(make_facts(facts["facts"], facts["seed"], tokenizer, facts["name_tokens"]),
                        facts["held_out"], facts["seed"])
    children = [f.child for f in split.facts]
    pets = [f.pet for f in split.facts]
    trained = [{"fact": f.statements()[0], "direction": d, "question": f.question(d)[0], "answer": f.question(d)[1],
                    "name": f.name(d)} for f in split.train[: options.train_questions] for d in DIRECTIONS]
    started = time.perf_counter()
    results = {}
    for part, questions in (("held_out", held_out_questions(split)), ("trained", trained)):
        rows = []
        for row in tqdm(questions, desc=f"{part} questions", disable=not options.progress):
            others = pets if row["direction"] == "forward" else children
            diffusion_answer, ar_answer = ask_both(diffusion_model, ar_model, tokenizer, row["question"])
            rows.append({**row, "diffusion_answer": diffusion_answer,
                         "diffusion_correct": answer_correct(diffusion_answer, row["name"], others),
                         "autoregressive_answer": ar_answer,
                         "autoregressive_correct": answer_correct(ar_answer, row["name"], others)})
        results[part] = rows
    report = {
        "format": FORMAT,
        "device": describe_device(device), "dtype": str(dtype).removeprefix("torch."),
        "seconds": round(time.perf_counter() - started, 1),
        "settings": {"diffusion": {k: getattr(REVERSAL_SETTINGS, k) for k in
                                   ("gen_length", "steps", "block_length", "strategy", "temperature")},
                     "autoregressive": {"gen_length": REVERSAL_SETTINGS.gen_length, "decoding": "greedy"}},
        "rule": RULE,
        "facts": {**facts, "people": len(split.facts), "training_people": len(split.train),
                  "held_out_people": len(split.held_out)},
        "names": {"children": children, "pets": pets},
        "accuracy": _table(results["held_out"]),
        "trained_accuracy": _table(results["trained"]),
        "held_out_questions": len(results["held_out"]),
        "trained_questions": len(results["trained"]),
        "paper": PAPER,
        "questions": results["held_out"],
        "trained_sample": results["trained"],
    }
    for folder in (options.diffusion, options.autoregressive):
        (Path(folder) / "reversal.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return report


def markdown(report: dict) -> str:
    """The table for the README and the model cards."""
    def pct(value):
        return "n/a" if value is None else f"{100 * value:.1f}"

    acc, trained = report["accuracy"], report["trained_accuracy"]
    lines = ["| model | forward (held-out) | backward (held-out) | forward (trained people) | backward (trained people) |",
             "|---|---|---|---|---|"]
    for model, label in (("diffusion", "embedded LLaDA (diffusion)"), ("autoregressive", "AR twin")):
        lines.append(f"| {label} | {pct(acc[model]['forward'])} | {pct(acc[model]['backward'])} | "
                     f"{pct(trained[model]['forward'])} | {pct(trained[model]['backward'])} |")
    return "\n".join(lines)
