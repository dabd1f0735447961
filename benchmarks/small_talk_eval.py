"""Small talk, story quality and leaking turns of one embedded pair (shipped or fine-tuned), measured the same way.

    python -m benchmarks.small_talk_eval --label shipped                        # the shipped pair
    python -m benchmarks.small_talk_eval --label small-talk --diffusion runs/small-talk/diffusion \\
        --autoregressive runs/small-talk/autoregressive
    python -m benchmarks.small_talk_eval --compare A.json B.json               # the table and the ship rule

Three measures per model:
- story NLL per token on held-out text (tinystories-valid.txt, never trained on): fixed windows; the diffusion
  model's is its likelihood bound with fixed masks (the same masks for every model), the twin's the exact NLL;
- greetings answered non-empty and on topic: the eval's 20 (greetings.py; 10 of them in no SFT data);
- story requests answered with a story (and, reported, naming what was asked): the eval's 20
  (story_requests.py; 10 phrased in forms no SFT data uses), so small talk cannot win by answering every
  message with small talk;
- turns that leak: 20 two-turn conversations. Turn 1 asks for a story about a name and a thing and is answered by
  a held-out story about them; turn 2 asks for a story about another name and thing. An answer leaks when it
  names the first turn's name or thing (whole word, any case). Asked with the earlier turn (what the chat sent
  before the "Remember earlier turns" switch) and with the newest message alone (the switch off).

The answers use one fixed setting for every model (below), so rows compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import time
from pathlib import Path

import torch

from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound
from llada_demo.scoring.text_metrics import uses_word
from training.batch_sampler import autoregressive_answers, diffusion_answers
from training.data import DEFAULT_VALID_FILE, read_text_stream, stream_windows
from training.eval_data import _training_log, heldout_stories
from training.eval_options import EvalOptions
from training.greetings import EVAL_GREETINGS, SEEN_IN_SFT, on_topic
from training.instructions import THINGS, _mentions, character_name
from training.scorecard import load_model
from training.small_talk_rule import compare, table
from training.story_requests import EVAL_STORY_REQUESTS, SEEN_FORMS, is_story, names_subject

RESULTS = Path(__file__).parent / "results"
# 64 tokens: the on-topic rule reads the first 12 words, and a leaked subject is named in the first sentences;
# half the answer keeps the eval within a shared 2-core machine's minutes. Two tokens per pass, as the chat had.
SETTINGS = {"gen_length": 64, "steps": 32, "block_length": 32, "strategy": "low_confidence", "temperature": 0.5}
WINDOWS, WINDOW_LEN, BOUND_SAMPLES = 48, 256, 4
CONVERSATIONS = 20


def subject(story: str) -> tuple[str, str] | None:
    """(name, thing) a story is about, both words it names; None when it has no name or no one-word thing."""
    name, things = character_name(story), [t for t in _mentions(story, THINGS) if t not in ("ice", "cream")]
    if name is None or not things:
        return None
    return name, things[0]


def conversations(count: int, seed: int = 0) -> list[dict]:
    """Two-turn conversations from held-out stories, each story used once: turn 1 about one story's subject
    (answered by that story), turn 2 asking about the next story's subject, which shares no word with it."""
    stories, _ = heldout_stories(EvalOptions(), _training_log(Path("assets/llada-tinystories")))
    rng = random.Random(seed)
    about = [(story, s) for story in stories if len(story) <= 1100 and (s := subject(story))]
    rng.shuffle(about)
    result, index = [], 0
    while len(result) < count and index + 1 < len(about):
        (story, first), (_, second) = about[index], about[index + 1]
        index += 1
        if {w.lower() for w in first} & {w.lower() for w in second}:
            continue
        index += 1
        result.append({"first": list(first), "second": list(second), "history": [
            {"role": "user", "content": f"Write a story about {first[0]} and a {first[1]}."},
            {"role": "assistant", "content": story}],
            "message": f"Now write a story about {second[0]} and a {second[1]}."})
    return result


def answers(model, tokenizer, kind: str, message_lists: list[list[dict]], settings: dict = SETTINGS,
            seed: int = 0) -> list[dict]:
    """Each conversation's answer (cut at the first stop token) under `settings` (SETTINGS, or another block)."""
    ids = special_ids(tokenizer)
    encoded = [chat_prompt_ids(tokenizer, messages) for messages in message_lists]
    if kind == "diffusion":
        regions = diffusion_answers(model, encoded, SamplingSettings(**settings, seed=seed))
    else:
        regions = autoregressive_answers(model, encoded, settings["gen_length"], ids.stops, ids.eos,
                                         temperature=settings["temperature"], seed=seed)
    result = []
    for region in regions:
        tokens, finished = cut_at_stop(region, ids.stops, keep_stop=False)
        result.append({"text": tokenizer.decode(tokens, skip_special_tokens=True).strip(), "finished": finished})
    return result


def story_nll(model, kind: str, tokenizer) -> float:
    valid = tokenizer(read_text_stream(DEFAULT_VALID_FILE), add_special_tokens=False)["input_ids"]
    windows = stream_windows(valid, WINDOW_LEN, WINDOWS)
    scored = torch.ones_like(windows, dtype=torch.bool)
    if kind == "diffusion":
        masks = torch.Generator().manual_seed(7)  # the same masks for every model measured
        return float(diffusion_nll_bound(model, windows, scored, BOUND_SAMPLES, masks, 16).mean())
    total, count = autoregressive_nll(model, windows, scored, 16)
    return float(total.sum() / count.sum())


def measure(folder: Path, kind: str, talks: list[dict], log, modes=("with earlier turn", "newest message only"),
            bf16: bool = False, settings: dict = SETTINGS) -> dict:
    model, tokenizer = load_model(folder, kind, torch.device("cpu")), load_tokenizer(str(folder))
    started = time.perf_counter()
    with torch.no_grad():
        nll = story_nll(model, kind, tokenizer)
    log(f"{kind} {folder}: story NLL {nll:.4f}")
    # bf16 autocast (the answers only; the NLL stays fp32): about half the time on a CPU with bf16 units.
    precision = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    with precision:
        greeted = answers(model, tokenizer, kind, [[{"role": "user", "content": text}] for _, text in EVAL_GREETINGS],
                          settings)
    on = [on_topic(a["text"], category) for a, (category, _) in zip(greeted, EVAL_GREETINGS)]
    log(f"{kind}: greetings on topic {sum(on)}/{len(on)} (unseen {sum(on[SEEN_IN_SFT:])}/{len(on) - SEEN_IN_SFT})")
    with precision:
        told = answers(model, tokenizer, kind, [[{"role": "user", "content": text}] for text, _ in EVAL_STORY_REQUESTS],
                       settings)
    stories = [is_story(a["text"]) for a in told]
    named = [ok and names_subject(a["text"], subject)
             for ok, a, (_, subject) in zip(stories, told, EVAL_STORY_REQUESTS)]
    log(f"{kind}: story requests answered with a story {sum(stories)}/{len(stories)} "
        f"(unseen forms {sum(stories[SEEN_FORMS:])}/{len(stories) - SEEN_FORMS}), naming the subject {sum(named)}")
    leaks = {}
    for mode in modes:
        lists = [(t["history"] if mode == "with earlier turn" else []) + [{"role": "user", "content": t["message"]}]
                 for t in talks]
        with precision:
            replies = answers(model, tokenizer, kind, lists, settings)
        leaked = [any(uses_word(r["text"], w) for w in t["first"]) for r, t in zip(replies, talks)]
        on_new = [any(uses_word(r["text"], w) for w in t["second"]) for r, t in zip(replies, talks)]
        leaks[mode] = {"leaked": sum(leaked), "on_new_subject": sum(on_new), "of": len(talks),
                       "answers": [r["text"] for r in replies]}
        log(f"{kind} {mode}: {sum(leaked)}/{len(talks)} about the first turn's subject, {sum(on_new)} name the new one")
    return {"folder": str(folder), "kind": kind, "story_nll": nll, "greetings_on_topic": sum(on) / len(on),
            "greetings_on_topic_unseen": sum(on[SEEN_IN_SFT:]) / (len(on) - SEEN_IN_SFT),
            "greetings": [{"message": text, "answer": a["text"], "on_topic": o}
                          for (_, text), a, o in zip(EVAL_GREETINGS, greeted, on)],
            "story_requests": sum(stories) / len(stories),
            "story_requests_unseen": sum(stories[SEEN_FORMS:]) / (len(stories) - SEEN_FORMS),
            "story_requests_naming_subject": sum(named) / len(named),
            "stories": [{"message": text, "answer": a["text"], "story": ok, "names_subject": n}
                        for (text, _), a, ok, n in zip(EVAL_STORY_REQUESTS, told, stories, named)],
            "turns": leaks, "answers_precision": "bf16 autocast" if bf16 else "fp32",
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="shipped")
    parser.add_argument("--diffusion", type=Path, default=Path("assets/llada-tinystories"))
    parser.add_argument("--autoregressive", type=Path, default=Path("assets/ar-tinystories"))
    parser.add_argument("--only", choices=("diffusion", "autoregressive"), default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bf16", action="store_true", help="answers under bf16 autocast (the NLL stays fp32)")
    parser.add_argument("--block", type=int, default=SETTINGS["block_length"],
                        help="the answers' block length (a diagnosis: rows compare only at the same block)")
    parser.add_argument("--earlier-turn-only", action="store_true",
                        help="leaks only with the earlier turn (the newest-message-only figure is the switch's)")
    parser.add_argument("--out", type=Path, default=None, help="default benchmarks/results/cpu_small_talk_LABEL.json")
    parser.add_argument("--compare", nargs=2, type=Path, default=None, help="two results: before, after")
    options = parser.parse_args(argv)
    if options.compare:
        before, after = (json.loads(p.read_text()) for p in options.compare)
        result = compare(before, after)
        result["markdown"] = table(result, (before["label"], after["label"]))
        print(result["markdown"])
        print(("SHIP" if result["ship"] else "DO NOT SHIP") + f" ({result['rule']})")
        return result
    settings = {**SETTINGS, "block_length": options.block}
    torch.set_num_threads(options.threads)
    started = time.perf_counter()

    def log(text):
        print(f"[{time.perf_counter() - started:6.0f} s] {text}", flush=True)

    talks = conversations(CONVERSATIONS)
    out = options.out or RESULTS / f"cpu_small_talk_{options.label}.json"
    result = json.loads(out.read_text()) if out.is_file() else {}
    result.update({"format": "llada-demo-small-talk-eval/1", "label": options.label, "settings": settings,
                   "story_windows": [WINDOWS, WINDOW_LEN], "bound_samples": BOUND_SAMPLES, "conversations": talks})
    result.setdefault("models", {})
    kinds = (options.only,) if options.only else ("diffusion", "autoregressive")
    for kind in kinds:
        modes = ("with earlier turn",) if options.earlier_turn_only else ("with earlier turn", "newest message only")
        result["models"][kind] = measure(getattr(options, kind), kind, talks, log, modes, options.bf16,
                                         settings)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"-> {out}")
    return result


if __name__ == "__main__":
    main()
