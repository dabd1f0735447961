"""Exports: JSON round trip, the standalone HTML replay (escaping, frames, data), the GIF."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from llada_demo.trace import Trace
from llada_demo.viz import animation_gif, animation_html, trace_to_json_file
from llada_demo.viz.export_gif import CELL_H, CELL_W, GAP, HEADER_H, MARGIN, MASKED_FILL, frame_steps
from viz_fixtures import handmade_trace, parse_grid, synthetic_trace, tiny_run

DATA_PATTERN = re.compile(r'<script type="application/json" id="llada-trace-data">(.*?)</script>', re.DOTALL)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.starts


def replay_states(data: dict) -> list[np.ndarray]:
    """What the player's stateAt() computes, in Python: the answer ids after each step."""
    tokens = np.full(data["length"], data["mask"], dtype=np.int64)
    states = [tokens.copy()]
    for step in data["steps"]:
        where = step.get("c", step["k"])
        tokens[where] = step["v"]
        states.append(tokens.copy())
    return states


def test_trace_json_file_round_trips(tmp_path):
    trace = handmade_trace()
    path = trace_to_json_file(trace, tmp_path / "run.json")
    loaded = Trace.from_json(path.read_text(encoding="utf-8"))
    assert loaded.texts == trace.texts and len(loaded.steps) == len(trace.steps)
    np.testing.assert_array_equal(loaded.commit_steps(), trace.commit_steps())


def test_html_has_one_frame_per_state_and_its_data_replays_the_run():
    trace = tiny_run()
    html = animation_html(trace)
    count = len(trace.steps)
    player = next(attrs for tag, attrs in tags_of(html) if attrs.get("class") == "llada-player")
    slider = next(attrs for tag, attrs in tags_of(html) if attrs.get("id") == "llada-slider")
    assert int(player["data-frames"]) == count + 1
    assert (int(slider["min"]), int(slider["max"])) == (0, count)
    data = json.loads(DATA_PATTERN.search(html).group(1))
    assert len(data["steps"]) == count and data["length"] == trace.gen_length
    states = replay_states(data)
    for k in range(1, count + 1):
        np.testing.assert_array_equal(states[k], trace.steps[k - 1].tokens)
        masked = np.flatnonzero(states[k] == trace.mask_id)
        assert data["steps"][k - 1]["g"] == trace.steps[k - 1].predicted[masked].tolist()


def test_html_keeps_hostile_token_text_inside_its_json():
    trace = handmade_trace()
    html = animation_html(trace)
    # Exactly our two <script> elements: token text cannot open or close one.
    assert html.lower().count("<script") == 2 and html.lower().count("</script") == 2
    assert not any(tag == "img" for tag, _ in tags_of(html))
    assert not any(name.startswith("on") for _, attrs in tags_of(html) for name in attrs)
    raw = DATA_PATTERN.search(html).group(1)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    tokens = json.loads(raw)["tokens"]
    assert tokens["13"][1] == "<script>alert(1)</script>"
    assert tokens["17"][1] == "</script><script>alert(2)</script>"
    assert tokens["1"][1] == "⏎EOS" and tokens["1"][4] == 1


def test_html_is_standalone():
    html = animation_html(tiny_run())
    assert not re.search(r"""(src|href)\s*=""", html, re.IGNORECASE)
    assert "@import" not in html and "http://" not in html and "https://" not in html


def test_html_rejects_unknown_colour_mode():
    with pytest.raises(ValueError):
        animation_html(handmade_trace(), color_by="rainbow")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs a headless chromium")
def test_html_player_draws_the_grid_in_a_browser(tmp_path):
    trace = handmade_trace()
    page = tmp_path / "replay.html"
    # Start the player at step 2 instead of the end, to check it replays to the right state.
    page.write_text(animation_html(trace, columns=5).replace('value="4" aria-label', 'value="2" aria-label'),
                    encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--dump-dom", page.as_uri()]
    result = subprocess.run(["chromium", *flags], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 and not result.stdout:
        pytest.skip(f"chromium could not start: {result.stderr[-300:]}")
    # The player's cells carry no data-pos; tag them so the grid parser picks them up.
    cells = parse_grid(result.stdout.replace('<div class="cell', '<div data-pos="0" class="cell')).cells
    assert len(cells) == trace.gen_length
    assert "step 2/4 · NFE 2 · masks left 5" in result.stdout
    assert [c["text"] for c in cells[:5]] == ["Hello", "·world", "↵", "<script>alert(1)</script>", '" onmouseover="x']
    assert {i for i, c in enumerate(cells) if "new" in c["classes"]} == {1, 2, 4}
    assert all("masked" in c["classes"] for c in cells[5:])


def test_frame_steps_keep_first_and_last():
    assert frame_steps(4, 120) == [0, 1, 2, 3, 4]
    picked = frame_steps(256, 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 256 and picked == sorted(set(picked))


def cell_pixel(image: Image.Image, position: int, columns: int = 16) -> tuple[int, int, int]:
    """Colour just inside the left edge of a cell (clear of its text and outline)."""
    row, column = divmod(position, columns)
    x = MARGIN + column * (CELL_W + GAP) + 4
    y = HEADER_H + MARGIN // 2 + row * (CELL_H + GAP) + CELL_H // 2
    return image.convert("RGB").getpixel((x, y))


def test_gif_has_one_frame_per_state_when_short(tmp_path):
    trace = handmade_trace()
    path = animation_gif(trace, tmp_path / "run.gif")
    with Image.open(path) as image:
        assert image.n_frames == len(trace.steps) + 1
        masked = tuple(int(MASKED_FILL[i:i + 2], 16) for i in (1, 3, 5))
        image.seek(0)
        assert cell_pixel(image, 0) == masked
        image.seek(image.n_frames - 1)
        assert cell_pixel(image, 0) != masked


def test_gif_subsamples_long_runs(tmp_path):
    trace = synthetic_trace(64, 64, 32)
    with Image.open(animation_gif(trace, tmp_path / "long.gif", max_frames=12)) as image:
        assert image.n_frames == 12
        assert image.info["loop"] == 0
