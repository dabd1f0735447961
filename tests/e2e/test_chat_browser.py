"""End to end in a real browser: send a prompt, watch the grid change, plots, replay, Stop."""

import json
import re
import time

import pytest
from page_actions import send, set_slider

pytestmark = pytest.mark.e2e


def masked_cells(page) -> int:
    return page.locator("#token-grid .llada-grid div.cell.masked").count()


def grid_cells(page) -> int:
    return page.locator("#token-grid .llada-grid div.cell").count()


def test_chat_shows_the_diffusion_step_by_step(page, screenshot_dir):
    set_slider(page, "gen-length", 128)
    set_slider(page, "steps", 128)
    send(page, "Write a story about a cat and a ball.")
    seen = set()
    deadline = time.time() + 120
    while time.time() < deadline:
        if grid_cells(page):
            seen.add(masked_cells(page))
        if "done" in page.locator("#stats").inner_text():
            break
        time.sleep(0.03)
    assert "done" in page.locator("#stats").inner_text()
    intermediate = {m for m in seen if 0 < m < 128}
    assert len(intermediate) >= 2, f"the grid should change over several frames, saw masks {sorted(seen)}"
    # The last frame may land a moment after the stats say "done".
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length === 0", timeout=15000)
    assert grid_cells(page) == 128 and masked_cells(page) == 0

    page.locator("#heatmap .js-plotly-plot").wait_for(timeout=30000)
    assert page.locator("#heatmap .js-plotly-plot").count() == 1
    page.screenshot(path=str(screenshot_dir / "chat.png"), full_page=True)

    set_slider(page, "scrubber", 0)  # replay: back to the first state
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length > 100", timeout=15000)
    assert masked_cells(page) >= 0.9 * 128
    set_slider(page, "scrubber", 40)
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length;"
        " return n > 0 && n < 128; }", timeout=15000)
    page.locator("#token-grid").screenshot(path=str(screenshot_dir / "grid-midway.png"))

    page.get_by_role("tab", name="Decoding order").click()
    page.locator("#order-map .js-plotly-plot").wait_for(timeout=30000)
    page.locator("#order-map").screenshot(path=str(screenshot_dir / "decoding-order.png"))


def stats_say(page, word: str, timeout: float = 120000) -> None:
    try:
        page.wait_for_function(f"() => /STATUS\\s*{word}/i.test(document.querySelector('#stats').innerText)",
                               timeout=timeout)
    except Exception as error:  # say what the page shows instead (a stop, a refusal, a run still going)
        stats, notice = page.locator("#stats").inner_text(), page.locator("#notice").inner_text()
        raise AssertionError(f"stats never said {word!r}: stats {stats!r}, notice {notice!r}") from error


def error_pills(page) -> int:
    """Gradio's red error badges on components (the app must answer with its own message instead)."""
    return page.locator(".error").filter(has_text=re.compile(r"^\s*Error\s*$")).count()


def test_stop_then_export_then_follow_up_at_full_length(page, tmp_path):
    set_slider(page, "block-length", 448)
    set_slider(page, "gen-length", 448)
    set_slider(page, "steps", 448)
    send(page, "Write a very long story.")
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length;"
        " return n > 0 && n < 448; }", timeout=60000)
    page.locator("#stop").click()
    stats_say(page, "stopped", timeout=20000)
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('Stopped')", timeout=20000)
    left = masked_cells(page)
    time.sleep(1.5)
    assert masked_cells(page) == left > 0, "the grid stays at the last step"
    bubble = page.locator("#chatbot").inner_text()
    steps = int(re.search(r"Stopped at step (\d+) of 448", bubble).group(1))
    assert page.locator("#scrubber input[type=number]").input_value() == str(steps)

    with page.expect_download() as download:
        page.locator("#export-trace").click()
        page.locator("#download a").first.wait_for(timeout=30000)
        page.locator("#download a").first.click()
    saved = tmp_path / "trace.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["finished"] is False and data["stop_reason"] == "stopped" and len(data["steps"]) == steps

    set_slider(page, "scrubber", 1)  # replay works on the stopped run
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length >= 440", timeout=15000)

    set_slider(page, "block-length", 32)  # follow-up at full length, right away
    set_slider(page, "gen-length", 256)
    set_slider(page, "steps", 64)  # the length is the point; 4 tokens a step keeps the test short
    send(page, "Now write a story about a bird.")
    stats_say(page, "done")
    notice = page.locator("#notice").inner_text()
    assert "⚠️" not in notice and "failed" not in page.locator("#chatbot").inner_text()
    assert error_pills(page) == 0


def test_a_conversation_longer_than_the_context(page):
    set_slider(page, "gen-length", 256)
    set_slider(page, "steps", 64)  # three long answers overflow the context (at 32 steps they end too soon to)
    page.locator("#remember-turns input").check()  # the embedded model reads only the newest turn unless asked
    for subject in ("a cat", "a dog", "a frog"):
        send(page, f"Write a story about {subject}.")
        stats_say(page, "done")
        page.wait_for_function("() => document.querySelector('#message textarea').value === ''", timeout=10000)
    page.wait_for_function("() => /earlier turns? left out to fit the 512-token context/"
                           ".test(document.querySelector('#notice').innerText)", timeout=10000)
    assert "failed" not in page.locator("#chatbot").inner_text() and error_pills(page) == 0


def test_a_message_typed_while_the_answer_is_written_stays_in_the_box(page):
    """The next question, typed while the answer diffuses, survives the answer's end and a Stop: the turn's last
    frame used to empty the box, so the next Send found nothing to send."""
    box = page.locator("#message textarea")
    set_slider(page, "steps", 64)
    send(page, "Write a story about a dog.")
    page.wait_for_function("() => document.querySelector('#message textarea').value === ''", timeout=10000)
    box.fill("Now one about a cat.")  # typed ahead, while the grid still changes
    stats_say(page, "done")
    time.sleep(1.0)  # the figures' frame lands after "done"
    assert box.input_value() == "Now one about a cat."
    page.locator("#send").click()  # sent as it stands
    page.wait_for_function("() => document.querySelector('#message textarea').value === ''", timeout=10000)
    assert "Now one about a cat." in page.locator("#chatbot").inner_text()
    box.fill("And one about a frog.")
    page.locator("#stop").click()
    stats_say(page, "stopped")
    time.sleep(1.0)
    assert box.input_value() == "And one about a frog."


def test_an_empty_answer_is_explained_in_the_chat(page, screenshot_dir):
    send(page, "Hi")
    stats_say(page, "done")
    chat = page.locator("#chatbot").inner_text()
    if "ended its answer at once" not in chat:
        pytest.skip("the model answered 'Hi' with text on this machine")
    assert "Write a story about" in chat


def test_every_committed_cell_shows_its_whole_token(chromium_browser, app_url, screenshot_dir):
    """At 1280×720 and at the tests' larger window, no committed cell's text is cut."""
    for width, height in ((1280, 720), (1400, 1000)):
        context = chromium_browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(app_url)
        page.locator("#message textarea").wait_for(timeout=30000)
        set_slider(page, "steps", 64)  # the default 128 tokens, two a step: the cells are what is checked
        send(page, "Write a story about a little girl and her big red ball.")
        stats_say(page, "done")
        page.wait_for_function(
            "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length === 0", timeout=15000)
        cut = page.evaluate(
            "() => [...document.querySelectorAll('#token-grid .llada-grid div.cell.done')]"
            ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)")
        assert cut == [], f"cells whose text overflows at {width}×{height}: {cut}"
        assert page.locator("#token-grid .llada-grid div.cell.done").count() > 0
        # Send, Stop and the notice are in view without scrolling.
        for selector in ("#send", "#stop", "#notice"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["y"] + min(box["height"], 20) <= height, f"{selector} is off-screen"
        if width == 1280:
            page.screenshot(path=str(screenshot_dir / "chat-1280x720.png"))
        context.close()


def test_out_of_range_typing_gets_the_apps_message(page):
    set_slider(page, "gen-length", 600)
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('above the most allowed')",
                           timeout=15000)
    notice = page.locator("#notice").inner_text()
    assert notice.startswith("⚠️") and "Nearest valid" in notice and error_pills(page) == 0
    # The slider ends where the model's context less the chat template does, so its end runs (a Send with the
    # nearest valid settings is tests/e2e/test_room_browser.py's).
    page.get_by_role("button", name="Use nearest valid settings", exact=True).click()
    page.wait_for_function("() => document.querySelector('#notice').innerText.startsWith('✓')", timeout=15000)
    assert float(page.locator("#gen-length input[type=number]").input_value()) < 512


def test_dual_cache_chosen_in_the_page(page):
    page.locator("#cache input").click()
    page.get_by_role("option", name=re.compile(r"^dual")).click()
    set_slider(page, "gen-length", 64)
    set_slider(page, "steps", 64)
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('Dual cache')", timeout=15000)
    send(page, "Write a story about a frog.")
    page.wait_for_function("() => document.querySelector('#stats').innerText.includes('done')", timeout=120000)
    stats = page.locator("#stats").inner_text()
    assert "dual" in stats and "64" in stats
    page.wait_for_function(
        "() => document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length === 0", timeout=15000)
    assert grid_cells(page) == 64
