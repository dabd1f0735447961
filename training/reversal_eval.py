"""Measure the reversal curse: both models answer every held-out fact question, forward and backward.

Writes the same reversal.json into both model folders (the app's Reversal tab reads its questions and table).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from llada_demo.models.device import describe_device, pick_device, pick_dtype
from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling.autoregressive import autoregressive_generate
from llada_demo.sampling.sampler import generate
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.fact_recall import (
    FILL_IN_DIRECTIONS,
    FILL_IN_QUESTION,
    REVERSAL_SETTINGS,
    RULE,
    accuracy,
    answer_correct,
    blanked_sentence,
    fill_in_template,
)

from .facts import DIRECTIONS, held_out_questions, make_facts, split_facts

FORMAT = "llada-demo-reversal/2"  # 2: adds the fill-in-the-blank probe ("fill_in", "fill_in_accuracy")
FILL_IN_HOW = {
    "diffusion": "the statement (after BOS, EOS at the end) with the name's tokens masked, the rest given; one block, "
                 "one token per pass, low_confidence, greedy; right when the filled tokens spell the name",
    "autoregressive_forward": "BOS and the statement's tokens before the pet's name, continued greedily for as many "
                              "tokens as the name has; right when they spell the name",
    "autoregressive_backward": "the chat question 'Fill in the blank: ___'s pet is ...' (the blank first), answered "
                               "greedily in 16 tokens; right by the question rule (names the child, no other child)",
}
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


def fill_in_both(diffusion_model, ar_model, tokenizer, statement: str, name: str, direction: str) -> dict:
    """One fill-in-the-blank probe for both models: what each wrote for the blank (see FILL_IN_HOW)."""
    ids = special_ids(tokenizer)
    template, positions = fill_in_template(tokenizer, statement, name, direction, ids.mask)
    template = template + [ids.eos]  # as in training: BOS, statement, EOS
    bos = torch.tensor([[ids.bos]], dtype=torch.long)
    settings = SamplingSettings(gen_length=len(template), steps=len(template), block_length=len(template),
                                strategy="low_confidence", temperature=0.0, seed=0)
    filled = generate(diffusion_model, bos, settings, answer=torch.tensor(template)).answer_ids
    diffusion_text = tokenizer.decode([int(filled[i]) for i in positions]).strip()
    if direction == "forward":
        prefix = torch.tensor([[ids.bos, *template[: positions[0]]]], dtype=torch.long)
        written = autoregressive_generate(ar_model, prefix, len(positions), mask_id=ids.mask, stop_ids=ids.stops)
        ar_text = tokenizer.decode(written.answer_ids.tolist()).strip()
        ar_prompt = tokenizer.decode(prefix[0].tolist(), skip_special_tokens=True)
    else:
        ar_prompt = FILL_IN_QUESTION.format(sentence=blanked_sentence(statement, name, direction))
        prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": ar_prompt}])
        region = autoregressive_generate(ar_model, prompt, REVERSAL_SETTINGS.gen_length, mask_id=ids.mask,
                                         stop_ids=ids.stops).answer_ids
        ar_text = answer_text(tokenizer, region, ids.stops)
    return {"direction": direction, "fact": statement, "name": name,
            "blanked": blanked_sentence(statement, name, direction), "autoregressive_prompt": ar_prompt,
            "diffusion_answer": diffusion_text, "autoregressive_answer": ar_text}


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
    fill_rows = []
    for fact in tqdm(split.held_out, desc="fill in the blank", disable=not options.progress):
        for direction in FILL_IN_DIRECTIONS:
            name = fact.name(direction)
            others = pets if direction == "forward" else children
            row = fill_in_both(diffusion_model, ar_model, tokenizer, fact.statements()[0], name, direction)
            for model in ("diffusion", "autoregressive"):
                text = row[f"{model}_answer"]
                # The blank's own tokens must be the name (and nothing else); the AR model's free answer
                # backward is graded by the question rule, since it may restate the sentence.
                exact = model == "diffusion" or direction == "forward"
                row[f"{model}_correct"] = (text.lower() == name.lower() if exact
                                           else answer_correct(text, name, others))
            fill_rows.append(row)
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
        "fill_in_accuracy": _table(fill_rows),
        "fill_in_how": FILL_IN_HOW,
        "paper": PAPER,
        "questions": results["held_out"],
        "trained_sample": results["trained"],
        "fill_in": fill_rows,
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
    fill = report.get("fill_in_accuracy")
    if fill:
        header = ("| fill in the blank (held-out people) | forward: pet's name at the end | "
                  "backward: child's name at the start |")
        lines += ["", header, "|---|---|---|"]
        for model, label in (("diffusion", "embedded LLaDA (diffusion)"), ("autoregressive", "AR twin")):
            lines.append(f"| {label} | {pct(fill[model]['forward'])} | {pct(fill[model]['backward'])} |")
    return "\n".join(lines)
