"""Command line: `python -m llada_demo generate|train|eval|bench|deploy` (generate shows the denoising live)."""

from __future__ import annotations

import argparse
import sys
import time

from .errors import SettingsError


def _add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    from .models.registry import REGISTRY
    from .sampling import CACHE_MODES, STRATEGIES
    from .sampling.cache import GUESS_MODES

    parser.add_argument("prompt", help="the user message (sent through the chat template)")
    parser.add_argument("--model", default=None, choices=list(REGISTRY), help="default: the app's default model on this machine")
    parser.add_argument("--length", type=int, default=64, help="answer length in tokens")
    parser.add_argument("--steps", type=int, default=64, help="forward passes in all")
    parser.add_argument("--block", type=int, default=32, help="block length (semi-autoregressive)")
    parser.add_argument("--strategy", default="low_confidence", choices=list(STRATEGIES))
    parser.add_argument("--threshold", type=float, default=0.9, help="tau for the threshold strategy")
    parser.add_argument("--cache", default="none", choices=list(CACHE_MODES),
                        help="reuse keys/values within a block: prefix or dual (faster, approximate)")
    parser.add_argument("--guesses", default="all", choices=list(GUESS_MODES),
                        help="score every answer position each step (all) or the current block (same answer)")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--cfg", type=float, default=0.0, help="classifier-free guidance scale")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: best available)")
    parser.add_argument("--json", metavar="FILE", help="write the whole trace as JSON")
    parser.add_argument("--no-live", action="store_true", help="print only the final answer")


def run_generate(args: argparse.Namespace) -> int:
    from .engine import chat_trace, load_model
    from .sampling import SamplingSettings
    from .startup import default_model
    from .viz.terminal import render_terminal

    settings = SamplingSettings(
        gen_length=args.length, steps=args.steps, block_length=args.block, temperature=args.temperature,
        cfg_scale=args.cfg, strategy=args.strategy, threshold=args.threshold, seed=args.seed,
        cache=args.cache, guesses=args.guesses,
    )
    loaded = load_model(args.model or default_model(), args.device)
    print(f"model: {loaded.label}", file=sys.stderr)
    live = not args.no_live
    tty = sys.stdout.isatty()
    color = tty
    shown_lines, last_draw, drawn_steps, trace = 0, 0.0, -1, None
    from .prompt import clean_message

    for trace in chat_trace(loaded, [{"role": "user", "content": clean_message(args.prompt)}], settings):
        now = time.perf_counter()
        # Redraw at most 20 times a second (the sampler never waits for the terminal), always the last frame.
        if live and len(trace.steps) != drawn_steps and (trace.finished or now - last_draw >= 0.05):
            frame = render_terminal(trace, width=80, color=color)
            if tty and shown_lines:
                sys.stdout.write(f"\x1b[{shown_lines}F\x1b[J")  # back to the frame's first line, clear below
            elif not tty and shown_lines:
                sys.stdout.write("\n")
            sys.stdout.write(frame + "\n")
            sys.stdout.flush()
            shown_lines, last_draw, drawn_steps = frame.count("\n") + 1, now, len(trace.steps)
    print(f"\nanswer: {trace.answer_text()}")
    print(f"NFE: {trace.nfe}   time: {trace.elapsed:.2f} s   "
          f"tokens/s: {settings.gen_length / max(trace.elapsed, 1e-9):.1f}")
    if args.json:
        from .viz.export import trace_to_json_file

        trace_to_json_file(trace, args.json)
        print(f"trace written to {args.json}")
    return 0


# The training commands are thin shims: the optional top-level `training` package (beside llada_demo/, left out
# of the Space bundle) holds their arguments and runs them, imported only here, inside the functions.
TRAINING_COMMANDS = {
    "train": "train the embedded diffusion model and AR twin",
    "eval": "evaluate the embedded models",
    "train-facts": "fine-tune both embedded models on the made-up fact set (the reversal-curse test)",
    "reversal-eval": "measure forward/backward accuracy on the held-out fact questions",
    "train-small-talk": "continue both embedded models' SFT on small talk, with story replay",
}
TRAINING_MISSING = ("the training commands need the `training` package, which sits beside llada_demo/ in the "
                    "repository (pip install -e '.[train]'); the Space bundle leaves it out")


def _add_training_commands(commands) -> None:
    try:
        from training.command import add_eval_arguments, add_train_arguments
        from training.facts_command import add_reversal_eval_arguments, add_train_facts_arguments
        from training.small_talk_command import add_train_small_talk_arguments
    except ModuleNotFoundError as error:
        if error.name != "training":
            raise
        for name, text in TRAINING_COMMANDS.items():  # still listed, so running one says what is missing
            commands.add_parser(name, help=f"{text} (needs the training package)").set_defaults(training_missing=True)
        return
    adders = {"train": add_train_arguments, "eval": add_eval_arguments, "train-facts": add_train_facts_arguments,
              "reversal-eval": add_reversal_eval_arguments, "train-small-talk": add_train_small_talk_arguments}
    for name, text in TRAINING_COMMANDS.items():
        adders[name](commands.add_parser(name, help=text))


def _run_training(args: argparse.Namespace) -> int:
    from training.command import run_eval, run_train
    from training.facts_command import run_reversal_eval, run_train_facts
    from training.small_talk_command import run_train_small_talk

    if args.command == "train":
        return run_train(args) or 0
    if args.command == "eval":
        return run_eval(args) or 0
    if args.command == "train-facts":
        return run_train_facts(args)
    if args.command == "train-small-talk":
        return run_train_small_talk(args)
    return run_reversal_eval(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m llada_demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_generate_arguments(commands.add_parser("generate", help="answer a prompt, showing the denoising live"))
    from .modes.score_command import add_score_arguments

    add_score_arguments(commands.add_parser("score", help="which answer each model prefers: the diffusion likelihood "
                                            "bound (± standard error) beside the AR model's exact log-likelihood"))
    from .deploy.command import add_deploy_arguments

    add_deploy_arguments(commands.add_parser("deploy", help="render, check and upload the Hugging Face Space"))
    _add_training_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if getattr(args, "training_missing", False):  # before the arguments' check: they belong to training
        print(f"error: {TRAINING_MISSING}", file=sys.stderr)
        return 2
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    from .engine import worker

    worker.run_here()  # one thread does all torch work: two OpenMP pools halve CPU speed
    try:
        if args.command == "generate":
            return run_generate(args)
        if args.command == "score":
            from .modes.score_command import run_score

            return run_score(args)
        if args.command == "deploy":
            from .deploy.command import run_deploy

            return run_deploy(args)
        if args.command in TRAINING_COMMANDS:
            return _run_training(args)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.suggestion is not None:
            s = error.suggestion
            print(f"nearest valid: --length {s.gen_length} --steps {s.steps} --block {s.block_length}", file=sys.stderr)
        return 2
    return 1
