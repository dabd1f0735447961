"""One table for several models (the new pair, the shipped pair, ...): the same story prompts and 20
greetings, each model with its own `sampling_defaults.json`, every answer scored by one judge (an AR twin).

Columns are models; rows: greetings non-empty and on topic (rule in greetings.py), required words used,
rep-4, distinct-2, the judge's perplexity of the answers, answers that finish, mean answer tokens.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.scoring import text_metrics as metrics
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.judge import answer_nll, pooled, reencoded

from .batch_sampler import autoregressive_answers, diffusion_answers
from .greetings import EVAL_GREETINGS, SEEN_IN_SFT, on_topic
from .instructions import eval_instructions
from .sampling_defaults import diffusion_settings, read_defaults


def scorecard_prompts(stories, count: int, seed: int, greetings: int = len(EVAL_GREETINGS)) -> list[dict]:
    """The eval's story prompts (the same as `eval`'s) and the first `greetings` greetings."""
    rows = [{"kind": i.kind, "prompt": i.prompt, "words": list(i.words), "ending": i.ending}
            for i in eval_instructions(stories, count, seed)]
    rows += [{"kind": "greeting", "category": category, "prompt": text, "seen_in_sft": index < SEEN_IN_SFT}
             for index, (category, text) in enumerate(EVAL_GREETINGS[:greetings])]
    return rows


def load_model(folder: Path, kind: str, device: torch.device):
    if kind == "diffusion":
        from llada_demo.models.modeling_llada import LLaDAModelLM

        return LLaDAModelLM.from_pretrained(str(folder), dtype=torch.float32).to(device).eval()
    from transformers import LlamaForCausalLM  # imported here: transformers' model zoo loads slowly

    return LlamaForCausalLM.from_pretrained(str(folder), dtype=torch.float32).to(device).eval()


def answer_folder(folder: Path, kind: str, prompts: list[dict], device: torch.device, seed: int = 0,
                  gen_length: int | None = None) -> tuple[list[dict], dict]:
    """answer_prompts with the folder's model, tokenizer and own sampling defaults."""
    model = load_model(folder, kind, device)
    return answer_prompts(model, load_tokenizer(str(folder)), kind, read_defaults(folder, kind), prompts, seed,
                          gen_length)


def answer_prompts(model, tokenizer, kind: str, values: dict, prompts: list[dict], seed: int = 0,
                   gen_length: int | None = None) -> tuple[list[dict], dict]:
    """Each prompt's answer text (cut at the first stop token) under the sampling defaults `values`."""
    ids = special_ids(tokenizer)
    encoded = [chat_prompt_ids(tokenizer, [{"role": "user", "content": p["prompt"]}]) for p in prompts]
    started = time.perf_counter()
    if kind == "diffusion":
        settings = diffusion_settings(values, gen_length, seed)
        regions = diffusion_answers(model, encoded, settings)
        used = {"gen_length": settings.gen_length, "steps": settings.steps, "block_length": settings.block_length,
                "strategy": settings.strategy, "temperature": settings.temperature}
    else:
        length = gen_length or values["gen_length"]
        regions = autoregressive_answers(model, encoded, length, ids.stops, ids.eos,
                                         temperature=float(values["temperature"]), seed=seed)
        used = {"gen_length": length, "temperature": float(values["temperature"])}
    seconds = time.perf_counter() - started
    answers = []
    for region in regions:
        tokens, finished = cut_at_stop(region, ids.stops, keep_stop=False)
        answers.append({"text": tokenizer.decode(tokens, skip_special_tokens=True).strip(), "tokens": len(tokens),
                        "finished": finished})
    return answers, {"settings": used, "seconds": seconds}


def judge_answers(judge, tokenizer, prompts: list[dict], answers: list[dict]) -> list[tuple[float, int]]:
    """(sum of the judge's -log p, tokens) of each answer text through its stop token, given its prompt.

    The text is re-tokenised with the judge's tokenizer, so models with another vocabulary can be judged.
    """
    ids = special_ids(tokenizer)
    stop = ids.eot if ids.eot is not None else ids.eos
    scores = []
    for prompt, answer in zip(prompts, answers):
        context = chat_prompt_ids(tokenizer, [{"role": "user", "content": prompt["prompt"]}])[0]
        body = reencoded(tokenizer, answer["text"], stop if answer["finished"] else None)
        scores.append(answer_nll(judge, context, body))
    return scores


def summarise_answers(prompts: list[dict], answers: list[dict], judged: list[tuple[float, int]]) -> dict:
    """The table's numbers for one model."""
    stories = [(p, a) for p, a in zip(prompts, answers) if p["kind"] != "greeting"]
    greetings = [(p, a) for p, a in zip(prompts, answers) if p["kind"] == "greeting"]
    words = [metrics.words_share(a["text"], p["words"]) for p, a in stories if p["kind"] == "words"]
    total, count = pooled(judged)
    unseen = [on_topic(a["text"], p["category"]) for p, a in greetings if not p["seen_in_sft"]]

    def mean(values):
        return float(np.mean(values)) if len(values) else None

    return {
        "greetings": len(greetings),
        "greetings_non_empty": mean([bool(a["text"].strip()) for _, a in greetings]),
        "greetings_on_topic": mean([on_topic(a["text"], p["category"]) for p, a in greetings]),
        "greetings_on_topic_unseen": mean(unseen),
        "words_share": mean(words),
        "repetition_rate": mean([metrics.repetition_rate(a["text"], 4) for _, a in stories]),
        "distinct_2": mean([metrics.distinct_n(a["text"], 2) for _, a in stories]),
        "judge_nll_per_token": total / count if count else None,
        "judge_perplexity": math.exp(total / count) if count else None,
        "finished_share": mean([a["finished"] for _, a in stories]),
        "mean_answer_tokens": mean([a["tokens"] for _, a in stories]),
    }


ROWS = (
    ("greetings_on_topic", "Greetings answered non-empty and on topic (20; rule: greetings.py)", 2),
    ("greetings_on_topic_unseen", "… of the 10 greetings not in the SFT data", 2),
    ("words_share", "Required words used ('uses the words')", 3),
    ("repetition_rate", "rep-4 (lower is better)", 3),
    ("distinct_2", "distinct-2 (higher: more varied)", 3),
    ("judge_perplexity", "Judge's perplexity of the answers", 2),
    ("finished_share", "Answers that finish (stop token within the length)", 3),
    ("mean_answer_tokens", "Mean answer tokens", 1),
)


def _cell(value, digits):
    return "n/a" if value is None or (isinstance(value, float) and not math.isfinite(value)) else f"{value:.{digits}f}"


def markdown_table(card: dict) -> str:
    labels = [m["label"] for m in card["models"]]
    lines = [f"Judge: {card['judge']} (the twin's perplexity of every column's answers through the stop token). "
             f"{card['story_prompts']} story prompts from held-out stories and {card['greetings']} greetings; each "
             "model decodes with its own sampling_defaults.json:", ""]
    for model in card["models"]:
        lines.append(f"- {model['label']}: `{model['folder']}`, {model['kind']}, {model['parameters']:,} parameters, "
                     f"{json.dumps(model['settings'])}")
    lines += ["", "| Metric | " + " | ".join(labels) + " |", "| --- |" + " --- |" * len(labels)]
    for key, title, digits in ROWS:
        lines.append(f"| {title} | " + " | ".join(_cell(m["summary"][key], digits) for m in card["models"]) + " |")
    return "\n".join(lines) + "\n"


def run_scorecard(models: list[tuple[str, Path, str]], judge: Path, stories, prompts: int, device: torch.device,
                  seed: int = 0, greetings: int = len(EVAL_GREETINGS), gen_length: int | None = None) -> dict:
    """models: (label, folder, kind). Returns the card (with "markdown" and every answer)."""
    rows = scorecard_prompts(stories, prompts, seed, greetings)
    judge_tokenizer = load_tokenizer(str(judge))
    judge_model = load_model(judge, "autoregressive", device)
    card = {"format": "llada-demo-scorecard/1", "judge": str(judge), "story_prompts": prompts,
            "greetings": greetings, "prompts": rows, "models": []}
    for label, folder, kind in models:
        answers, info = answer_folder(Path(folder), kind, rows, device, seed, gen_length)
        judged = judge_answers(judge_model, judge_tokenizer, rows, answers)
        with open(Path(folder) / "config.json") as handle:
            config = json.load(handle)
        card["models"].append({
            "label": label, "folder": str(folder), "kind": kind, **info,
            "parameters": _parameters(config, kind), "summary": summarise_answers(rows, answers, judged),
            "answers": [a["text"] for a in answers],
        })
    card["markdown"] = markdown_table(card)
    return card


def _parameters(config: dict, kind: str) -> int:
    """Parameters from the config (no need to keep each model loaded): embeddings, head, blocks, norms."""
    if kind == "diffusion":
        d, layers, mlp, vocab = config["d_model"], config["n_layers"], config["mlp_hidden_size"], config["embedding_size"]
    else:
        d, layers, mlp = config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"]
        vocab = config["vocab_size"]
    return 2 * vocab * d + layers * (4 * d * d + 3 * d * mlp + 2 * d) + d
