"""The revising strategy through the live app: /compare_strategies and /chat show and record what it took back."""

import json
import re
from pathlib import Path

import pytest

from llada_demo.models.registry import default_model_name
from test_app_api import GRID, STATS, chat_args

pytestmark = pytest.mark.integration
DIFFUSION = default_model_name("diffusion")
PROMPT = "Write a story that uses the words: boat, rain, happy."
CARD_A, GRID_A, ORDER_A, CARD_B, GRID_B, ORDER_B, TABLE, NOTICE = range(8)


def taken_back(grid_html: str) -> list[int]:
    """The ↺ counts of the grid's cells that a revising strategy returned to [MASK]."""
    return [int(n) for n in re.findall(r'<div class="cell[^"]*\b(?:revised|rechecked)\b[^"]*"[^>]*data-remasks="(\d+)"',
                                       grid_html or "")]


def test_strategy_comparison_shows_what_revising_took_back(client):
    result = client.predict(PROMPT, DIFFUSION, 64, 32, 0.0, 0, "low_confidence", 32, 0.9, "none", "revising", 32,
                            0.9, "none", api_name="/compare_strategies")
    assert result[NOTICE] == "" and "revising, block 32" in result[CARD_B]
    # 64 positions in 32 passes: tokens committed again do not count twice.
    assert re.search(r'tokens / forward pass</div><div class="value">2\.00<', result[CARD_B])
    counts = taken_back(result[GRID_B])
    assert counts and all(1 <= n <= 2 for n in counts)  # at most twice per position
    assert taken_back(result[GRID_A]) == [] and "data-remasks" not in result[GRID_A]
    assert "taken back, then changed" in result[GRID_B]  # the legend explains the marks
    row = re.search(r"<td>taken back to \[MASK\] \(then changed\)</td><td>0 \(0\)</td><td>(\d+) \((\d+)\)</td>",
                    result[TABLE])
    assert row and int(row.group(1)) == sum(counts) and int(row.group(2)) <= int(row.group(1))
    assert f"revising, block 32 · taken back {row.group(1)} ({row.group(2)})" in result[CARD_B]
    assert not re.search(r'<div class="cell[^"]*\bmasked\b', result[GRID_B])  # it still ends filled


def test_chat_runs_the_revising_strategy_and_its_trace_records_the_revisions(client):
    final = client.predict(*chat_args(PROMPT, gen_length=64, steps=32, block_length=32, strategy="revising"),
                           api_name="/chat")
    assert taken_back(final[GRID])
    stats = re.search(r'taken back</div><div class="value">(\d+) · (\d+) changed<', final[STATS])
    assert stats and int(stats.group(1)) == sum(taken_back(final[GRID]))
    steps = json.loads(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))["steps"]
    assert len(steps) == 32 and steps[-1]["nfe"] == 32  # the same forward passes as the schedule
    assert sum(len(s.get("remasked", [])) for s in steps) == int(stats.group(1))
