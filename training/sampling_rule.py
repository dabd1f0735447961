"""The rule that picks the shipped sampling defaults from a sweep's rows (stated in benchmarks/sampling_sweep.py
and the model cards): eligibility against a fixed bar, then twin perplexity, then forward passes."""

from __future__ import annotations

REFERENCE = "0"  # the twin greedy: the fixed bar of the rule

# Passes within 10 % of the fewest count as equal: threshold's 123.5 passes against 128 (3.5 %) is no saving a
# person feels, and a strategy that picks its own number of passes changes every tab's step counting.
PASSES_SAVING = 0.9


def eligible(summary: dict, twin: dict, best_words: float) -> bool:
    return (summary["repetition_rate"] <= 1.5 * twin["repetition_rate"] + 1e-9
            and summary["distinct_2"] >= 0.85 * twin["distinct_2"] - 1e-9
            and (summary["words_share"] or 0) >= best_words - 0.1 - 1e-9)  # 5/30 vs 8/30 - 0.1: equal, not less


def shortfall(summary: dict, twin: dict) -> float:
    return (summary["repetition_rate"] / max(1.5 * twin["repetition_rate"], 1e-6)
            + 0.85 * twin["distinct_2"] / max(summary["distinct_2"], 1e-6))


def choose(rows: list[dict], twins: dict) -> dict:
    """The rule in the module docstring over measured rows ({"settings", "summary", "passes"})."""
    twin = twins[REFERENCE]
    best_words = max((r["summary"]["words_share"] or 0) for r in rows)
    good = [r for r in rows if eligible(r["summary"], twin, best_words)]
    if not good:
        return min(rows, key=lambda r: shortfall(r["summary"], twin))
    lowest = min(r["summary"]["judge_perplexity"] for r in good)
    close = [r for r in good if r["summary"]["judge_perplexity"] <= 1.05 * lowest]
    fewest = min(r["passes"] for r in close)
    as_few = [r for r in close if r["passes"] * PASSES_SAVING <= fewest + 1e-9]
    return min(as_few, key=lambda r: (r["summary"]["judge_perplexity"], r["passes"]))
