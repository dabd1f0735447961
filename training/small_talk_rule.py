"""The rule that says whether a small-talk fine-tune replaces the shipped pair, and its markdown table."""

from __future__ import annotations

SHIP_NLL_MARGIN = 0.05
SHIP_GREETINGS = 0.9
SHIP_STORIES = 0.9


def compare(before: dict, after: dict) -> dict:
    """The ship rule, for both models: story NLL at most +SHIP_NLL_MARGIN, greetings >= SHIP_GREETINGS, and story
    requests answered with a story >= SHIP_STORIES (a result measured before story requests were counted has none:
    it does not pass)."""
    rows, ship = [], True
    for kind in ("diffusion", "autoregressive"):
        b, a = before["models"][kind], after["models"][kind]
        nll_ok = a["story_nll"] - b["story_nll"] <= SHIP_NLL_MARGIN
        greet_ok = a["greetings_on_topic"] >= SHIP_GREETINGS
        stories_ok = a.get("story_requests", 0.0) >= SHIP_STORIES
        ship = ship and nll_ok and greet_ok and stories_ok
        rows.append({"kind": kind, "story_nll": [b["story_nll"], a["story_nll"]],
                     "greetings_on_topic": [b["greetings_on_topic"], a["greetings_on_topic"]],
                     "greetings_on_topic_unseen": [b["greetings_on_topic_unseen"], a["greetings_on_topic_unseen"]],
                     "leaked_with_earlier_turn": [b["turns"]["with earlier turn"]["leaked"],
                                                  a["turns"]["with earlier turn"]["leaked"]],
                     "leaked_newest_only": [t["turns"].get("newest message only", {}).get("leaked")
                                            for t in (b, a)],
                     "story_requests": [t.get("story_requests") for t in (b, a)],
                     "nll_ok": nll_ok, "greetings_ok": greet_ok, "stories_ok": stories_ok})
    return {"ship": ship, "rows": rows, "rule": f"story NLL at most +{SHIP_NLL_MARGIN} and greetings on topic at "
                                               f"least {SHIP_GREETINGS:.0%} and story requests answered with a "
                                               f"story at least {SHIP_STORIES:.0%}, for both models"}


def table(comparison: dict, labels: tuple[str, str]) -> str:
    header = (f"| Model | Story NLL ({labels[0]} → {labels[1]}) | Greetings on topic | … unseen | "
              "Story requests answered with a story | "
              "2nd turn about the 1st, with the earlier turn | … newest message only |")
    lines = [header, "| --- |" + " --- |" * 6]
    for r in comparison["rows"]:
        newest = " → ".join("n/a" if v is None else f"{v}/20" for v in r["leaked_newest_only"])
        lines.append(f"| {r['kind']} | {r['story_nll'][0]:.3f} → {r['story_nll'][1]:.3f} | "
                     f"{r['greetings_on_topic'][0]:.0%} → {r['greetings_on_topic'][1]:.0%} | "
                     f"{r['greetings_on_topic_unseen'][0]:.0%} → {r['greetings_on_topic_unseen'][1]:.0%} | "
                     f"{' → '.join('n/a' if v is None else f'{v:.0%}' for v in r['story_requests'])} | "
                     f"{r['leaked_with_earlier_turn'][0]}/20 → {r['leaked_with_earlier_turn'][1]}/20 | "
                     f"{newest} |")
    return "\n".join(lines)
