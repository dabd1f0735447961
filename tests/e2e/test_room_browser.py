"""The app in the rooms it is shown in: a phone (390×844), a projector (1024×768), a laptop (1280×720) and
presentation mode. Every tab in the bar, no grid cell cut after a run in any grid, the grid in view while a run
streams on a phone, candidates by tap, nearest valid settings that run, presentation mode's type size."""

import time

import pytest
from page_actions import open_tab, send, set_slider

pytestmark = pytest.mark.e2e

SIZES = {"phone": (390, 844), "projector": (1024, 768), "laptop": (1280, 720)}

# Cells whose text is wider than the cell (cut), and grids wider than their box (a column cut off), in `selector`.
CUT = """(selector) => {
  const cells = [...document.querySelectorAll(selector + ' .llada-grid div.cell')];
  const grids = [...document.querySelectorAll(selector + ' .llada-grid')];
  return {cells: cells.length,
          cut: cells.filter(c => c.scrollWidth > c.clientWidth).map(c => c.innerText),
          wide: grids.filter(g => g.scrollWidth > g.clientWidth + 1).map(g => [g.scrollWidth, g.clientWidth])};
}"""

BOTH_DONE = "() => [%s].every(s => document.querySelector(s).innerText.includes('done'))"
BRANCH_DONE = ("() => { const g = document.querySelector('#branch-source .llada-grid'); return g && "
               "g.querySelectorAll('.cell').length > 0 && g.querySelectorAll('.cell.masked').length === 0; }")
VERDICTS = ("() => ['#reversal-diffusion-verdict', '#reversal-ar-verdict']"
            ".every(s => document.querySelector(s + ' .rev-verdict'))")

# Each tab with grids: (tab name, panel, the grids' selector, how to run it, what says it is done).
GRIDS = [
    ("Chat & watch", None, "#token-grid", None, "() => /done/.test(document.querySelector('#stats').innerText)"),
    ("Diffusion vs AR", "tab-compare", "#tab-compare", "#compare-run",
     BOTH_DONE % "'#compare-diffusion-card', '#compare-ar-card'"),
    ("Fill in anywhere", "tab-infill", "#tab-infill", "#infill-run",
     BOTH_DONE % "'#infill-diffusion-card', '#infill-ar-card'"),
    ("Strategies", "tab-strategies", "#tab-strategies", "#strategies-run",
     BOTH_DONE % "'#strategies-a-card', '#strategies-b-card'"),
    ("Rewind & branch", "tab-branch", "#tab-branch", "#branch-run", BRANCH_DONE),
    ("Reversal curse", "tab-reversal", "#tab-reversal", "#reversal-fill", VERDICTS),
]


# Records every "step k / N" the chat's stats show (a live run's frames), from now on, in window.stepsSeen.
STEPS_SEEN = """() => {
  window.stepsSeen = [];
  const stats = document.querySelector('#stats');
  new MutationObserver(() => {
    const m = stats.innerText.match(/step\\s*(\\d+ \\/ \\d+)/i);
    if (m && window.stepsSeen[window.stepsSeen.length - 1] !== m[1]) window.stepsSeen.push(m[1]);
  }).observe(stats, {subtree: true, childList: true, characterData: true});
}"""


def open_page(browser, url: str, size, path: str = "", **options):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, **options)
    page = context.new_page()
    page.goto(url.rstrip("/") + "/" + path.lstrip("/"))
    page.locator("#message textarea").wait_for(timeout=30000)
    return context, page


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_every_tab_is_in_the_bar(chromium_browser, app_url, size):
    context, page = open_page(chromium_browser, app_url, size)
    time.sleep(1.0)  # the bar lays itself out after the page mounts
    tabs = page.locator("#mode-tabs [role=tab]")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    assert len(names) >= 8 and "Reversal curse" in names and "How it works" in names, names
    for index, name in enumerate(names):
        box = tabs.nth(index).bounding_box()
        assert tabs.nth(index).is_visible() and box is not None, f"{name} is hidden at {size}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= size[0], f"{name} is outside the page at {size}"
    more = page.locator("#mode-tabs").get_by_role("button", name="More tabs")
    assert more.count() == 0 or not more.first.is_visible(), f"an overflow menu at {size}"
    open_tab(page, names[-1], None)  # the last tab is reachable with one click
    assert tabs.nth(len(names) - 1).get_attribute("aria-selected") == "true"
    context.close()


def test_no_grid_cell_is_cut_after_a_run_in_any_grid(chromium_browser, app_url, screenshot_dir):
    """One short run in every tab with a grid, then every grid checked at the three sizes."""
    context, page = open_page(chromium_browser, app_url, SIZES["laptop"])
    set_slider(page, "gen-length", 48)
    set_slider(page, "steps", 24)
    set_slider(page, "block-length", 48)
    for name, panel, _, button, done in GRIDS:
        open_tab(page, name, panel)
        if panel == "tab-compare":
            set_slider(page, "compare-length", 48)
            set_slider(page, "compare-steps", 24)
            set_slider(page, "compare-block", 48)
        if button is None:
            send(page, "Write a story about a little girl and her big red ball.")
        else:
            page.locator(button).click()
        page.wait_for_function(done, timeout=180000)
    time.sleep(1.0)  # the last frames land
    for label, size in SIZES.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        for name, panel, selector, _, _ in GRIDS:
            open_tab(page, name, panel)
            time.sleep(0.3)
            found = page.evaluate(CUT, selector)
            assert found["cells"] > 0, f"no grid in {name}"
            assert found["cut"] == [], f"cells cut in {name} at {label}: {found['cut']}"
            assert found["wide"] == [], f"a grid wider than its box in {name} at {label}: {found['wide']}"
        if label == "projector":
            open_tab(page, "Chat & watch", None)
            page.screenshot(path=str(screenshot_dir / "projector-1024x768.png"))
    context.close()


def test_the_phone_watches_the_grid_stream_and_taps_a_cell(chromium_browser, app_url, screenshot_dir):
    context, page = open_page(chromium_browser, app_url, SIZES["phone"], has_touch=True, is_mobile=True)
    page.wait_for_function(
        "() => !document.querySelector('#chat-settings button.label-wrap').classList.contains('open')", timeout=15000)
    send(page, "Write a story about a cat and a ball.")
    # While the run streams (some cells committed, some still masked), the grid is on screen, above the settings.
    page.wait_for_function(
        "() => { const g = document.querySelector('#token-grid .llada-grid'); if (!g) return false;"
        " const masked = g.querySelectorAll('.cell.masked').length;"
        " return masked > 0 && masked < g.querySelectorAll('.cell').length; }", timeout=120000)
    grid = page.locator("#token-grid .llada-grid").bounding_box()
    height = SIZES["phone"][1]
    assert grid["y"] >= 0 and grid["y"] + 120 <= height, f"the grid starts at {grid['y']:.0f} px, off the screen"
    assert page.locator("#chat-settings").bounding_box()["y"] > grid["y"] + grid["height"], "settings above the grid"
    assert page.evaluate(CUT, "#token-grid")["wide"] == [], "the grid is wider than the phone"
    page.screenshot(path=str(screenshot_dir / "phone-390x844.png"))
    page.wait_for_function("() => /done/.test(document.querySelector('#stats').innerText)", timeout=120000)
    time.sleep(0.5)
    cell = page.locator("#token-grid .llada-grid div.cell.done[data-k]").first
    cell.scroll_into_view_if_needed()
    cell.tap()
    popover = page.locator(".llada-pop")
    popover.wait_for(state="visible", timeout=10000)
    box = popover.bounding_box()
    assert page.locator(".llada-pop .llada-pop-row").count() >= 2
    assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES["phone"][0], "the popover leaves the screen"
    context.close()


LONG_MESSAGE = ("Write a long story about a little girl called Lily, her brother Tom, their dog Max and a big red "
                "ball that rolls down the hill into the river, and how the friendly old fisherman, the kind baker "
                "and the clever cat help them get it back before the sun goes down over the quiet little town.")


def test_nearest_valid_settings_then_send_runs(chromium_browser, app_url):
    context, page = open_page(chromium_browser, app_url, SIZES["laptop"])
    # The answer slider ends where the model's context less the chat template does: its end runs too.
    page.wait_for_function("() => Number(document.querySelector('#gen-length input[type=range]').max) < 512",
                           timeout=30000)
    set_slider(page, "steps", 32)  # the answer's length is the point, not its step count
    set_slider(page, "gen-length", 1000)  # the page moves it to the slider's end
    send(page, LONG_MESSAGE)  # too long a message for an answer that long: the context is full
    page.wait_for_function("() => document.querySelector('#notice').innerText.includes('Nearest valid')",
                           timeout=30000)
    assert "context" in page.locator("#notice").inner_text()
    page.get_by_role("button", name="Use nearest valid settings", exact=True).click()
    page.wait_for_function("() => document.querySelector('#notice').innerText.startsWith('✓')", timeout=15000)
    page.locator("#send").click()
    page.wait_for_function("() => /done/.test(document.querySelector('#stats').innerText)", timeout=300000)
    assert not page.locator("#notice").inner_text().startswith("⚠️")
    length = int(float(page.locator("#gen-length input[type=number]").input_value()))
    assert page.locator("#token-grid .llada-grid div.cell").count() == length
    context.close()


def test_presentation_mode_has_large_type_and_the_grid_first(chromium_browser, app_url, screenshot_dir):
    context, page = open_page(chromium_browser, app_url, SIZES["projector"], path="/?present=1")
    page.wait_for_function("() => document.body.classList.contains('llada-present')", timeout=15000)
    assert page.locator("#present-switch input").is_checked()
    page.wait_for_function(
        "() => !document.querySelector('#chat-settings button.label-wrap').classList.contains('open')", timeout=15000)
    assert page.locator("#present-pace").is_visible()  # the pace is offered only while presenting
    set_slider(page, "present-pace", 20)
    time.sleep(1.0)  # the pace reaches the server on the slider's change
    page.evaluate(STEPS_SEEN)
    send(page, "Write a story about a cat.")
    page.wait_for_function("() => /done/.test(document.querySelector('#stats').innerText)", timeout=120000)
    # Every step of the live run shown in turn at the pace (as computed, a frame shows whatever step is reached).
    seen = page.evaluate("() => window.stepsSeen")
    planned = int(seen[-1].split("/")[1])
    shown = sorted({int(step.split("/")[0]) for step in seen})
    assert len(shown) >= 0.9 * planned and shown == sorted(shown), seen
    time.sleep(0.5)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#token-grid .cell')).fontSize)")
    assert size >= 22
    assert page.locator("#token-grid").bounding_box()["y"] < page.locator("#message").bounding_box()["y"]
    assert page.evaluate(CUT, "#token-grid")["cut"] == []
    page.screenshot(path=str(screenshot_dir / "presentation.png"))
    open_tab(page, "Reversal curse", "tab-reversal")  # every tab: its one line shown, its intro folded away
    assert page.locator("#tab-reversal .llada-oneline").first.is_visible()
    assert not page.locator("#tab-reversal .llada-intro").first.is_visible()
    page.locator("#present-switch input").click()  # the switch turns it off again
    page.wait_for_function("() => !document.body.classList.contains('llada-present')", timeout=15000)
    assert "present" not in page.url
    assert not page.locator("#present-pace").is_visible()
    context.close()

