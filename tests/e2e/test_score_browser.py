"""The "Which answer?" sub-tab in a browser: the preset's answers scored live, the table growing to the end, the
figure drawn, the ranking settled, and a screenshot."""

import re
import time

import pytest
from page_actions import open_tab
from test_modes_browser import panel_shot

pytestmark = pytest.mark.e2e


def draws_shown(page) -> list[int]:
    """The draws column of the ranking table as it is now."""
    rows = page.locator("#score-ranking tbody tr").all_inner_texts()
    return [int(m.group(1)) for row in rows if (m := re.search(r"±\s*[\d.]+\s+(\d+)\s", row))]


def test_the_answers_preference_settles_live(page, screenshot_dir):
    open_tab(page, "How it works", "tab-explain")
    page.get_by_role("tab", name="Which answer?", exact=True).click()
    page.locator("#tab-score").wait_for(state="visible", timeout=15000)
    assert "backward" in page.locator("#score-preset input").input_value()  # the reversal fact, backward, first
    assert page.locator("#score-answer-1 textarea").input_value()
    page.locator("#score-run").click()
    seen, deadline = set(), time.time() + 180
    while time.time() < deadline:
        seen.update(draws_shown(page))
        if "done:" in page.locator("#score-ranking").inner_text():
            break
        time.sleep(0.05)
    text = page.locator("#score-ranking").inner_text()
    assert "done:" in text, "the scoring should finish"
    assert draws_shown(page) == [128] * 4
    assert any(0 < d < 128 for d in seen), f"the estimates should be seen growing, saw draws {sorted(seen)}"
    assert "settled" in text and "AR exact" in text
    page.locator("#score-plot .js-plotly-plot").wait_for(timeout=30000)
    assert page.locator("#score-plot .js-plotly-plot .scatterlayer .trace").count() >= 8  # 4 lines, 4 AR lines
    panel_shot(page, "tab-score", screenshot_dir / "likelihood.png")


def test_the_reversal_tabs_names_are_scored_both_ways(page):
    open_tab(page, "Reversal curse", "tab-reversal")
    page.locator("#reversal-score-names button.label-wrap").click()  # the section starts folded
    page.locator("#reversal-score").click()
    page.wait_for_function(
        "() => /done:/.test(document.querySelector('#reversal-score-ranking').innerText)", timeout=240000)
    text = page.locator("#reversal-score-ranking").inner_text()
    assert "forward" in text and "backward" in text and "AR exact" in text, text
    assert "⚠" not in page.locator("#reversal-score-notice").inner_text()
    page.locator("#reversal-score-plot .js-plotly-plot").wait_for(timeout=30000)
    # Both models' points for both directions: 4 names each, diffusion with error bars, the twin exact.
    assert page.locator("#reversal-score-plot .js-plotly-plot .scatterlayer .trace").count() >= 4
