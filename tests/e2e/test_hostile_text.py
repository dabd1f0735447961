"""Hostile text (HTML, JS, Markdown that renders to HTML) is shown as text: nothing runs, nothing is injected."""

import pytest

pytestmark = pytest.mark.e2e

HOSTILE = (
    '<script>window.__pwned = 1</script> <img src="x" onerror="window.__pwned = 2"> '
    '[click me](javascript:window.__pwned=3) **bold** <b id="injected">bold</b> <|eot_id|> '
    '<svg onload="window.__pwned = 4"></svg>'
)


def test_hostile_prompt_is_shown_as_text_and_runs_nothing(page, screenshot_dir):
    page.evaluate("() => { window.__pwned = undefined; }")
    page.locator("#message textarea").fill(HOSTILE)
    page.locator("#send").click()
    page.wait_for_function("() => document.querySelector('#stats').innerText.includes('done')", timeout=120000)
    chat_text = page.locator("#chatbot").inner_text()
    assert '<script>window.__pwned = 1</script>' in chat_text  # shown literally
    assert "<|eot_id|>" in chat_text
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("#injected").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.locator("#chatbot svg[onload]").count() == 0
    page.locator("#chatbot").screenshot(path=str(screenshot_dir / "hostile-text.png"))
