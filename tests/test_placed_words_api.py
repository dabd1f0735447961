"""Words placed anywhere through the live app: /chat's optional words, /place_words, and /infill's words."""

import html
import re

import pytest

from llada_demo.models.registry import default_model_name
from llada_demo.modes.placed_words import uses_word

pytestmark = pytest.mark.integration
DIFFUSION, AUTOREGRESSIVE = default_model_name("diffusion"), default_model_name("autoregressive")
CHATBOT, GRID, NOTICE = 1, 2, 8
WORDS = ("dragon", "cake", "rain")


def chat_args(message, words=None, gen_length=128, steps=64):
    args = (message, [], DIFFUSION, gen_length, steps, min(32, gen_length), "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence")
    return args if words is None else (*args, words)


def content(bubble) -> str:
    """A chat bubble's text (a string, or a list of text parts)."""
    text = bubble["content"]
    return html.unescape(text if isinstance(text, str) else "".join(p.get("text", "") for p in text))


def given_cells(grid: str) -> list[str]:
    return re.findall(r'<div class="cell given"[^>]*>(.*?)</div>', grid)


def test_a_chat_with_placed_words_writes_every_word_and_marks_them_in_the_grid(client):
    final = client.predict(*chat_args("Write a story.", ", ".join(WORDS)), api_name="/chat")
    answer = content(final[CHATBOT][-1])
    assert all(uses_word(answer, word) for word in WORDS), answer
    assert "Use these words: dragon, cake, rain." in content(final[CHATBOT][-2])
    assert "3/3 words used" in final[NOTICE] and "Placed in the answer" in final[NOTICE]
    cells = [re.sub(r"<[^>]+>", "", c).strip("·") for c in given_cells(final[GRID])]
    assert cells == list(WORDS)  # one token each, in order, drawn as given
    # Exact places: the word's cell says where it is.
    placed = client.predict(*chat_args("Write a story.", "2:dragon, 30:cake", gen_length=64, steps=32),
                            api_name="/chat")
    assert re.search(r'class="cell given" data-pos="2"', placed[GRID])
    assert re.search(r'class="cell given" data-pos="30"', placed[GRID])


def test_without_words_the_chat_is_as_before(client):
    final = client.predict(*chat_args("Write a story.", gen_length=32, steps=16), api_name="/chat")
    assert not given_cells(final[GRID]) and "Placed" not in final[NOTICE]
    blank = client.predict(*chat_args("Write a story.", "  ", gen_length=32, steps=16), api_name="/chat")
    assert content(blank[CHATBOT][-1]) == content(final[CHATBOT][-1])


@pytest.mark.parametrize("words, gen_length, says", [
    ("dragon, 3:cake", 128, "every word or to none"),
    ("200:cake", 128, "positions 0 to 127"),
    ("elephant, butterfly, dinosaur, umbrella, playground, sandwich, rainbow", 16, "use fewer words"),
    ("<b>hi</b>", 128, "is not a word"),
])
def test_bad_words_are_answered_before_the_run(client, words, gen_length, says):
    result = client.predict(*chat_args("Write a story.", words, gen_length=gen_length, steps=16), api_name="/chat")
    assert says in result[NOTICE]
    assert result[CHATBOT] == {"__type__": "update"}  # no turn added


def test_place_words_then_fill_in_reports_the_words_each_model_used(client):
    text, notice = client.predict("dragon, cake, rain", DIFFUSION, 64, api_name="/place_words")
    assert text.startswith("[MASK*") and all(f" {w} " in text for w in WORDS) and "Placed" in notice
    final = client.predict(text, "Write a story.", DIFFUSION, AUTOREGRESSIVE, 0, "low_confidence", 0,
                           "dragon, cake, rain", api_name="/infill")
    summary = final[6]
    assert "**Diffusion**: 3/3 words used" in summary and "**Autoregressive**:" in summary
    assert final[7] == ""
    _, refused = client.predict("", DIFFUSION, 64, api_name="/place_words")
    assert "Type the words first" in refused
