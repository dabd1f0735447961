"""The evaluation's markdown table: the two models side by side, from the results' dict."""

from __future__ import annotations

import math


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
