"""What a person waits for: Send → "done" in Chromium against the raw sampler, same settings, same machine.

Three processes: the app (`python app.py`'s build, its own process), Debian's Chromium driven by
Playwright (on the same cores), and a fresh Python process that times the raw sampler (`generate()`,
warmed up) with the same model and settings. Raw and browser runs alternate, one pair per repeat, and
the ratio is the median of the pairs' ratios: this machine's speed drifts too much between minutes for
a raw figure taken before the browser starts. The browser time runs from the click on Send until the
stats panel says "done"; the page also counts how many grid frames it drew. Run:

python -m benchmarks.browser_overhead [--repeats 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.app_server import env, start_server  # noqa: E402

PROMPT = "Write a story about a cat and a ball."
# (label, answer length, steps, block length); None = the page's defaults, untouched.
RUNS = [("app defaults", None, None, None), ("128 tokens, 128 steps, block 32", 128, 128, 32)]

# A raw-sampler process that stays up for the whole benchmark: each line on its stdin ("length steps block",
# or "defaults") runs generate() once with those settings and prints its seconds. Raw and browser runs then
# alternate, so each ratio compares the same minutes of this machine (its speed drifts by 20 % and more).
RAW = """
import json, sys, time
sys.path.insert(0, {root!r})
from llada_demo.engine import worker
from llada_demo.models.registry import load_model
from llada_demo.models.tokenizer import chat_prompt_ids
from llada_demo.sampling import SamplingSettings, generate
from llada_demo.ui.chat_tab import chat_defaults
worker.run_here()
loaded = load_model({model!r})
ids = chat_prompt_ids(loaded.tokenizer, [{{"role": "user", "content": {prompt!r}}}])
print("ready", flush=True)
warm = set()
for line in sys.stdin:
    if line.strip() == "defaults":
        d = chat_defaults()
        length, steps, block = d["gen_length"], d["steps"], d["block_length"]
    else:
        length, steps, block = map(int, line.split())
    settings = SamplingSettings(gen_length=length, steps=steps, block_length=block, seed=0)
    if (length, steps, block) not in warm:
        generate(loaded.model, ids, settings)
        warm.add((length, steps, block))
    start = time.perf_counter()
    generate(loaded.model, ids, settings)
    print(json.dumps(dict(seconds=time.perf_counter() - start, length=length, steps=steps, block=block)), flush=True)
"""


class RawSampler:
    """The raw sampler in a fresh process of its own, timed one run at a time."""

    def __init__(self, model: str):
        code = RAW.format(root=str(ROOT), model=model, prompt=PROMPT)
        self.process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env())
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the raw-sampler process did not start")

    def time(self, length, steps, block) -> dict:
        """One timed generate() (warmed up once per shape first); None values = the chat tab's defaults."""
        self.process.stdin.write("defaults\n" if length is None else f"{length} {steps} {block}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.kill()


def set_slider(page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


# Times a run inside the page, with no polling (polling would itself take CPU from the run): the click on
# Send and the first mutation after which the stats say done, both on the page's clock; and how many
# times the grid changed in between.
WATCH = """
() => new Promise((resolve) => {
  const stats = document.querySelector('#stats'), grid = document.querySelector('#token-grid');
  let clicked = null, frames = 0, running = false;
  document.querySelector('#send').addEventListener('click', () => { clicked = performance.now(); }, {once: true});
  const gridWatch = new MutationObserver(() => { frames += 1; });
  gridWatch.observe(grid, {childList: true, subtree: true, characterData: true});
  const statsWatch = new MutationObserver(() => {
    const text = stats.innerText;
    if (/STATUS\\s*running/i.test(text)) running = true;
    if (clicked !== null && running && /STATUS\\s*(done|stopped)/i.test(text)) {
      statsWatch.disconnect(); gridWatch.disconnect();
      const elapsed = /ELAPSED\\s*([\\d.]+)/i.exec(text);
      resolve({seconds: (performance.now() - clicked) / 1000, frames, sampler: elapsed ? +elapsed[1] : null});
    }
  });
  statsWatch.observe(stats, {childList: true, subtree: true, characterData: true});
  window.__runWatch = true;
})
"""


def browser_run(page, timeout: float = 300.0) -> tuple[float, int, float]:
    """(seconds from the click on Send until the stats say done, grid changes drawn, the sampler's own
    seconds as the stats report them), timed in the page."""
    page.locator("#clear").click()  # a fresh conversation each time: the same prompt as the raw sampler's
    page.wait_for_function("() => document.querySelector('#stats').innerText.includes('No run yet')", timeout=30000)
    page.locator("#message textarea").fill(PROMPT)
    time.sleep(0.5)  # let the page settle
    page.evaluate("() => { window.__runWatch = false; window.__runResult = null; }")
    page.evaluate(f"() => {{ ({WATCH.strip()})().then(r => {{ window.__runResult = r; }}); }}")
    page.locator("#send").click()
    try:
        page.wait_for_function("() => window.__runResult !== null", timeout=timeout * 1000, polling=1000)
    except Exception as error:
        page.screenshot(path="browser-overhead-failure.png", full_page=True)
        raise RuntimeError("the run did not end in the page: " + page.locator("#notice").inner_text()[:300]) from error
    result = page.evaluate("() => window.__runResult")
    return float(result["seconds"]), int(result["frames"]), float(result["sampler"] or "nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", choices=["defaults", "128"], help="time only one of the two runs")
    args = parser.parse_args(argv)

    from devtools.chromium import CHROMIUM_FLAGS, chromium_path  # the e2e tests' browser settings
    from llada_demo.models.registry import default_model_name

    model = default_model_name()
    runs = [r for r in RUNS if args.only is None or (args.only == "defaults") == (r[1] is None)]

    from playwright.sync_api import sync_playwright

    raw = RawSampler(model)
    process, url = start_server()
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                                 args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.locator("#message textarea").wait_for(timeout=60000)
            for label, length, steps, block in runs:
                if length is not None:
                    set_slider(page, "block-length", block)
                    set_slider(page, "gen-length", length)
                    set_slider(page, "steps", steps)
                    time.sleep(1.0)  # let the settings check settle
                browser_run(page)  # warm-up: loads the model in the server, compiles nothing
                raws, times, frames, inside = [], [], [], []
                for _ in range(args.repeats):
                    # One raw run, then one run in the browser: the pair shares the machine's state.
                    r = raw.time(length, steps, block)
                    seconds, drawn, sampler = browser_run(page)
                    raws.append(r["seconds"])
                    times.append(seconds)
                    frames.append(drawn)
                    inside.append(sampler)
                    print(f"{label}: raw {r['seconds']:.2f} s, {seconds:.2f} s in the browser (sampler in the app "
                          f"{sampler:.2f} s), {drawn} grid updates, ratio {seconds / r['seconds']:.2f}", flush=True)
                ratios = [b / a for a, b in zip(raws, times)]
                rows.append(dict(run=label, length=r["length"], steps=r["steps"], block=r["block"],
                                 raw_times=raws, browser_times=times, sampler_in_app=inside, pair_ratios=ratios,
                                 raw_median=statistics.median(raws), browser_median=statistics.median(times),
                                 ratio=statistics.median(ratios), ratio_best_to_best=min(times) / min(raws),
                                 grid_updates=statistics.median(frames),
                                 sampler_in_app_median=statistics.median(inside)))
            browser.close()
    finally:
        process.kill()
        raw.close()

    print(f"\nmodel {model} · Chromium on this machine ({os.cpu_count()} cores) · {args.repeats} pairs, "
          "each a raw run then a browser run")
    print("| run | raw sampler, median (s) | in the browser, Send → done, median (s) | ratio (median of pairs) | "
          "best to best | sampler's own time in the app (s) | grid updates |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['run']} ({row['length']}/{row['steps']}/{row['block']}) | {row['raw_median']:.2f} | "
              f"{row['browser_median']:.2f} | {row['ratio']:.2f} | {row['ratio_best_to_best']:.2f} | "
              f"{row['sampler_in_app_median']:.2f} | {row['grid_updates']:.0f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(dict(model=model, cores=os.cpu_count(), repeats=args.repeats,
                                             cpu=_cpu_name(), rows=rows), indent=2))
    return 0


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
