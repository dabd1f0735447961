"""End to end in a real browser: send a prompt, watch the grid change, plots, replay, Stop."""

import re
import time

import pytest

pytestmark = pytest.mark.e2e


def masked_cells(page) -> int:
    return page.locator("#token-grid .llada-grid div.cell.masked").count()


def grid_cells(page) -> int:
    return page.locator("#token-grid .llada-grid div.cell").count()


def set_slider(page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def send(page, text: str) -> None:
    page.locator("#message textarea").fill(text)
    page.locator("#send").click()


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


def test_stop_mid_run(page):
    set_slider(page, "gen-length", 448)
    set_slider(page, "steps", 448)
    set_slider(page, "block-length", 448)
    send(page, "Write a very long story.")
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('#token-grid .llada-grid div.cell.masked').length;"
        " return n > 0 && n < 448; }", timeout=60000)
    page.locator("#stop").click()
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('Stopped')", timeout=20000)
    # One frame already on its way may still land after the notice; then nothing may change for good.
    left, deadline = masked_cells(page), time.time() + 10
    while time.time() < deadline:
        time.sleep(1.0)
        now = masked_cells(page)
        if now == left:
            break
        left = now
    time.sleep(1.0)
    assert masked_cells(page) == left > 0, "nothing changes after Stop"
    assert re.search(r"stopped|running", page.locator("#stats").inner_text())


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
