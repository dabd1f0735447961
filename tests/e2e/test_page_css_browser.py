"""The views' styles come from the page's CSS (no gr.HTML css_template): in Chromium they still reach each view in the
component that shows it, although Gradio rewrites the page's css= under .gradio-container."""

import pytest

pytestmark = pytest.mark.e2e

# (the tabs to open, the component that shows the view, the view's HTML, the element to read, a CSS property, its
# value there)
PROBES = [
    (["Rewind & branch"], "#branch-diff", '<div class="llada-diff">a <ins>b</ins></div>', ".llada-diff", "borderTopLeftRadius", "10px"),
    (["How it works", "Step by step"], "#explainer", '<div class="explainer"><div class="c m">x</div></div>', ".explainer", "borderTopLeftRadius",
     "12px"),
    (["Fill in anywhere"], "#infill-diffusion-text", '<div class="infill-text"><span class="filled">x</span></div>', ".filled",
     "backgroundColor", "rgb(219, 234, 254)"),
    (["Fill in anywhere"], "#infill-diffusion-grid", '<div class="llada-view"><div class="cell given">x</div></div>', ".cell.given",
     "borderTopColor", "rgb(71, 85, 105)"),
    (["Chat & watch"], "#token-grid", '<div class="llada-view"><div class="cell given">x</div></div>', ".cell.given",
     "fontWeight", "600"),
    (["How it works", "Which answer?"], "#score-ranking", '<span class="lik-settled yes">settled</span>', ".lik-settled", "backgroundColor",
     "rgb(220, 252, 231)"),
    (["Reversal curse"], "#reversal-diffusion-verdict", '<div class="rev-verdict wrong">x</div>', ".rev-verdict", "backgroundColor",
     "rgb(254, 226, 226)"),
    (["Reversal curse"], "#reversal-table", '<table class="rev-table"><tr><td>x</td></tr></table>', ".rev-table", "borderCollapse",
     "collapse"),
    (["Strategies"], "#strategies-a-card", '<div class="run-card"><div class="stat">x</div></div>', ".run-card", "display", "flex"),
]


def test_each_views_styles_reach_it_from_the_page_css(page):
    found = []
    for tabs, host, html, target, property, _ in PROBES:
        for tab in tabs:  # a tab's components are in the page once it has been opened
            page.get_by_role("tab", name=tab, exact=True).click()
        page.locator(host).wait_for(state="attached", timeout=10000)
        found.append(page.evaluate("""([host, html, target, property]) => {
            const probe = document.createElement('div');
            probe.innerHTML = html;
            document.querySelector(host).appendChild(probe);
            const element = probe.querySelector(target);
            return element ? getComputedStyle(element)[property] : 'no ' + target;
        }""", [host, html, target, property]))
    assert found == [probe[-1] for probe in PROBES]
