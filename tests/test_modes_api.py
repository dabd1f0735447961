"""The teaching modes' named endpoints, driven with gradio_client against a live local server."""

import re
import time

import pytest
from gradio_client import Client

from llada_demo.models.registry import default_model_name

pytestmark = pytest.mark.integration
DIFFUSION, AUTOREGRESSIVE = default_model_name("diffusion"), default_model_name("autoregressive")
PROMPT = "Write a story about a cat and a ball."
# Outputs of /compare and /compare_strategies: (card, grid, order map) for each side, table, notice.
CARD_A, GRID_A, ORDER_A, CARD_B, GRID_B, ORDER_B, TABLE, NOTICE = range(8)


def masks_in(html) -> int:
    return len(re.findall(r'<div class="cell[^"]*\bmasked\b', html or ""))


def stat(card: str, label: str) -> str:
    return re.search(rf'{re.escape(label)}</div><div class="value">([^<]*)<', card).group(1)


def test_mode_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict")["named_endpoints"])
    assert {"/compare", "/infill", "/sweep", "/compare_strategies", "/explain", "/stop_sweep", "/stop_compare",
            "/stop_infill", "/stop_strategies"} <= names


def test_compare_streams_both_models_to_the_end(client):
    job = client.submit(PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, 8, 32, 0, api_name="/compare")
    job.result(timeout=120)
    frames = [o for o in job.outputs() if isinstance(o[GRID_B], str) and "llada-view" in o[GRID_B]]
    final = job.outputs()[-1]
    assert any(0 < masks_in(f[GRID_B]) < 32 for f in frames), "the AR grid should stream partial states"
    assert masks_in(final[GRID_A]) == masks_in(final[GRID_B]) == 0
    assert stat(final[CARD_A], "forward passes") == "8" and stat(final[CARD_A], "tokens / forward pass") == "4.00"
    assert stat(final[CARD_B], "tokens / forward pass") == "1.00" and "autoregressive" in final[GRID_B]
    assert "ratio" in final[TABLE] and final[NOTICE] == ""
    assert final[ORDER_A] is not None and final[ORDER_B] is not None
    empty = client.predict("  ", DIFFUSION, AUTOREGRESSIVE, 32, 8, 32, 0, api_name="/compare")
    assert "empty" in empty[NOTICE] and "Traceback" not in empty[NOTICE]
    bad = client.predict(PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, 7, 8, 0, api_name="/compare")
    assert "multiple of the number of blocks" in bad[NOTICE]


@pytest.mark.parametrize("align", ["passes", "time"])
def test_compare_lines_the_runs_up_by_passes_or_by_time(client, align):
    # Long enough (the tab's defaults) that frames are sent while both run, even on a fast machine.
    job = client.submit(PROMPT, DIFFUSION, AUTOREGRESSIVE, 64, 32, 64, 0, align, api_name="/compare")
    job.result(timeout=120)
    frames = [o for o in job.outputs() if isinstance(o[CARD_A], str) and "forward passes" in o[CARD_A]]
    final = job.outputs()[-1]
    assert final[NOTICE] == "" and masks_in(final[GRID_A]) == masks_in(final[GRID_B]) == 0
    assert "llada-order" in final[ORDER_A] and "llada-order" in final[ORDER_B]
    assert stat(final[CARD_B], "any-order share") == "0.00" and "any-order share" in final[TABLE]
    assert 0.0 <= float(stat(final[CARD_A], "any-order share")) <= 1.0
    # The order maps are drawn while the runs go on, not only at the end.
    assert any("llada-order" in (f[ORDER_A] or "") and 'class="o masked"' in f[ORDER_A] for f in frames)
    if align == "passes":  # every frame sent while both ran shows them level
        for frame in frames:
            if "running" in frame[CARD_A] and "running" in frame[CARD_B]:
                assert stat(frame[CARD_A], "forward passes") == stat(frame[CARD_B], "forward passes")
    bad = client.predict(PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, 8, 32, 0, "sideways", api_name="/compare")
    assert "equal forward passes" in bad[NOTICE]


def test_stop_compare_draws_where_both_runs_stopped(client):
    job = client.submit(PROMPT, DIFFUSION, AUTOREGRESSIVE, 256, 256, 256, 0, api_name="/compare")
    deadline = time.time() + 60
    while time.time() < deadline and not any(masks_in(o[GRID_A]) for o in job.outputs()):
        time.sleep(0.02)
    stopped = client.predict(api_name="/stop_compare")
    job.result(timeout=30)
    assert stopped[NOTICE].startswith("⏹") and "stopped" in stopped[CARD_A] and "stopped" in stopped[CARD_B]
    assert masks_in(stopped[GRID_A]) > 0 and masks_in(stopped[GRID_B]) > 0  # neither got to the end
    fresh = Client(client.src, verbose=False)  # another session: it has nothing to stop
    assert fresh.predict(api_name="/stop_compare")[NOTICE] == ""


def test_infill_keeps_the_users_text_and_shows_what_ar_did(client):
    text = "[MASK*6] they all went home <together>."
    result = client.predict(text, "Write a story.", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0,
                            api_name="/infill")
    d_card, d_grid, d_text, _a_card, a_grid, _a_text, summary, notice = result
    assert notice == "" and "untouched" in summary
    assert " they all went home &lt;together&gt;." in d_text and "<together>" not in d_text + d_grid
    assert masks_in(d_grid) == 0 and d_grid.count('<div class="cell given"') >= 6
    assert stat(d_card, "forward passes") == "6"
    assert '<div class="cell done overwrote' in a_grid  # the AR model cannot keep an ending it never saw
    malformed = client.predict("a [MASK*] b", "", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0,
                               api_name="/infill")
    assert "Cannot read the gap marker" in malformed[-1]
    too_many = client.predict("a [MASK*999]", "", DIFFUSION, "none", 0, "low_confidence", 0, api_name="/infill")
    assert "at most" in too_many[-1]


def test_sweep_grows_a_plot_and_a_table_and_stops_on_request(client):
    args = (PROMPT, DIFFUSION, AUTOREGRESSIVE, 32, "4, 8", "32", ["low_confidence"], 0, 2, ["none"])
    status, plot, table, notice = client.predict(*args, api_name="/sweep")
    assert "2 of 2 runs done" in status and notice == "" and plot is not None
    rows = table["data"]
    assert [int(row[1]) for row in rows] == [4, 8] and [int(row[4]) for row in rows] == [4, 8]
    assert all(float(row[7]) > 1 for row in rows)  # the AR twin's perplexity of each answer
    # A longer sweep, stopped while its first run is under way.
    job = client.submit(PROMPT, DIFFUSION, "none", 32, "32, 16, 8, 4", "32", ["low_confidence", "random"], 0, 0,
                        ["none"], api_name="/sweep")
    deadline = time.time() + 60
    while time.time() < deadline and not any("Run 1 of 8" in (o[0] or "") for o in job.outputs()):
        time.sleep(0.02)
    stopped_status, _, _, stopped_notice = client.predict(api_name="/stop_sweep")
    assert stopped_notice.startswith("⏹") and "Stopped after" in stopped_status
    job.result(timeout=30)
    status, _, table, notice = job.outputs()[-1]
    assert "Stopped after" in status and len(table["data"]) < 8
    bad = client.predict(PROMPT, DIFFUSION, "none", 32, "4, x", "32", ["low_confidence"], 0, 0, ["none"],
                         api_name="/sweep")
    assert "not a whole number" in bad[-1]


def test_sweep_over_caches(client):
    status, _, table, notice = client.predict(PROMPT, DIFFUSION, "none", 32, "16", "8", ["low_confidence"], 0, 0,
                                              ["none", "dual"], api_name="/sweep")
    assert "2 of 2 runs done" in status and notice == ""
    assert [row[3] for row in table["data"]] == ["low_confidence", "low_confidence + dual cache"]
    assert [int(row[4]) for row in table["data"]] == [16, 16]


def test_strategy_comparison_uses_one_seed_for_both(client):
    result = client.predict(PROMPT, DIFFUSION, 32, 8, 0.0, 5, "low_confidence", 32, 0.9, "none", "random", 16, 0.9,
                            "none", api_name="/compare_strategies")
    assert masks_in(result[GRID_A]) == masks_in(result[GRID_B]) == 0
    assert re.search(r"<td>seed</td><td>5</td><td>5</td>", result[TABLE])
    assert "low_confidence, block 32" in result[CARD_A] and "random, block 16" in result[CARD_B]
    assert result[ORDER_A] is not None and result[ORDER_B] is not None and result[NOTICE] == ""


def test_strategy_comparison_of_exact_and_cached_runs(client):
    same = client.predict(PROMPT, DIFFUSION, 32, 32, 0.0, 1, "low_confidence", 8, 0.9, "none", "low_confidence", 8,
                          0.9, "none", api_name="/compare_strategies")
    assert re.search(r"<td>identical tokens, A vs B</td><td>100%</td>", same[TABLE])
    cached = client.predict(PROMPT, DIFFUSION, 32, 32, 0.0, 1, "low_confidence", 8, 0.9, "none", "low_confidence",
                            8, 0.9, "dual", api_name="/compare_strategies")
    assert "low_confidence, block 8, dual cache" in cached[CARD_B] and masks_in(cached[GRID_B]) == 0
    assert re.search(r"<td>identical tokens, A vs B</td><td>\d+%</td>", cached[TABLE])


def test_explain_draws_from_a_real_run(client):
    started = time.time()
    diagram, notice = client.predict(PROMPT, DIFFUSION, 0, api_name="/explain")
    assert notice == "" and diagram.count('row-label">t = ') == 5 and "Reverse process" in diagram
    assert time.time() - started < 30
    assert "empty" in client.predict("", DIFFUSION, 0, api_name="/explain")[1]
