"""The Reversal tab in a browser: one backward question asked and filled in as a blank, graded, the tables shown."""

import pytest

pytestmark = pytest.mark.e2e


def open_reversal_tab(page) -> None:
    """Its tab button, or the same entry in the "More tabs" menu where the bar is too narrow for every tab."""
    tab = page.get_by_role("tab", name="Reversal curse", exact=True)
    if tab.count() == 0:
        page.get_by_role("button", name="More tabs").click()
        tab = page.locator(".overflow-dropdown button", has_text="Reversal curse")
    tab.click()


def both_finished_with_a_verdict(page):
    """Wait until both models' answers are marked right or wrong, then check both grids are filled and done."""
    page.wait_for_function(
        "() => ['#reversal-diffusion-verdict', '#reversal-ar-verdict'].every(s => "
        "(document.querySelector(s + ' .rev-verdict.right') || document.querySelector(s + ' .rev-verdict.wrong')))",
        timeout=120000)
    for side in ("diffusion", "ar"):
        assert page.locator(f"#reversal-{side}-grid .llada-grid div.cell.masked").count() == 0
        assert "done" in page.locator(f"#reversal-{side}-card").inner_text()


def test_a_backward_question_is_answered_by_both_models(page, screenshot_dir):
    open_reversal_tab(page)
    page.locator("#tab-reversal").wait_for(state="visible", timeout=15000)
    assert "←" in page.locator("#reversal-question input").input_value(), "a backward question is the default"
    assert "Trained on" in page.locator("#reversal-fact").inner_text()
    page.locator("#reversal-run").click()
    both_finished_with_a_verdict(page)
    table = page.locator("#reversal-table").inner_text()
    assert "forward" in table and "backward" in table and "GPT-4o" in table
    assert "Fill in the blank" in table


def test_a_backward_blank_is_filled_by_both_models(page, screenshot_dir):
    open_reversal_tab(page)
    page.locator("#tab-reversal").wait_for(state="visible", timeout=15000)
    assert "___" in page.locator("#reversal-fact").inner_text()  # the blanked sentence is shown
    # Verdicts of an earlier run on this page go first, so the wait below sees this run's.
    page.evaluate("() => document.querySelectorAll('#tab-reversal .rev-verdict').forEach(e => e.remove())")
    page.locator("#reversal-fill").click()
    both_finished_with_a_verdict(page)
    # The diffusion model's answer is the trained sentence itself, only the blank filled.
    assert "pet" in page.locator("#reversal-diffusion-grid").inner_text()
    box = page.locator("#tab-reversal").bounding_box()
    page.screenshot(path=str(screenshot_dir / "reversal.png"), full_page=True,
                    clip={"x": max(box["x"] - 12, 0), "y": max(box["y"] - 12, 0), "width": box["width"] + 24,
                          "height": box["height"] + 24})
