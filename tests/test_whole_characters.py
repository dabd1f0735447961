"""Whole characters: the embedded models' byte-level tokenizer splits "é", "ß", "龍", emoji and Chinese over several
tokens; every text (answer, chat bubble, notices, words used, exports) is decoded from the ids as a whole, and the
grid draws a split character on its first cell with the cells after marked as its continuation."""

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from branch_source import short_run_to_branch_from
from llada_demo.characters import cell_texts, decode, readable
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.models.tokenizer import token_bytes, token_texts
from llada_demo.scoring.text_metrics import uses_word
from llada_demo.trace import Trace
from llada_demo.viz.token_grid import CONTINUES, render_grid

DIFFUSION, AUTOREGRESSIVE = default_model_name("diffusion"), default_model_name("autoregressive")
WORDS = ["café", "straße", "龍", "🙂", "你好世界，今天天气很好。"]


@pytest.fixture(scope="module")
def tokenizer():
    return load_model(DIFFUSION).tokenizer


def ids_of(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


@pytest.mark.parametrize("text", WORDS)
def test_the_embedded_tokenizer_splits_these_characters_and_runs_of_ids_decode_whole(tokenizer, text):
    ids = ids_of(tokenizer, text)
    pieces = token_bytes(tokenizer, ids)
    assert any("\ufffd" in tokenizer.decode([i]) for i in ids)  # the tokenizer does split a character here
    assert decode(pieces) == tokenizer.decode(ids) == text
    # A token that is part of a character reads as its bytes, never as "�".
    assert all("\ufffd" not in t for t in token_texts(tokenizer, ids))
    # The grid: each character on the cell its first byte is in, the following cells mark its continuation.
    cells = cell_texts(pieces)
    assert "".join(c.text for c in cells) == text
    assert any(c.continues for c in cells) and all(not c.text for c in cells if c.continues)


def test_every_token_of_the_vocabulary_has_the_bytes_its_decode_shows(tokenizer):
    ids = list(range(len(tokenizer)))
    for token, piece in zip(ids, token_bytes(tokenizer, ids)):
        assert piece.decode("utf-8", "replace") == tokenizer.decode([token]), token


def test_a_character_cut_by_a_mask_shows_its_bytes_readably():
    cells = cell_texts([b"caf", b"\xc3", None, b"\xa9"])
    assert [c.text for c in cells] == ["caf", "<0xC3>", "", "<0xA9>"]
    assert readable(b"\xe9\xbe") == "<0xE9><0xBE>" and readable("龍".encode()) == "龍"


def _run_trace(tokenizer, text, gen_length=16):
    """A finished one-step trace whose answer is `text` (then end tokens), texts as the engine adds them."""
    from llada_demo.engine import add_texts
    from llada_demo.sampling import SamplingSettings
    from llada_demo.trace import StepRecord

    loaded = load_model(DIFFUSION)
    ids = ids_of(tokenizer, text)
    answer = np.array(ids + [loaded.special.eos] * (gen_length - len(ids)), dtype=np.int32)
    settings = SamplingSettings(gen_length=gen_length, steps=1, block_length=gen_length)
    trace = Trace(prompt_ids=np.array(ids_of(tokenizer, "Hi"), dtype=np.int32), settings=settings,
                  mask_id=loaded.special.mask, stop_ids=loaded.special.stops, finished=True)
    record = StepRecord(step=0, block=0, tokens=answer, committed=np.arange(gen_length, dtype=np.int32),
                        committed_confidence=np.ones(gen_length, np.float32),
                        predicted=np.zeros(0, np.int32), predicted_confidence=np.zeros(0, np.float32),
                        nfe=1, elapsed=0.1)
    add_texts(trace, tokenizer, record.tokens, trace.prompt_ids)
    trace.steps.append(record)
    return trace


@pytest.mark.parametrize("text", WORDS)
def test_a_traces_answer_grid_and_json_keep_characters_whole(tokenizer, text):
    trace = _run_trace(tokenizer, text, gen_length=40)
    assert trace.answer_text() == text
    grid = render_grid(trace)
    first = html.unescape(re.sub(r"<[^>]+>", "", re.findall(r'data-pos="0"[^>]*>(.*?)</div>', grid)[0]))
    assert first.strip("·") == text[0] or text.startswith(first.strip("·"))
    assert CONTINUES in grid and "\ufffd" not in grid
    back = Trace.from_json(trace.to_json())
    assert back.answer_text() == text and back.raw_bytes == trace.raw_bytes


# ---- through the live app ----

def chat_args(message, words=None, gen_length=32, steps=16):
    args = (message, [], DIFFUSION, gen_length, steps, min(32, gen_length), "low_confidence", 0.9, 0.0, 0.0, 0,
            "none", "confidence")
    return args if words is None else (*args, words)


def bubble(message) -> str:
    text = message["content"]
    return html.unescape(text if isinstance(text, str) else "".join(p.get("text", "") for p in text))


@pytest.mark.integration
@pytest.mark.parametrize("words", ["0:café", "0:straße", "0:龍", "0:你好世界"])
def test_placed_words_come_back_whole_in_the_chat(client, words):
    word = words.split(":", 1)[1]
    final = client.predict(*chat_args("Write a story.", words), api_name="/chat")
    answer, notice = bubble(final[1][-1]), final[8]
    assert word in answer and "\ufffd" not in answer
    # Words used is judged on the whole text (the tiny model may glue a letter on: then it is rightly not used).
    used = "1/1 words used" if uses_word(answer, word) else "0/1 words used"
    assert used in notice and "\ufffd" not in notice
    assert "\ufffd" not in final[2] and CONTINUES in final[2]  # the grid draws the split character whole


@pytest.mark.integration
def test_a_chinese_and_emoji_prompt_and_the_exports_read_whole(client):
    prompt = "你好世界，今天天气很好。 🙂 龍"
    final = client.predict(*chat_args(prompt, "6:café"), api_name="/chat")
    assert bubble(final[1][-2]).startswith(prompt)
    exported = json.loads(Path(client.predict(api_name="/export_trace")).read_text(encoding="utf-8"))
    trace = Trace.from_dict(exported)
    assert "café" in trace.answer_text()
    page = Path(client.predict(api_name="/export_html")).read_text(encoding="utf-8")
    assert html.escape(prompt) in html.unescape(page) or prompt in page
    assert "café" in page and "\ufffd" not in page


@pytest.mark.integration
def test_branch_edits_with_split_characters_come_back_whole(client):
    # One short run to branch from, four branches of it (each replaces only the last branch, not the run).
    short_run_to_branch_from(client, "Write a story about a cat.")
    for edit, text in (("12 = straße", "straße"), ('12 = "🙂"', "🙂"), ("12 = 龍", "龍"), ("12 = naïve", "naïve")):
        *_, grid, diff, info, notice = client.predict(2, edit, 32, "low_confidence", 0.0, 0, api_name="/branch")
        assert notice == "" and info["finished"] and text in info["text"], (edit, notice, info)
        assert "\ufffd" not in grid + diff and CONTINUES in grid, edit


@pytest.mark.integration
def test_fill_in_keeps_split_characters_whole(client):
    text = "龍 and the café [MASK*6] 🙂 straße."
    _, d_grid, d_text, _, a_grid, _, _, notice = client.predict(
        text, "", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0, api_name="/infill")
    assert notice == ""
    for piece in ("龍 and the café", "🙂 straße."):
        assert piece in html.unescape(re.sub(r"<[^>]+>", "", d_text))
    assert "\ufffd" not in d_text + d_grid + a_grid and CONTINUES in d_grid


def test_the_exported_players_data_draws_split_characters_whole(tokenizer):
    from llada_demo.viz.player_data import replay_data

    trace = _run_trace(tokenizer, "龍 café", gen_length=16)
    last = replay_data(trace)["shown"][-1]
    texts = [last[str(p)] for p in sorted(map(int, last))]
    assert ["龍", 0] in texts and ["é", 0] in texts and texts.count(["", 1]) == 3  # 龍: 2 more bytes, é: 1
    assert replay_data(trace)["shown"][0] == {}  # all masked before the first step


def test_the_gif_and_the_explainer_diagram_draw_split_characters_whole(tokenizer):
    from llada_demo.viz.diagram import _mini
    from llada_demo.viz.export_gif import frame_labels
    from llada_demo.viz.state import answer_state

    trace = _run_trace(tokenizer, "龍 café 🙂", gen_length=16)
    labels = frame_labels(trace, answer_state(trace, 1))
    assert "龍" in labels and "é" in labels and "🙂" in labels and CONTINUES in labels
    assert not any("<0x" in label or "\ufffd" in label for label in labels)
    assert frame_labels(trace, answer_state(trace, 0)) == [""] * 16  # all masked before the first step
    mini = html.unescape(_mini(trace, trace.answer_ids))
    assert "龍" in mini and "🙂" in mini and CONTINUES in mini and "<0x" not in mini and "\ufffd" not in mini
