"""Browser fixtures: Debian's Chromium driven by Playwright against the live app (no network)."""

from pathlib import Path

import pytest

from chromium import CHROMIUM_FLAGS, chromium_path

ROOT = Path(__file__).resolve().parents[2]
# The README's pictures: rewritten only by `./scripts/test.sh --update-screenshots` (pytest --update-screenshots).
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Every other e2e run writes its screenshots here (git-ignored), so a test run leaves the checkout clean.
BUILD_SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="session")
def chromium_browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium_browser, app_url):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_url)
    page.locator("#message textarea").wait_for(timeout=30000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig):
    """Where e2e tests save screenshots: build/screenshots/, or docs/screenshots/ with --update-screenshots."""
    folder = SCREENSHOTS if pytestconfig.getoption("--update-screenshots") else BUILD_SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder
