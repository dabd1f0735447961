"""The revising strategy in a browser: chosen in the Strategy comparison tab, its grid marks the cells it took
back while low_confidence's marks none; the chat offers it with its description."""


import pytest

pytestmark = pytest.mark.e2e

MARKED = ("(selector) => { const g = document.querySelector(selector + ' .llada-grid');"
          " return g ? g.querySelectorAll('.cell.revised, .cell.rechecked').length : -1; }")


def test_revising_in_the_strategy_comparison_marks_the_cells_it_took_back(page, screenshot_dir):
    page.get_by_role("tab", name="Strategies", exact=True).click()
    page.locator("#tab-strategies").wait_for(state="visible", timeout=15000)
    page.locator("#strategy-b input").click()
    page.get_by_role("option", name="revising", exact=True).click()  # short names; the line under says what it does
    page.wait_for_function("() => document.querySelector('#strategy-b input').value.startsWith('revising')",
                           timeout=15000)
    page.locator("#strategies-run").click()
    page.wait_for_function("() => document.querySelector('#strategies-a-card').innerText.includes('done')"
                           " && document.querySelector('#strategies-b-card').innerText.includes('done')",
                           timeout=180000)
    page.wait_for_function(f"() => ({MARKED})('#strategies-b-grid') > 0", timeout=30000)
    assert page.evaluate(MARKED, "#strategies-a-grid") == 0
    assert page.evaluate(MARKED, "#strategies-b-grid") > 0
    assert page.locator("#strategies-b-grid .llada-grid .cell.masked").count() == 0  # it still ends filled, on time
    badge = page.locator("#strategies-b-grid .llada-grid .cell[data-remasks]").first
    assert badge.get_attribute("data-remasks") in ("1", "2")
    assert "returned to [MASK]" in badge.get_attribute("title")
    assert "taken back, then changed" in page.locator("#strategies-b-grid").inner_text()
    assert "taken back to [MASK]" in page.locator("#strategies-summary").inner_text()
    assert "never takes a committed token back" in page.locator("#tab-strategies").inner_text()
    top = page.locator("#strategies-a-card").bounding_box()
    bottom = page.locator("#strategies-b-grid").bounding_box()
    left = min(top["x"], bottom["x"]) - 12
    page.screenshot(path=str(screenshot_dir / "revising.png"), full_page=True, clip={
        "x": max(left, 0), "y": max(top["y"] - 12, 0), "width": bottom["x"] + bottom["width"] + 12 - max(left, 0),
        "height": bottom["y"] + bottom["height"] - top["y"] + 24})


def test_the_chat_offers_revising_with_what_it_does(page):
    box = page.get_by_label("Remasking strategy").first
    box.click()
    option = page.get_by_role("option", name="revising", exact=True)
    option.wait_for(timeout=15000)
    option.click()
    # The menu shows short names; the chosen strategy's one line sits under it.
    page.wait_for_function("() => document.querySelector('#strategy').innerText.includes('back to [MASK]')",
                           timeout=15000)
    assert "not in LLaDA's published sampler" in page.locator("#strategy").inner_text()
