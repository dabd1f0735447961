"""The compare tab's race in Chromium: Run → both done against the two runs' own compute, order-map redraws, long tasks.

The app runs in its own process and Debian's Chromium (Playwright) on the same cores, as in browser_overhead.
For each alignment the page times, on its own clock and without polling, the click on "Run both" until both
cards say done; it counts how often each order map was redrawn before then and records the page's long
tasks (main-thread work over 50 ms, when the page could not answer a click). The two runs' own compute times
come from the cards: they take turns, so their sum is what the runs cost without any frames. Run:

python -m benchmarks.race_browser [--repeats 3] [--css-template] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.app_server import start_server  # noqa: E402

WATCH = """
() => new Promise((resolve) => {
  const tab = document.querySelector('#tab-compare');
  const card = s => (document.querySelector(s) || {}).innerText || '';
  const mapIds = ['#compare-diffusion-order', '#compare-ar-order'];
  let clicked = null, running = false;
  const redraws = [0, 0], longTasks = [];
  const slow = new PerformanceObserver(list => list.getEntries().forEach(e => longTasks.push(e.duration)));
  slow.observe({type: 'longtask'});
  document.querySelector('#compare-run').addEventListener('click', () => { clicked = performance.now(); },
                                                          {once: true});
  // Gradio may replace a component's nodes: watch the whole tab and sort the changes by where they land.
  const watch = new MutationObserver((mutations) => {
    if (clicked === null) return;
    mapIds.forEach((id, i) => {
      if (mutations.some(m => (m.target.closest ? m.target : m.target.parentElement)?.closest(id))) redraws[i] += 1;
    });
    const texts = ['#compare-diffusion-card', '#compare-ar-card'].map(card);
    if (texts.some(t => /STATUS\\s*running/i.test(t))) running = true;
    if (running && texts.every(t => /STATUS\\s*done/i.test(t))) {
      const seconds = (performance.now() - clicked) / 1000;
      watch.disconnect(); slow.disconnect();
      resolve({seconds, redraws, longTasks, cards: texts});
    }
  });
  watch.observe(tab, {childList: true, subtree: true, characterData: true});
})
"""


def own_seconds(card: str) -> float:
    return float(re.search(r"TIME \(OWN COMPUTE\)\s*([\d.]+)\s*s", card, re.IGNORECASE).group(1))


def race_in_page(page, align_label: str, timeout: float = 300.0) -> dict:
    page.locator("#compare-align").get_by_label(align_label, exact=True).check()
    time.sleep(1.0)  # let the page settle
    page.evaluate("() => { window.__race = null; }")
    page.evaluate(f"() => {{ ({WATCH.strip()})().then(r => {{ window.__race = r; }}); }}")
    page.locator("#compare-run").click()
    page.wait_for_function("() => window.__race !== null", timeout=timeout * 1000, polling=1000)
    result = page.evaluate("() => window.__race")
    compute = sum(own_seconds(card) for card in result["cards"])
    tasks = result["longTasks"]
    return {"seconds": result["seconds"], "own_compute_sum": compute, "ratio": result["seconds"] / compute,
            "order_map_redraws": result["redraws"], "long_tasks": len(tasks),
            "long_task_max_ms": max(tasks, default=0.0), "long_task_total_ms": sum(tasks)}


# --css-template: a second app process whose compare tab styles its cards and order maps with gr.HTML's
# css_template, as it did before they moved to the page's CSS (ui/launch.py), to measure what that costs.
TEMPLATED = """
import sys, time
sys.path.insert(0, {root!r})
import types
import gradio
import llada_demo.ui.compare_tab as tab
from llada_demo.viz.order_grid import ORDER_CSS
from llada_demo.viz.run_card import CARD_CSS
STYLES = {{"compare-diffusion-card": CARD_CSS, "compare-ar-card": CARD_CSS, "compare-summary": CARD_CSS,
          "compare-diffusion-order": ORDER_CSS, "compare-ar-order": ORDER_CSS}}
def templated(*args, **kwargs):
    if kwargs.get("elem_id") in STYLES:
        kwargs.setdefault("css_template", STYLES[kwargs["elem_id"]])
    return gradio.HTML(*args, **kwargs)
tab.gr = types.ModuleType("gradio_templated")
tab.gr.__dict__.update(gradio.__dict__, HTML=templated)
import llada_demo.ui.kit as kit  # the cards and order maps are built by the tab kit's result_column
kit.gr = tab.gr
from devtools.app_server import start_app
demo, url = start_app()
print(url, flush=True)
while True:
    time.sleep(3600)
"""


def start_templated() -> tuple[subprocess.Popen, str]:
    return start_server(TEMPLATED)


def races(browser, start, aligns, repeats: int) -> list[dict]:
    """`repeats` races per alignment in one fresh app process, after a warm-up race."""
    process, url = start()
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="Diffusion vs AR", exact=True).click()
        page.locator("#compare-run").wait_for(timeout=60000)
        race_in_page(page, "equal forward passes")  # warm-up: loads both models in the server
        runs = []
        for label in aligns:
            for _ in range(repeats):
                run = dict(race_in_page(page, label), align=label, load=os.getloadavg()[0])
                runs.append(run)
                print(f"{label}: {run['seconds']:.2f} s in the browser, own compute {run['own_compute_sum']:.2f} s"
                      f" (ratio {run['ratio']:.2f}), order maps redrawn {run['order_map_redraws']}, "
                      f"{run['long_tasks']} long tasks (max {run['long_task_max_ms']:.0f} ms)", flush=True)
        page.close()
        return runs
    finally:
        process.kill()


def summary(runs: list[dict]) -> dict:
    return {"races": len(runs), "seconds_median": statistics.median(r["seconds"] for r in runs),
            "ratio_median": statistics.median(r["ratio"] for r in runs),
            "long_task_total_ms_median": statistics.median(r["long_task_total_ms"] for r in runs),
            "long_task_max_ms": max(r["long_task_max_ms"] for r in runs)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--css-template", action="store_true",
                        help="alternate with an app whose compare tab styles cards and order maps by css_template "
                             "(equal forward passes only, --repeats blocks of 2 races each)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from devtools.chromium import CHROMIUM_FLAGS, chromium_path  # the e2e tests' browser settings

    load_before = os.getloadavg()[0]
    result = {"cores": os.cpu_count()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        if args.css_template:
            # Alternating blocks, so both variants see the same minutes of this shared machine.
            variants = {"page css": [], "css_template": []}
            for _ in range(args.repeats):
                for name, start in (("page css", start_server), ("css_template", start_templated)):
                    print(name, flush=True)
                    variants[name] += races(browser, start, ["equal forward passes"], 2)
            result["variants"] = {name: dict(summary(runs), runs=runs) for name, runs in variants.items()}
        else:
            runs = races(browser, start_server, ["equal forward passes", "equal wall time"], args.repeats)
            result["rows"] = [dict(summary([r for r in runs if r["align"] == label]), align=label,
                                   runs=[r for r in runs if r["align"] == label])
                              for label in ("equal forward passes", "equal wall time")]
        browser.close()
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print(json.dumps({k: v for k, v in result.items() if k not in ("rows", "variants")}))
    for name, row in {**{r["align"]: r for r in result.get("rows", [])}, **result.get("variants", {})}.items():
        print(name, {k: round(v, 2) for k, v in row.items() if isinstance(v, float)})
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
