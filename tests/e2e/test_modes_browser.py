"""The teaching modes in a browser: both compare panels progress, fill-in keeps the text, plots, explainer."""

import re
import time

import pytest
from page_actions import open_tab

pytestmark = pytest.mark.e2e

MASK_COUNTS = """(selectors) => selectors.map(s => {
  const grid = document.querySelector(s + ' .llada-grid');
  return grid ? grid.querySelectorAll('div.cell.masked').length : -1;
})"""


def panel_shot(page, panel: str, path) -> None:
    """A screenshot of one tab's panel with a small margin (the panel itself has none)."""
    box = page.locator(f"#{panel}").bounding_box()
    page.screenshot(path=str(path), full_page=True, clip={"x": max(box["x"] - 12, 0), "y": max(box["y"] - 12, 0),
                                                          "width": box["width"] + 24, "height": box["height"] + 24})


def watch_masks(page, selectors, done, timeout=120):
    """Every masked-cell count each grid showed until `done()` (polled about every 30 ms)."""
    seen = [set() for _ in selectors]
    deadline = time.time() + timeout
    while time.time() < deadline:
        for index, count in enumerate(page.evaluate(MASK_COUNTS, selectors)):
            if count >= 0:
                seen[index].add(count)
        if done():
            break
        time.sleep(0.03)
    return seen


ORDER_COUNTS = """(selectors) => selectors.map(s => {
  const map = document.querySelector(s + ' .llada-order');
  return map ? [map.querySelectorAll('.o.masked').length, map.querySelectorAll('.o').length] : [-1, -1];
})"""


def test_compare_both_panels_progress_to_the_end(page, screenshot_dir):
    """The race at its defaults (equal forward passes): both grids and both order maps show partial states."""
    open_tab(page, "Diffusion vs AR", "tab-compare")
    page.locator("#compare-run").click()
    grids = ["#compare-diffusion-grid", "#compare-ar-grid"]
    maps = ["#compare-diffusion-order", "#compare-ar-order"]
    partial_maps = [False, False]

    def finished():
        for index, (masked, cells) in enumerate(page.evaluate(ORDER_COUNTS, maps)):
            partial_maps[index] |= 0 < masked < cells
        cards = page.locator("#compare-diffusion-card").inner_text() + page.locator("#compare-ar-card").inner_text()
        return cards.count("done") == 2

    seen = watch_masks(page, grids, finished)
    assert finished(), "both runs should finish"
    page.wait_for_function(f"() => {MASK_COUNTS}({grids!r}).every(n => n === 0)", timeout=15000)
    for name, counts in zip(("diffusion", "autoregressive"), seen):
        assert {c for c in counts if 0 < c < 64}, f"the {name} grid showed no intermediate state: {sorted(counts)}"
    assert partial_maps == [True, True], "both order maps should be drawn while the runs go on"
    assert all(masked == 0 and cells == 64 for masked, cells in page.evaluate(ORDER_COUNTS, maps))
    summary = page.locator("#compare-summary").inner_text()
    assert "tokens / forward pass" in summary and "any-order share" in summary
    assert page.locator("#compare-ar-order .o.gap").count() == 0  # autoregression never writes past a gap
    panel_shot(page, "tab-compare", screenshot_dir / "compare.png")


def test_compare_equal_wall_time_also_runs_to_the_end(page):
    open_tab(page, "Diffusion vs AR", "tab-compare")
    page.locator("#compare-align").get_by_label("equal wall time", exact=True).check()
    page.locator("#compare-run").click()
    page.wait_for_function("() => ['#compare-diffusion-card', '#compare-ar-card'].every(s => "
                           "(document.querySelector(s) || {}).innerText?.includes('done'))", timeout=120000)
    assert page.locator("#compare-notice").inner_text().strip() == ""
    assert page.locator("#compare-diffusion-order .o").count() == 64


def test_fill_in_keeps_the_users_text_untouched(page, screenshot_dir):
    open_tab(page, "Fill in anywhere", "tab-infill")
    text = page.locator("#infill-text textarea").input_value()
    fixed = [piece.strip() for piece in re.split(r"\[MASK(?:\*\d+)?\]", text) if piece.strip()]
    page.locator("#infill-run").click()
    page.wait_for_function("() => (document.querySelector('#infill-diffusion-card') || {}).innerText?.includes('done')"
                           " && document.querySelector('#infill-ar-card').innerText.includes('done')", timeout=120000)
    written = page.locator("#infill-diffusion-text").inner_text()
    position = 0
    for piece in fixed:  # every fixed piece, in order, character for character
        found = written.find(piece, position)
        assert found >= 0, f"{piece!r} is missing from {written!r}"
        position = found + len(piece)
    grid = page.locator("#infill-diffusion-grid")
    assert grid.locator("div.cell.masked").count() == 0 and grid.locator("div.cell.given").count() > 10
    assert grid.locator("div.cell.overwrote").count() == 0
    assert page.locator("#infill-ar-grid div.cell.overwrote").count() > 0  # the AR model wrote over the ending
    assert "untouched" in page.locator("#infill-summary").inner_text()
    panel_shot(page, "tab-infill", screenshot_dir / "infill.png")


def test_sweep_plot_and_table_appear(page, screenshot_dir):
    open_tab(page, "Trade-offs", "tab-sweep")
    box = page.locator("#sweep-steps textarea, #sweep-steps input").first
    box.fill("4, 8, 16, 32")
    page.locator("#sweep-strategies").get_by_label("random").check()
    page.locator("#sweep-run").click()
    page.locator("#sweep-plot .js-plotly-plot").wait_for(timeout=120000)
    page.wait_for_function("() => document.querySelector('#sweep-status').innerText.includes('8 of 8 runs done')",
                           timeout=180000)
    page.locator("#sweep-plot .js-plotly-plot").wait_for(timeout=30000)
    assert page.locator("#sweep-plot .js-plotly-plot").count() == 1
    # The table is virtualised: its ARIA row count says how many rows it holds (the header, then 8 runs).
    assert page.locator("#sweep-table [role=grid]").get_attribute("aria-rowcount") == "9"
    panel_shot(page, "tab-sweep", screenshot_dir / "sweep.png")


def test_sweep_stop_button_ends_the_sweep(page):
    open_tab(page, "Trade-offs", "tab-sweep")
    page.locator("#sweep-steps textarea, #sweep-steps input").first.fill("64, 32, 16, 8, 4")
    page.locator("#sweep-run").click()
    page.wait_for_function("() => document.querySelector('#sweep-status').innerText.includes('Run 1 of 5')",
                           timeout=60000)
    page.locator("#sweep-stop").click()
    page.wait_for_function("() => document.querySelector('#sweep-status').innerText.includes('Stopped after')",
                           timeout=20000)
    time.sleep(1.0)  # nothing may overwrite the stopped state afterwards
    assert "Stopped after" in page.locator("#sweep-status").inner_text()
    assert "Stopped" in page.locator("#sweep-notice").inner_text()


def test_strategy_comparison_shows_two_order_maps(page, screenshot_dir):
    open_tab(page, "Strategies", "tab-strategies")
    page.locator("#strategies-run").click()
    page.wait_for_function("() => document.querySelector('#strategies-a-card').innerText.includes('done')"
                           " && document.querySelector('#strategies-b-card').innerText.includes('done')",
                           timeout=120000)
    for side in ("a", "b"):
        page.locator(f"#strategies-{side}-order .js-plotly-plot").wait_for(timeout=30000)
    assert page.locator("#tab-strategies .js-plotly-plot").count() == 2
    assert re.search(r"seed\s+0\s+0", page.locator("#strategies-summary").inner_text())
    panel_shot(page, "tab-strategies", screenshot_dir / "strategies.png")


def test_explainer_renders_from_a_real_run(page, screenshot_dir):
    open_tab(page, "How it works", "tab-explain")
    page.locator("#explainer .explainer").wait_for(timeout=60000)
    text = page.locator("#explainer").inner_text()
    for section in ("Forward process", "Reverse process", "One step up close", "Semi-autoregressive blocks"):
        assert section in text
    assert page.locator("#explainer .row-label").count() >= 11  # 5 masking levels, 5 snapshots, 1 close-up
    panel_shot(page, "tab-explain", screenshot_dir / "explainer.png")
