"""Hands on the denoiser in a browser: a cell's top-5 candidates by click and by keyboard; a branch from an early
step with a changed word, whose grid marks the changed cell."""

import pytest
from page_actions import set_slider

pytestmark = pytest.mark.e2e

POPOVER_ROWS = "() => Array.from(document.querySelectorAll('.llada-pop .llada-pop-row')).map(r => r.innerText)"


def open_branch_tab(page) -> None:
    page.get_by_role("tab", name="Rewind & branch", exact=True).click()
    page.locator("#tab-branch").wait_for(state="visible", timeout=15000)


def run_source(page) -> None:
    """Run the tab's prompt and wait until the run is done (the slider has its end and no mask is left)."""
    page.locator("#branch-run").click()
    page.wait_for_function("() => { const g = document.querySelector('#branch-source .llada-grid');"
                           " return g && g.querySelectorAll('.cell').length > 0 &&"
                           " g.querySelectorAll('.cell.masked').length === 0; }", timeout=120000)


def rewind_to(page, step):
    """Move the replay slider to `step` and wait until the source grid shows it."""
    set_slider(page, "branch-step", step)
    page.wait_for_function(f"() => document.querySelector('#branch-source .llada-view')?.dataset.step === '{step}'",
                           timeout=15000)


def test_a_cells_candidates_open_by_click_and_by_keyboard(page, screenshot_dir):
    open_branch_tab(page)
    run_source(page)
    rewind_to(page, 6)
    masked = page.locator("#branch-source .cell.masked[data-k]").first
    masked.click()
    page.locator(".llada-pop").wait_for(state="visible", timeout=5000)
    rows = page.evaluate(POPOVER_ROWS)
    assert len(rows) == 5 and all("%" in row for row in rows), rows
    head = page.locator(".llada-pop-head").inner_text()
    assert "masked" in head and "top 5" in head, head
    # The bars follow the probabilities, best first.
    widths = page.evaluate("() => Array.from(document.querySelectorAll('.llada-pop-bar > span'))"
                           ".map(s => parseFloat(s.style.width))")
    assert widths == sorted(widths, reverse=True) and widths[0] > 0
    # Hover: the tooltip gains the same candidates.
    masked.hover()
    assert "top 5 now:" in masked.get_attribute("title")
    box = page.locator("#branch-source").bounding_box()
    pop = page.locator(".llada-pop").bounding_box()
    page.screenshot(path=str(screenshot_dir / "candidates.png"), full_page=True,
                    clip={"x": box["x"] - 12, "y": box["y"] - 12, "width": box["width"] + 24,
                          "height": max(box["height"], pop["y"] + pop["height"] - box["y"]) + 24})
    page.keyboard.press("Escape")
    page.locator(".llada-pop").wait_for(state="detached", timeout=5000)
    # Keyboard: focus the grid, move with the arrows, Enter opens the highlighted (committed) cell's candidates.
    page.locator("#branch-source .llada-grid").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.locator(".llada-pop").wait_for(state="visible", timeout=5000)
    assert "chosen at step" in page.locator(".llada-pop-head").inner_text()
    page.keyboard.press("Escape")


def test_branch_from_an_early_step_with_a_changed_word(page, screenshot_dir):
    open_branch_tab(page)
    run_source(page)
    rewind_to(page, 4)
    # A committed cell: pick its second candidate in the popover (the model's runner-up at that step).
    committed = page.locator("#branch-source .cell.done[data-k]").nth(2)
    position = int(committed.get_attribute("data-pos"))
    committed.click()
    page.locator(".llada-pop .llada-pop-use").nth(1).click()
    page.wait_for_function(f"() => document.querySelector('#branch-edits textarea').value.startsWith('{position} = #')",
                           timeout=15000)
    # And a typed word further on, in a cell still masked at that step.
    later = int(page.locator("#branch-source .cell.masked").nth(4).get_attribute("data-pos"))
    page.locator("#branch-cell input").fill(str(later))
    page.locator("#branch-word textarea").fill("dragon")
    page.locator("#branch-add").click()
    page.wait_for_function(f"() => document.querySelector('#branch-edits textarea').value.includes('{later} = dragon')",
                           timeout=15000)
    page.locator("#branch-go").click()
    page.wait_for_function("() => { const g = document.querySelector('#branch-grid .llada-grid');"
                           " return g && g.querySelectorAll('.cell').length > 0 &&"
                           " g.querySelectorAll('.cell.masked').length === 0; }", timeout=120000)
    edited = page.locator("#branch-grid .llada-grid .cell.edited")
    assert edited.count() >= 2
    marked = {int(edited.nth(i).get_attribute("data-pos")) for i in range(edited.count())}
    assert {position, later} <= marked
    assert "dragon" in page.locator(f"#branch-grid .cell[data-pos='{later}']").inner_text()
    assert "you changed it" in page.locator("#branch-grid .llada-legend").inner_text()
    assert page.locator("#branch-diff ins").count() >= 1  # the text diff shows what the branch wrote differently
    assert page.locator("#branch-original .llada-grid .cell.masked").count() == 0
    panel_box = page.locator("#tab-branch").bounding_box()
    page.screenshot(path=str(screenshot_dir / "branch.png"), full_page=True,
                    clip={"x": panel_box["x"] - 12, "y": panel_box["y"] - 12, "width": panel_box["width"] + 24,
                          "height": panel_box["height"] + 24})


def test_the_html_replay_shows_a_cells_candidates(chromium_browser, tmp_path):
    """The exported replay page: click a cell at an early step, its top 5 appear as in the app."""
    from llada_demo.viz.export_html import animation_html
    from viz_fixtures import tiny_run

    trace = tiny_run()
    path = tmp_path / "replay.html"
    path.write_text(animation_html(trace, columns=8), encoding="utf-8")
    page = chromium_browser.new_page()
    try:
        page.goto(path.as_uri())
        page.evaluate("() => { const s = document.getElementById('llada-slider'); s.value = 3;"
                      " s.dispatchEvent(new Event('input')); }")  # an early step: most cells masked
        masked = page.locator("#llada-grid .cell.masked[data-k]").first
        position = int(masked.get_attribute("data-pos"))
        source, pairs = trace.candidates(2, position)
        masked.click()
        page.locator(".llada-pop").wait_for(state="visible", timeout=5000)
        assert "top 5 now (step 3)" in page.locator(".llada-pop-head").inner_text() and source == 2
        percents = [float(t.rstrip("%")) for t in page.locator(".llada-pop-p").all_inner_texts()]
        assert percents == [round(p * 1000) / 10 for _, p in pairs]
        page.keyboard.press("Escape")
        committed = page.locator("#llada-grid .cell.done[data-k]").first
        committed.hover()
        assert "chosen at step" in committed.get_attribute("title")
    finally:
        page.close()
