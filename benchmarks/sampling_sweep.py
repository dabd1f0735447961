"""A staged sweep of the embedded diffusion model's sampling settings on held-out prompts, on the CPU.

    python -m benchmarks.sampling_sweep                    # the staged search; writes the JSON below
    python -m benchmarks.sampling_sweep --write            # ... and the chosen defaults into both model folders
    python -m benchmarks.sampling_sweep --quick            # 8 prompts, 2 settings: a smoke run of the code path

On a shared 2-core machine one setting (50 answers of 128 tokens) takes minutes, so the work can be split:
`--only '[{"temperature": 0.5}]' --out A.json` measures listed settings in a parallel process, and the
staged run started with `--rows-from A.json B.json` reuses every row already measured (same prompts).

Prompts (50): 40 from stories the models never trained on (the shipped split's held-out stories, drawn with
another seed than the eval's), the four kinds in turn (a story about..., uses the words, continue this, ends
with), and 10 small-talk messages that are neither in the SFT lists nor among the eval's 20 greetings.

Stages (a coordinate search; each stage starts from the best so far, by the rule below), from the shipped
defaults as a CPU user met them (low_confidence, temperature 0, block 32, 2 tokens per forward pass):
  1. temperature 0, 0.5, 0.8;
  2. strategy: margin, entropy, random (batched), and with --one-by-one revising and threshold (tau 0.9)
     through the app's own sampler, one prompt at a time (the batched sampler supports neither);
  3. steps per token: 1 and 0.25 besides the current 0.5;
  4. block length 16, 64, 128 besides the current.
The twin answers the same prompts at each temperature measured (the reference, and its own sweep).

The rule (stated in the model cards): every row is held to one fixed bar, the twin's answers at its old default
(greedy), the reference the issue's goals were quoted against. A row is eligible when its rep-4 is at most 1.5x
that twin's, its distinct-2 at least 0.85x, and its words used within 0.1 of the best row's. Among eligible rows,
those whose twin perplexity is within 5% of the lowest compete, and the fewest forward passes wins (a CPU user
waits for each pass), passes within 10% of the fewest counting as equal (a smaller saving is not felt, and a
strategy that picks its own number of passes changes what every tab counts); then the lowest perplexity. With none eligible, the smallest shortfall
rep-4 / (1.5 x twin's) + (0.85 x twin's distinct-2) / distinct-2 wins. The twin then gets the chosen temperature
too, so the race and the chat start both models at one temperature (the table also shows the twin there).

Scores: rep-4 and distinct-2 of the story answers, the twin's perplexity of every story answer through its
stop token (next to rep-4: low perplexity also rewards repetition), the share of story answers that end with
an end marker within the length, required words used, and small-talk answers on topic (greetings.py rule).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path

import torch

from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.sampling.sampler import generate
from llada_demo.sampling.settings import SamplingSettings
from llada_demo.scoring.answer import cut_at_stop
from training.eval_data import _training_log, heldout_stories
from training.eval_options import EvalOptions
from training.instructions import eval_instructions
from training.sampling_defaults import read_defaults, write_defaults
from training.sampling_rule import REFERENCE, choose
from training.scorecard import answer_prompts, judge_answers, load_model, summarise_answers
from training.small_talk import MESSAGES

RESULT = Path(__file__).parent / "results" / "cpu_sampling_sweep.json"
DIFFUSION = Path("assets/llada-tinystories")
TWIN = Path("assets/ar-tinystories")

# Small talk nobody trained on: not in small_talk.MESSAGES (any case or punctuation) nor greetings.EVAL_GREETINGS.
HELD_OUT_TALK = (
    ("greeting", "Hi, I'm Sam!"), ("greeting", "Good day to you"), ("greeting", "Hello, story friend"),
    ("how_are_you", "How have you been?"), ("how_are_you", "Are you having a good day?"),
    ("identity", "What are you called?"), ("identity", "Are you a story bot?"),
    ("thanks", "Thanks for the story!"), ("thanks", "That was lovely, thanks"),
    ("farewell", "Bye now, see you tomorrow"),
)
STRATEGIES_BATCHED = ("low_confidence", "margin", "entropy", "random")
STRATEGIES_ONE_BY_ONE = ("revising", "threshold")
TEMPERATURES = (0.0, 0.5, 0.8)
BLOCKS = (16, 64, 128)
STEPS_PER_TOKEN = (1.0, 0.25)


def normalised(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum() or c == " ").strip()


def sweep_prompts(stories, count: int, seed: int, talk: int) -> list[dict]:
    """`count` held-out story prompts (the four kinds in turn) and `talk` held-out small-talk messages."""
    rows = [{"kind": i.kind, "prompt": i.prompt, "words": list(i.words), "ending": i.ending}
            for i in eval_instructions(stories, count, seed + 2000)]
    trained = {normalised(m) for messages in MESSAGES.values() for m in messages}
    for category, text in HELD_OUT_TALK[:talk]:
        assert normalised(text) not in trained, text
        rows.append({"kind": "greeting", "category": category, "prompt": text, "seen_in_sft": False})
    return rows


# ---------------------------------------------------------------- the rule

def _key(temperature: float) -> str:
    return f"{float(temperature):g}"


# ---------------------------------------------------------------- measuring

def one_by_one_answers(model, tokenizer, values: dict, prompts: list[dict], seed: int) -> tuple[list[dict], float]:
    """Answers through the app's own sampler, one prompt at a time (strategies the batched sampler lacks)."""
    ids = special_ids(tokenizer)
    settings = SamplingSettings(**values, seed=seed)
    answers, passes = [], []
    for prompt in prompts:
        encoded = chat_prompt_ids(tokenizer, [{"role": "user", "content": prompt["prompt"]}])
        trace = generate(model, encoded, settings, stop_ids=ids.stops)
        tokens, finished = cut_at_stop(trace.answer_ids, ids.stops, keep_stop=False)
        answers.append({"text": tokenizer.decode(tokens, skip_special_tokens=True).strip(), "tokens": len(tokens),
                        "finished": finished})
        passes.append(trace.steps[-1].nfe if trace.steps else 0)
    return answers, sum(passes) / max(len(passes), 1)


class Sweep:
    def __init__(self, options):
        self.options = options
        self.device = torch.device("cpu")
        stories, _ = heldout_stories(EvalOptions(), _training_log(options.diffusion))
        self.prompts = sweep_prompts(stories, options.prompts, options.seed, options.talk)
        self.model = load_model(options.diffusion, "diffusion", self.device)
        self.tokenizer = load_tokenizer(str(options.diffusion))
        self.judge = load_model(options.autoregressive, "autoregressive", self.device)
        self.judge_tokenizer = load_tokenizer(str(options.autoregressive))
        self.rows: list[dict] = []
        self.twins: dict[str, dict] = {}
        self.started = time.perf_counter()
        self.earlier_seconds = 0.0
        # Rows already measured (an interrupted run, or parallel processes' shares) with the same prompts.
        for path in [*(options.rows_from or []), *([options.out] if options.resume else [])]:
            if not Path(path).is_file():
                continue
            earlier = json.loads(Path(path).read_text(encoding="utf-8"))
            if earlier["prompts"] == self.prompts and earlier["gen_length"] == options.gen_length:
                self.rows += [r for r in earlier["rows"] if r["settings"] not in [k["settings"] for k in self.rows]]
                self.twins.update(earlier["twins"])
                self.earlier_seconds += earlier.get("measuring_seconds", earlier["seconds"])

    def precision(self):
        # bf16 autocast halves the time on this CPU (bf16 units); the weights stay fp32, the scores are fp32.
        if self.options.fp32:
            return contextlib.nullcontext()
        return torch.autocast("cpu", dtype=torch.bfloat16)

    def log(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.0f} s] {text}", flush=True)

    def twin(self, temperature: float) -> dict:
        key = _key(temperature)
        if key not in self.twins:
            started = time.perf_counter()
            with self.precision():
                answers, _ = answer_prompts(self.judge, self.judge_tokenizer, "autoregressive",
                                            {"gen_length": self.options.gen_length, "temperature": temperature},
                                            self.prompts, self.options.seed)
            judged = judge_answers(self.judge, self.judge_tokenizer, self.prompts, answers)
            summary = summarise_answers(self.prompts, answers, judged)
            self.twins[key] = dict(summary, seconds=round(time.perf_counter() - started, 1),
                                   samples=[a["text"] for a in answers[:2]], answers=[a["text"] for a in answers])
            self.log(f"twin T={key}: {_line(summary)}")
        return self.twins[key]

    def measure(self, stage: str, settings: dict) -> dict:
        known = next((r for r in self.rows if r["settings"] == settings), None)
        if known is not None:
            return known
        if not self.options.no_twin:
            self.twin(0.0)  # the rule's fixed reference
            self.twin(settings["temperature"])
        started = time.perf_counter()
        with self.precision():
            if settings["strategy"] in STRATEGIES_ONE_BY_ONE:
                answers, passes = one_by_one_answers(self.model, self.tokenizer, settings, self.prompts,
                                                     self.options.seed)
            else:
                answers, _ = answer_prompts(self.model, self.tokenizer, "diffusion", settings, self.prompts,
                                            self.options.seed)
                passes = settings["steps"]
        judged = judge_answers(self.judge, self.judge_tokenizer, self.prompts, answers)
        summary = summarise_answers(self.prompts, answers, judged)
        row = {"stage": stage, "settings": settings, "summary": summary, "passes": passes,
               "seconds": round(time.perf_counter() - started, 1), "answers": [a["text"] for a in answers]}
        self.rows.append(row)
        self.log(f"{stage} {_settings_text(settings)}: {_line(summary)} ({row['seconds']} s)")
        self.save()
        return row

    def save(self, done: bool = False) -> dict:
        result = {
            "format": "llada-demo-sampling-sweep/1", "finished": done,
            "models": {"diffusion": str(self.options.diffusion), "autoregressive": str(self.options.autoregressive)},
            "gen_length": self.options.gen_length, "precision": "fp32" if self.options.fp32 else "bf16 autocast",
            "threads": torch.get_num_threads(), "seed": self.options.seed,
            "seconds": round(self.earlier_seconds + time.perf_counter() - self.started, 1),
            "measuring_seconds": round(time.perf_counter() - self.started, 1),
            "prompts": self.prompts, "twins": self.twins,
            "rows": self.rows, "rule": __doc__.split("The rule (stated in the model cards): ")[1].split("\n\n")[0],
        }
        if self.rows and REFERENCE in self.twins:
            result["best"] = choose(self.rows, self.twins)["settings"]
        Path(self.options.out).parent.mkdir(parents=True, exist_ok=True)
        Path(self.options.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return result

    def run(self) -> dict:
        """The staged search; with --only, just the listed settings (a share of the work for a parallel process)."""
        if self.options.only:
            for settings in self.options.only:
                self.measure("listed", dict(self.base(), **settings))
            return self.save(done=False)
        if self.options.merge_only:  # the rows measured so far, with their twins, and the rule's choice
            for temperature in (0.0, *(row["settings"]["temperature"] for row in self.rows)):
                self.twin(temperature)
            result = self.save(done=True)
            self.log(f"best {_settings_text(result['best'])}")
            return result
        current = self.base()
        temperatures = self.options.temperatures or TEMPERATURES
        stage = [self.measure("1 temperature", dict(current, temperature=t)) for t in temperatures]
        current = dict(choose(stage, self.twins)["settings"])
        strategies = self.options.strategies or STRATEGIES_BATCHED
        if not self.options.quick:
            stage += [self.measure("2 strategy", dict(current, strategy=s)) for s in strategies]
            if self.options.one_by_one:
                stage += [self.measure("2 strategy", dict(current, strategy=s)) for s in STRATEGIES_ONE_BY_ONE]
            current = dict(choose(stage, self.twins)["settings"])
            length = self.options.gen_length
            stage = [self.measure("3 steps", dict(current, steps=max(length // current["block_length"],
                                                                      int(length * share))))
                     for share in (current["steps"] / length, *STEPS_PER_TOKEN)]
            current = dict(choose(stage, self.twins)["settings"])
            stage = [self.measure("4 block", dict(current, block_length=b)) for b in (current["block_length"], *BLOCKS)
                     if b <= length and current["steps"] % (length // b) == 0]
        for row in self.rows:  # rows measured by a parallel process without their twin
            self.twin(row["settings"]["temperature"])
        result = self.save(done=True)
        self.log(f"best {_settings_text(result['best'])}")
        return result

    def base(self) -> dict:
        """Where the search starts: the shipped defaults as a CPU user met them (block 32, 2 tokens per pass)."""
        length = self.options.gen_length
        return {"gen_length": length, "steps": length // 2, "block_length": min(32, length),
                "strategy": "low_confidence", "temperature": 0.0}


def _settings_text(s: dict) -> str:
    return f"{s['strategy']} T={s['temperature']:g} block {s['block_length']} steps {s['steps']}"


def _line(summary: dict) -> str:
    return (f"rep-4 {summary['repetition_rate']:.3f} distinct-2 {summary['distinct_2']:.3f} ppl "
            f"{summary['judge_perplexity']:.2f} finished {summary['finished_share']:.2f} words "
            f"{summary['words_share']:.2f} talk {summary['greetings_on_topic'] or 0:.2f}")


def table(result: dict) -> str:
    """The sweep's rows as a Markdown table, the twin's rows first."""
    header = ("| Model | Strategy | T | Block | Steps | rep-4 | distinct-2 | Twin ppl | Finished | Words used | "
              "Small talk on topic | s (50 answers) |")
    lines = [header, "| --- |" + " --- |" * 11]
    for key, twin in result["twins"].items():
        lines.append(f"| twin | (autoregressive) | {key} | 1 | {result['gen_length']} | {twin['repetition_rate']:.3f} | "
                     f"{twin['distinct_2']:.3f} | {twin['judge_perplexity']:.2f} | {twin['finished_share']:.2f} | "
                     f"{twin['words_share']:.2f} | {twin['greetings_on_topic'] or 0:.2f} | {twin['seconds']} |")
    best = result.get("best")
    for row in result["rows"]:
        s, m = row["settings"], row["summary"]
        mark = " **(chosen)**" if s == best else ""
        lines.append(f"| diffusion{mark} | {s['strategy']} | {s['temperature']:g} | {s['block_length']} | "
                     f"{row['passes']:g} | {m['repetition_rate']:.3f} | {m['distinct_2']:.3f} | "
                     f"{m['judge_perplexity']:.2f} | {m['finished_share']:.2f} | {m['words_share']:.2f} | "
                     f"{m['greetings_on_topic'] or 0:.2f} | {row['seconds']} |")
    return "\n".join(lines)


def write_chosen(result: dict, diffusion: Path, autoregressive: Path) -> list[Path]:
    """The chosen settings into the diffusion folder, and the same temperature into the twin's."""
    best = result["best"]
    twin = dict(read_defaults(autoregressive, "autoregressive"), gen_length=best["gen_length"],
                steps=best["gen_length"], block_length=1, temperature=best["temperature"])
    return [write_defaults(diffusion, best), write_defaults(autoregressive, twin)]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffusion", type=Path, default=DIFFUSION)
    parser.add_argument("--autoregressive", type=Path, default=TWIN, help="the twin: reference and judge")
    parser.add_argument("--prompts", type=int, default=40, help="held-out story prompts (default 40)")
    parser.add_argument("--talk", type=int, default=len(HELD_OUT_TALK), help="held-out small-talk messages")
    parser.add_argument("--gen-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fp32", action="store_true", help="no bf16 autocast (twice the time here)")
    parser.add_argument("--strategies", nargs="*", default=None, help="stage 2's strategies")
    parser.add_argument("--temperatures", nargs="*", type=float, default=None, help="stage 1's temperatures")
    parser.add_argument("--one-by-one", action="store_true", help="stage 2 also tries revising and threshold "
                        "(through the app's sampler, one prompt at a time: several times slower)")
    parser.add_argument("--only", type=json.loads, default=None,
                        help='measure just these settings (a JSON list of changes to the start, e.g. '
                             '\'[{"temperature": 0.5}]\'): a parallel share of the work; merge with --rows-from')
    parser.add_argument("--no-twin", action="store_true", help="leave the twin to the merging run")
    parser.add_argument("--merge-only", action="store_true", help="measure nothing new but the twins: choose among "
                        "the rows of --rows-from (and --out with --resume)")
    parser.add_argument("--rows-from", nargs="*", type=Path, default=None, help="rows measured by other runs")
    parser.add_argument("--quick", action="store_true", help="8 prompts, stage 1 only, 2 settings (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--resume", action="store_true", help="keep the rows already in --out (same prompts)")
    parser.add_argument("--write", action="store_true", help="write the chosen defaults into both model folders")
    options = parser.parse_args(argv)
    if options.quick:
        options.prompts, options.talk = 6, 2
        options.temperatures = options.temperatures or [0.0, 0.8]
    torch.set_num_threads(options.threads)
    result = Sweep(options).run()
    print(table(result))
    if options.write:
        for path in write_chosen(result, options.diffusion, options.autoregressive):
            print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
