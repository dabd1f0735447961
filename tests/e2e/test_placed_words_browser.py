"""In a real browser: words typed in "Must use these words" are fixed in the diffusion answer and marked in the grid."""

import re

import pytest

from llada_demo.modes.placed_words import uses_word

pytestmark = pytest.mark.e2e
WORDS = ("dragon", "cake", "rain")


def test_placed_words_appear_in_the_answer_and_the_grid_marks_them(page, screenshot_dir):
    page.locator("#message textarea").fill("Write a story.")
    page.locator("#must-use textarea").fill(", ".join(WORDS))
    page.locator("#send").click()
    # Placed before the first step: the grid shows the words as given while the rest is still masked.
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.given').length === 3"
        " && document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length > 0", timeout=120000)
    page.wait_for_function("() => /STATUS\\s*done/i.test(document.querySelector('#stats').innerText)",
                           timeout=180000)
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length === 0"
        " && document.querySelector('#notice').innerText.includes('words used')", timeout=30000)

    given = page.locator("#token-grid .llada-grid div.cell.given")
    assert [re.sub(r"[·\s]", "", given.nth(i).inner_text()) for i in range(given.count())] == list(WORDS)
    assert "your placed words" in page.locator("#token-grid").inner_text()  # the legend explains the marked cells
    answer = page.locator("#chatbot .message.bot").last.inner_text()
    assert all(uses_word(answer, word) for word in WORDS), answer
    notice = page.locator("#notice").inner_text()
    assert "3/3 words used" in notice and "Placed in the answer" in notice
    page.screenshot(path=str(screenshot_dir / "placed-words.png"))


def test_unreadable_words_get_a_message_and_no_turn(page):
    page.locator("#message textarea").fill("Write a story.")
    page.locator("#must-use textarea").fill("dragon, 3:cake")
    page.locator("#send").click()
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('every word or to none')",
                           timeout=30000)
    assert "Write a story." not in page.locator("#chatbot").inner_text()


def test_fill_in_places_the_words_in_a_template_and_says_who_used_them(page):
    page.get_by_role("tab", name="Fill in anywhere", exact=True).click()
    page.locator("#tab-infill").wait_for(state="visible", timeout=15000)
    page.locator("#infill-words textarea").fill(", ".join(WORDS))
    page.locator("#infill-place").click()
    page.wait_for_function("() => document.querySelector('#infill-text textarea').value.includes(' cake ')",
                           timeout=60000)
    assert page.locator("#infill-text textarea").input_value().startswith("[MASK*")
    page.locator("#infill-run").click()
    page.wait_for_function("() => { const t = document.querySelector('#infill-summary').innerText;"
                           " return /Diffusion: \\d\\/3 words used/.test(t)"
                           " && /Autoregressive: \\d\\/3 words used/.test(t); }", timeout=180000)
    summary = page.locator("#infill-summary").inner_text()
    # The words stay where they were placed (a word counts as used only whole: "cakes" would not count).
    assert re.search(r"Diffusion: \d/3 words used", summary), summary
    assert re.search(r"Diffusion: (\d+)/\1 of your fixed tokens in place \(untouched\)", summary), summary
    given = page.locator("#infill-diffusion-grid div.cell.given").all_inner_texts()
    assert [re.sub(r"[·\s]", "", text) for text in given][:3] == list(WORDS)  # then the end-of-turn token
