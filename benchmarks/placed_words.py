"""How often an answer uses every requested word: diffusion with the words placed, with them only asked for, the AR twin.

    python -m benchmarks.placed_words            # 50 prompts, about four minutes on a 2-core CPU
    python -m benchmarks.placed_words --prompts 5 --out /tmp/p.json

Three words per prompt, drawn deterministically from held-out stories the way the eval's "uses the words"
prompts are (training/instructions.py). A word counts as used when the answer's text (cut at its first stop
token) holds it as a whole word, any case (placed_words.uses_word: "dragon's" counts, "dragons" does not).
Fluency: rep-4 and the autoregressive twin's perplexity of each answer (through its stop token), all judged
after the same prompt ("Write a story. Use these words: …"), so the rows compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import time
from pathlib import Path

import torch
from tqdm import tqdm

from llada_demo.models.device import describe_device
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.models.tokenizer import chat_prompt_ids
from llada_demo.modes.placed_words import WordRequest, place_words, with_words, words_used
from llada_demo.sampling import SamplingSettings
from llada_demo.sampling.autoregressive import autoregressive_generate, autoregressive_settings
from llada_demo.sampling.sampler import generate
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.judge import answer_nll, pooled
from llada_demo.scoring.text_metrics import repetition_rate
from training.data import DEFAULT_VALID_FILE
from training.instructions import make_instruction

RESULT = Path(__file__).parent / "results" / "cpu_placed_words.json"
BASE_MESSAGE = "Write a story."
# (key, label, model kind, words placed in the answer, words asked for in the prompt)
VARIANTS = (
    ("placed", "Diffusion, words placed (prompt without them)", "diffusion", True, False),
    ("placed_asked", "Diffusion, words placed and asked for in the prompt", "diffusion", True, True),
    ("asked", "Diffusion, words only asked for in the prompt", "diffusion", False, True),
    ("ar_asked", "Autoregressive twin, words asked for in the prompt", "autoregressive", False, True),
)


def word_prompts(path: Path, count: int, seed: int) -> list[tuple[str, ...]]:
    """`count` triples of content words, each from one held-out paragraph, in a seeded order."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if len(p.strip()) > 200]
    rng = random.Random(seed)
    rng.shuffle(paragraphs)
    triples = []
    for paragraph in paragraphs:
        instruction = make_instruction(paragraph, "words", rng)
        if instruction is not None:
            triples.append(instruction.words)
        if len(triples) == count:
            break
    return triples


def answer(variant, words, models, settings: SamplingSettings,
           whole_words: bool = True) -> tuple[list[int], bool, float]:
    """(answer ids through the stop token, finished, seconds) for one prompt and variant."""
    _, _, kind, placed, asked = variant
    loaded = models[kind]
    message = with_words(BASE_MESSAGE, words) if asked else BASE_MESSAGE
    prompt = chat_prompt_ids(loaded.tokenizer, [{"role": "user", "content": message}])
    started = time.perf_counter()
    if kind == "diffusion":
        template = forbid = None
        if placed:
            placement = place_words(loaded.tokenizer, [WordRequest(w) for w in words], settings.gen_length,
                                    loaded.special.mask)
            template = placement.template
            forbid = placement.forbid(loaded.tokenizer) if whole_words else None
        trace = generate(loaded.model, prompt, settings, stop_ids=loaded.special.stops, answer=template,
                         forbid=forbid)
    else:
        trace = autoregressive_generate(loaded.model, prompt, autoregressive_settings(settings.gen_length),
                                        mask_id=loaded.special.mask, stop_ids=loaded.special.stops)
    seconds = time.perf_counter() - started
    cut = cut_at_stop(trace.answer_ids, loaded.special.stops, keep_stop=True, mask_id=loaded.special.mask)
    return cut.ids, cut.finished, seconds


def weights_id(loaded) -> str | None:
    """The first 12 hex digits of the model's weights file's SHA-256 (which weights were measured), if local."""
    path = Path(loaded.spec.source) / "model.safetensors"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None


def measure(options) -> dict:
    models = {"diffusion": load_model(options.diffusion), "autoregressive": load_model(options.autoregressive)}
    judge, tokenizer, stops = models["autoregressive"], models["diffusion"].tokenizer, models["diffusion"].special.stops
    settings = SamplingSettings(gen_length=options.gen_length, steps=options.steps, block_length=options.block_length,
                                strategy="low_confidence", temperature=0.0, seed=0)
    triples = word_prompts(Path(options.stories), options.prompts, options.seed)
    rows, examples, misses = {}, {}, {}
    chosen = [v for v in VARIANTS if not options.only or v[0] in options.only]
    progress = tqdm(total=len(chosen) * len(triples), desc="answers", disable=options.quiet)
    for variant in VARIANTS:
        key = variant[0]
        if options.only and key not in options.only:
            continue
        all_used, shares, reps, scores, seconds, finished = [], [], [], [], [], []
        for words in triples:
            ids, done, took = answer(variant, words, models, settings, not options.glue_allowed)
            text = tokenizer.decode([i for i in ids if i not in stops], skip_special_tokens=False)
            used = words_used(text, words)
            judged_prompt = chat_prompt_ids(judge.tokenizer, [{"role": "user",
                                                               "content": with_words(BASE_MESSAGE, words)}])
            all_used.append(all(used))
            shares.append(sum(used) / len(used))
            reps.append(repetition_rate(text, 4))
            scores.append(answer_nll(judge.model, judged_prompt, ids))
            seconds.append(took)
            finished.append(done)
            examples.setdefault(key, {"words": list(words), "text": text, "used": used})
            if not all(used) and len(misses.setdefault(key, [])) < 5:  # what a missed word looked like
                misses[key].append({"words": list(words), "text": text, "used": used})
            progress.update()
        total, count = pooled(scores)
        rows[key] = {
            "label": variant[1], "all_words_used": sum(all_used) / len(all_used), "words_used": sum(shares) / len(shares),
            "rep4": sum(reps) / len(reps), "judge_perplexity": math.exp(total / max(count, 1)),
            "finished": sum(finished) / len(finished), "seconds_per_answer": sum(seconds) / len(seconds),
        }
    progress.close()
    return {
        "format": "llada-demo-placed-words/1",
        "device": describe_device(models["diffusion"].device), "threads": torch.get_num_threads(),
        "models": {kind: {"name": loaded.spec.name, "weights_sha256": weights_id(loaded)}
                   for kind, loaded in models.items()},
        "settings": {"gen_length": settings.gen_length, "steps": settings.steps,
                     "block_length": settings.block_length, "strategy": settings.strategy,
                     "temperature": settings.temperature, "autoregressive": "greedy, same length"},
        "prompts": len(triples), "words_per_prompt": 3, "stories": str(options.stories), "seed": options.seed,
        "whole_words": "no word-continuing token right after a placed word (word_boundaries)"
                       if not options.glue_allowed else "off (--glue-allowed: as before the constraint)",
        "rule": "a word is used when the answer text (cut at its first stop token) holds it as a whole word, "
                "any case",
        "judge": "autoregressive twin, perplexity through the stop token after 'Write a story. Use these words: …'",
        "rows": rows, "examples": examples, "misses": misses,
    }


def table(result: dict) -> str:
    s = result["settings"]
    heading = (f"{result['prompts']} prompts × 3 words, {s['gen_length']}-token answers ({s['steps']} steps, block "
               f"{s['block_length']}, {s['strategy']}, greedy), {result['device']}, {result['threads']} thread(s).")
    lines = [heading,
             "",
             "| Run | All words used | Words used | rep-4 (lower is better) | Twin's perplexity | Finished | s/answer |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in result["rows"].values():
        lines.append(f"| {row['label']} | {row['all_words_used']:.0%} | {row['words_used']:.0%} | {row['rep4']:.3f} | "
                     f"{row['judge_perplexity']:.2f} | {row['finished']:.0%} | {row['seconds_per_answer']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--gen-length", type=int, default=64)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--block-length", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stories", default=str(DEFAULT_VALID_FILE))
    parser.add_argument("--diffusion", default=default_model_name("diffusion"))
    parser.add_argument("--autoregressive", default=default_model_name("autoregressive"))
    parser.add_argument("--out", default=str(RESULT))
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: the small models gain little "
                        "from more, and a shared machine loses less)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--glue-allowed", action="store_true", help="without the whole-word constraint (the "
                        "behaviour before it), for a before/after figure")
    parser.add_argument("--only", nargs="*", default=None, help="measure only these variants (keys)")
    options = parser.parse_args(argv)
    torch.set_num_threads(options.threads)
    result = measure(options)
    result["markdown"] = table(result)
    Path(options.out).parent.mkdir(parents=True, exist_ok=True)
    Path(options.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(result["markdown"])
    return result


if __name__ == "__main__":
    main()
