"""Compare the diffusion model with its AR twin: held-out likelihoods, then answers to fixed prompts."""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from llada_demo.models.device import describe_device, pick_device
from llada_demo.models.modeling_llada import LLaDAModelLM
from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling.autoregressive import autoregressive_generate
from llada_demo.sampling.sampler import generate
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.scoring import text_metrics as metrics
from llada_demo.scoring.answer import cut_at_stop
from llada_demo.scoring.judge import answer_bound, answer_nll
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound

from .data import (
    DEFAULT_TRAIN_FILE,
    DEFAULT_VALID_FILE,
    load_hf_stories,
    read_stories,
    read_text_stream,
    split_stories,
    stream_windows,
)
from .instructions import KINDS, eval_instructions


@dataclass
class EvalOptions:
    """What to evaluate and how much: windows x samples for the likelihoods, prompts x tokens for answers."""

    diffusion: Path = Path("runs/tiny/diffusion")
    autoregressive: Path = Path("runs/tiny/autoregressive")
    valid_file: Path | None = None
    train_file: Path | None = None
    hf_dataset: bool = False
    out_json: Path | None = None
    out_md: Path | None = None
    prompts: int = 50
    windows: int = 400
    window_length: int = 256
    samples: int = 8
    gen_length: int = 256
    steps: int | None = None
    block_length: int = 32
    batch_size: int = 32
    device: str | None = None
    seed: int = 0
    smoke: bool = False
    progress: bool = True
    batched: bool = False  # answers through batch_sampler (identical tokens at temperature 0, much faster)
    strategy: str = "low_confidence"
    temperature: float = 0.0


def eval_options(args) -> EvalOptions:
    """EvalOptions from parsed `eval` arguments; --smoke shrinks everything to a CPU test's size."""
    options = EvalOptions(diffusion=args.diffusion, autoregressive=args.autoregressive, valid_file=args.valid_file,
                          train_file=args.train_file, hf_dataset=args.hf_dataset, out_json=args.out_json,
                          out_md=args.out_md, device=args.device, seed=args.seed, smoke=args.smoke,
                          progress=not args.no_progress, batched=getattr(args, "batched", False))
    if args.smoke:
        # Four prompts, one of each kind, so every code path runs; 128 tokens so the tiny tokenizer's
        # long endings still fit the answer for the infill, in few steps to stay fast.
        options = replace(options, prompts=4, windows=2, window_length=64, samples=2, gen_length=128, steps=32,
                          block_length=32)
    if getattr(args, "use_defaults", False):
        # The diffusion model's own sampling_defaults.json, at the eval's answer length.
        from .sampling_defaults import diffusion_settings, read_defaults

        chosen = diffusion_settings(read_defaults(args.diffusion, "diffusion"), options.gen_length)
        options = replace(options, steps=chosen.steps, block_length=chosen.block_length, strategy=chosen.strategy,
                          temperature=chosen.temperature)
    sizes = ("prompts", "windows", "samples", "gen_length", "steps", "block_length")
    given = {name: getattr(args, name) for name in sizes if getattr(args, name, None) is not None}
    return replace(options, **given)


# ---------------------------------------------------------------- part 1: likelihood of held-out text

def mean_and_error(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    error = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")
    return {"mean": float(values.mean()), "stderr": error, "n": int(len(values))}


def heldout_likelihood(diffusion_model, ar_model, windows: torch.LongTensor, bos: int | None, options: EvalOptions
                       ) -> dict:
    """Per-token NLL of each window after a BOS: the diffusion model's bound, the twin's exact value.

    Both score the same tokens given the same (empty) context, so the two numbers compare; the
    bound is an upper bound, so the diffusion model's true NLL is at most its value.
    """
    if bos is not None:
        windows = torch.cat([torch.full((len(windows), 1), bos, dtype=torch.long), windows], dim=1)
    scored = torch.ones_like(windows, dtype=torch.bool)
    if bos is not None:
        scored[:, 0] = False
    generator = torch.Generator().manual_seed(options.seed)
    bounds, nlls = [], []
    chunk = max(1, options.batch_size // max(options.samples, 1))
    for lo in tqdm(range(0, len(windows), chunk), desc="held-out windows", disable=not options.progress):
        ids, mask = windows[lo:lo + chunk], scored[lo:lo + chunk]
        bounds += diffusion_nll_bound(diffusion_model, ids, mask, options.samples, generator, options.batch_size
                                      ).tolist()
        total, count = autoregressive_nll(ar_model, ids, mask, options.batch_size)
        nlls += (total / count).tolist()
    diffusion, autoregressive = mean_and_error(bounds), mean_and_error(nlls)
    return {
        "windows": len(windows), "tokens_per_window": int(scored[0].sum()), "mc_samples": options.samples,
        "diffusion_nll_bound": diffusion, "diffusion_perplexity_bound": math.exp(diffusion["mean"]),
        "autoregressive_nll": autoregressive, "autoregressive_perplexity": math.exp(autoregressive["mean"]),
    }


# ---------------------------------------------------------------- part 2: answers to fixed prompts

def answer_text(tokenizer, ids: list[int], stops) -> str:
    return tokenizer.decode([i for i in ids if i not in stops], skip_special_tokens=False)


def infill_ending(diffusion_model, tokenizer, prompt: torch.LongTensor, ending: str, settings: SamplingSettings
                  ) -> np.ndarray | None:
    """Answer region with the ending (then `<|eot_id|>`) fixed at its end and diffusion filling the rest."""
    ids = special_ids(tokenizer)
    # A leading space: inside a story the last sentence follows a space, and byte-level BPE keeps it.
    tail = tokenizer(" " + ending.strip(), add_special_tokens=False)["input_ids"]
    tail += [ids.eot] if ids.eot is not None else [ids.eos]
    if len(tail) >= settings.gen_length:
        return None
    answer = torch.full((settings.gen_length,), ids.mask, dtype=torch.long)
    answer[-len(tail):] = torch.tensor(tail)
    return generate(diffusion_model, prompt, settings, answer=answer).answer_ids


def answer_metrics(text: str, instruction) -> dict:
    result = {"distinct_2": metrics.distinct_n(text, 2), "repetition_rate": metrics.repetition_rate(text, 4)}
    if instruction.kind == "words":
        result["words_share"] = metrics.words_share(text, instruction.words)
    if instruction.kind == "ends":
        result["ending_kept"] = float(metrics.ending_kept(text, instruction.ending))
        result["ending_present"] = float(metrics.ending_present(text, instruction.ending))
    return result


def batched_regions(diffusion_model, ar_model, tokenizer, instructions, settings: SamplingSettings) -> dict:
    """Both models' answer regions for all prompts at once; seconds are per answer (the batch's time / N)."""
    from .batch_sampler import autoregressive_answers, diffusion_answers

    ids = special_ids(tokenizer)
    prompts = [chat_prompt_ids(tokenizer, [{"role": "user", "content": i.prompt}]) for i in instructions]
    started = time.perf_counter()
    diffusion = diffusion_answers(diffusion_model, prompts, settings)
    middle = time.perf_counter()
    autoregressive = autoregressive_answers(ar_model, prompts, settings.gen_length, ids.stops, ids.eos)
    count = max(1, len(prompts))
    seconds = ((middle - started) / count, (time.perf_counter() - middle) / count)
    return {"diffusion": diffusion, "autoregressive": autoregressive, "seconds": seconds}


def prompt_answers(diffusion_model, ar_model, tokenizer, instructions, options: EvalOptions) -> list[dict]:
    """Both models answer every prompt; each answer is scored by text metrics and by the other model."""
    ids = special_ids(tokenizer)
    stops = set(ids.stops)
    steps = options.steps or options.gen_length
    settings = SamplingSettings(gen_length=options.gen_length, steps=steps, block_length=options.block_length,
                                strategy=options.strategy, temperature=options.temperature, seed=options.seed)
    generator = torch.Generator().manual_seed(options.seed + 1)
    batched = batched_regions(diffusion_model, ar_model, tokenizer, instructions, settings) if options.batched else None
    rows = []
    for index, instruction in enumerate(tqdm(instructions, desc="prompts", disable=not options.progress)):
        prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": instruction.prompt}])
        row = {"kind": instruction.kind, "prompt": instruction.prompt}
        if batched is not None:
            diffusion_region, ar_region = batched["diffusion"][index], batched["autoregressive"][index]
            row["diffusion_seconds"], row["autoregressive_seconds"] = batched["seconds"]
        else:
            started = time.perf_counter()
            diffusion_region = generate(diffusion_model, prompt, settings).answer_ids
            row["diffusion_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            ar_region = autoregressive_generate(ar_model, prompt, options.gen_length, mask_id=ids.mask).answer_ids
            row["autoregressive_seconds"] = time.perf_counter() - started
        for name, region in (("diffusion", diffusion_region), ("autoregressive", ar_region)):
            # The stop token is kept: ending the story is part of what the twin scores.
            answer, finished = cut_at_stop(region, stops, keep_stop=True)
            text = answer_text(tokenizer, answer, stops)
            nll, count = answer_nll(ar_model, prompt, answer)
            row[name] = {
                "text": text, "tokens": len(answer), "finished": float(finished), **answer_metrics(text, instruction),
                "autoregressive_nll_sum": nll, "autoregressive_nll_tokens": count,
                "diffusion_nll_bound": answer_bound(diffusion_model, prompt, region, options.samples, generator,
                                                    options.batch_size),
            }
        if instruction.kind == "ends":
            region = infill_ending(diffusion_model, tokenizer, prompt, instruction.ending, settings)
            if region is not None:
                answer, _ = cut_at_stop(region, stops, keep_stop=True)
                text = answer_text(tokenizer, answer, stops)
                row["diffusion"]["infill_text"] = text
                row["diffusion"]["ending_kept_infill"] = float(metrics.ending_kept(text, instruction.ending))
        rows.append(row)
    return rows


def _mean(rows: list[dict], model: str, key: str) -> float | None:
    values = [row[model][key] for row in rows if key in row[model]]
    return float(np.mean(values)) if values else None


def summarise(rows: list[dict]) -> dict:
    summary = {}
    for model in ("diffusion", "autoregressive"):
        nll = sum(row[model]["autoregressive_nll_sum"] for row in rows)
        count = sum(row[model]["autoregressive_nll_tokens"] for row in rows)
        ar_nll = nll / count if count else float("nan")
        summary[model] = {
            "answers": len(rows),
            "mean_answer_tokens": _mean(rows, model, "tokens"),
            "finished_share": _mean(rows, model, "finished"),
            "distinct_2": _mean(rows, model, "distinct_2"),
            "repetition_rate": _mean(rows, model, "repetition_rate"),
            "words_share": _mean(rows, model, "words_share"),
            "ending_kept": _mean(rows, model, "ending_kept"),
            "ending_present": _mean(rows, model, "ending_present"),
            "ending_kept_infill": _mean(rows, model, "ending_kept_infill"),
            "autoregressive_nll_per_token": ar_nll,
            "autoregressive_perplexity": math.exp(ar_nll) if math.isfinite(ar_nll) else None,
            "diffusion_nll_bound_per_token": _mean(rows, model, "diffusion_nll_bound"),
            "seconds_per_answer": float(np.mean([row[f"{model}_seconds"] for row in rows])) if rows else None,
        }
    return summary


# ---------------------------------------------------------------- report

def _fmt(value, digits=3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _temperature(settings: dict) -> str:
    value = settings.get("temperature", 0.0)
    return f", temperature {value:g}" if value else ""


def markdown(results: dict) -> str:
    held = results["heldout"]
    gen = results["generation"]
    d, a = gen["diffusion"], gen["autoregressive"]
    db, an = held["diffusion_nll_bound"], held["autoregressive_nll"]
    lines = [
        f"# Diffusion model vs autoregressive twin ({results['models']['diffusion']['parameters']:,} vs "
        f"{results['models']['autoregressive']['parameters']:,} parameters)", "",
        f"Held-out text: {held['windows']} windows of {held['tokens_per_window']} tokens from "
        f"{results['data']['valid_source']}; the diffusion model's value is an upper bound (negative ELBO, "
        f"{held['mc_samples']} Monte Carlo samples per window). Prompts: {gen['prompts']} from held-out "
        f"stories ({', '.join(f'{k}: {v}' for k, v in gen['kinds'].items())}); answers of "
        f"{results['settings']['gen_length']} tokens (diffusion: {results['settings']['steps']} steps, block "
        f"{results['settings']['block_length']}, {results['settings'].get('strategy', 'low_confidence')}"
        f"{_temperature(results['settings'])}; twin: greedy).", "",
        "| Metric | Diffusion (LLaDA-style) | Autoregressive twin |",
        "| --- | --- | --- |",
        f"| Held-out NLL per token (diffusion: bound) | {_fmt(db['mean'])} ± {_fmt(db['stderr'])} | "
        f"{_fmt(an['mean'])} ± {_fmt(an['stderr'])} |",
        f"| Held-out perplexity (diffusion: bound) | {_fmt(held['diffusion_perplexity_bound'], 2)} | "
        f"{_fmt(held['autoregressive_perplexity'], 2)} |",
        f"| Twin's NLL per token of the answers (through the stop token) | {_fmt(d['autoregressive_nll_per_token'])} "
        f"| {_fmt(a['autoregressive_nll_per_token'])} (own) |",
        f"| Twin's perplexity of the answers | {_fmt(d['autoregressive_perplexity'], 2)} | "
        f"{_fmt(a['autoregressive_perplexity'], 2)} (own) |",
        f"| Diffusion NLL bound per token of the answer region (EOS-padded) | "
        f"{_fmt(d['diffusion_nll_bound_per_token'])} (own) | {_fmt(a['diffusion_nll_bound_per_token'])} |",
        f"| distinct-2 (higher: more varied) | {_fmt(d['distinct_2'])} | {_fmt(a['distinct_2'])} |",
        f"| Repetition rate, rep-4 (lower is better) | {_fmt(d['repetition_rate'])} | {_fmt(a['repetition_rate'])} |",
        f"| Required words used ('uses the words') | {_fmt(d['words_share'])} | {_fmt(a['words_share'])} |",
        f"| Ending kept, plain prompt ('ends with') | {_fmt(d['ending_kept'])} | {_fmt(a['ending_kept'])} |",
        f"| Ending appears anywhere, plain prompt | {_fmt(d['ending_present'])} | {_fmt(a['ending_present'])} |",
        f"| Ending kept, ending fixed at the answer's end (diffusion infill) | {_fmt(d['ending_kept_infill'])} "
        "| n/a (left to right) |",
        f"| Answers that finish (stop token within the length) | {_fmt(d['finished_share'])} | "
        f"{_fmt(a['finished_share'])} |",
        f"| Mean answer tokens | {_fmt(d['mean_answer_tokens'], 1)} | {_fmt(a['mean_answer_tokens'], 1)} |",
        f"| Seconds per answer ({results['device']}"
        f"{'; batched: batch time / answers' if results['settings'].get('batched') else ''}) | "
        f"{_fmt(d['seconds_per_answer'])} | "
        f"{_fmt(a['seconds_per_answer'])} |",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- orchestration

def _training_log(folder: Path) -> dict:
    path = Path(folder) / "training_log.json"
    return json.loads(path.read_text()) if path.exists() else {}


def heldout_stories(options: EvalOptions, log: dict) -> tuple[list[str], str]:
    """The stories the diffusion model's training held out (same file, fraction and seed as its run)."""
    trained = log.get("options", {})
    fraction, seed = trained.get("valid_fraction", 0.02), trained.get("seed", 0)
    if options.train_file is None and trained.get("hf_dataset"):
        stories = load_hf_stories("train", limit=trained.get("hf_limit"))
        return split_stories(stories, fraction, seed)[1], "hf:roneneldan/TinyStories"
    path = Path(options.train_file or trained.get("train_file", DEFAULT_TRAIN_FILE))
    if not path.exists():  # trained on another machine: the same data under its usual path
        path = DEFAULT_TRAIN_FILE
    expected = log.get("data", {}).get("sha256")
    if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        warnings.warn(f"{path} is not the file the model was trained on: some prompts may come from "
                      "training stories.", stacklevel=2)
    stories = read_stories(path, limit=trained.get("story_limit"))
    return split_stories(stories, fraction, seed)[1], str(path)


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
