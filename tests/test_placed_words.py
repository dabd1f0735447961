"""Words placed anywhere: parsing, placement in the answer template, the Fill-in text, words used, a real run."""

import itertools

import numpy as np
import pytest

from llada_demo.engine import chat_trace, last
from llada_demo.errors import SettingsError
from llada_demo.models.registry import default_model_name, load_model
from llada_demo.modes.infill import build_template, parse_masks
from llada_demo.modes.placed_words import (
    MAX_WORDS,
    SPREAD_END,
    WordRequest,
    parse_words,
    place_words,
    used_summary,
    uses_word,
    with_words,
    word_ids,
    words_used,
)
from llada_demo.sampling import SamplingSettings
from training.data import DEFAULT_VALID_FILE


@pytest.fixture(scope="module")
def loaded():
    return load_model(default_model_name("diffusion"))


def test_words_are_read_with_commas_spaces_or_positions():
    assert [r.word for r in parse_words("dragon, cake, rain")] == ["dragon", "cake", "rain"]
    assert [r.word for r in parse_words("  dragon cake\train ")] == ["dragon", "cake", "rain"]
    assert [r.word for r in parse_words("ice cream; big-dog\nTom’s")] == ["ice cream", "big-dog", "Tom's"]
    assert parse_words("3:dragon, 40:cake") == [WordRequest("dragon", 3), WordRequest("cake", 40)]
    assert parse_words("3:dragon 40:cake") == [WordRequest("dragon", 3), WordRequest("cake", 40)]
    assert parse_words("5 : ice  cream") == [WordRequest("ice cream", 5)]
    assert parse_words("") == parse_words("   ") == parse_words(None) == []


@pytest.mark.parametrize("text, says", [
    ("dragon, 3:cake", "every word or to none"),
    ("a:b", "whole number before the colon"),
    ("3:", "no word"),
    ("<|eot_id|>", "is not a word"),
    ("1e+308", "is not a word"),
    ("x" * 31, "at most 30"),
    (", ".join(f"w{i}" for i in range(MAX_WORDS + 1)), f"at most {MAX_WORDS}"),
    ("a, " * 300, "characters long"),
    ({"a": 1}, "must be text"),
    (12, "must be text"),
])
def test_bad_words_are_refused_with_what_to_change(text, says):
    with pytest.raises(SettingsError, match=says):
        parse_words(text)


def test_words_are_spread_in_order_over_the_text_part_of_the_answer(loaded):
    tokenizer, mask = loaded.tokenizer, loaded.special.mask
    placement = place_words(tokenizer, parse_words("dragon, cake, rain"), 128, mask)
    starts = placement.starts
    assert list(starts) == sorted(starts) and len(set(starts)) == 3
    ends = [s + len(ids) for s, ids in zip(starts, placement.token_ids)]
    assert starts[0] >= 8 and ends[-1] <= int(128 * SPREAD_END)  # room for an opening, nothing near the padding
    assert all(b - a >= 10 for a, b in itertools.pairwise(starts))  # spread, not bunched
    template = placement.template
    assert template.shape == (128,) and int((template != mask).sum()) == sum(map(len, placement.token_ids))
    for start, ids in zip(starts, placement.token_ids):
        assert template[start:start + len(ids)].tolist() == list(ids)
    # Mid-sentence tokens: the word's text comes back with its space.
    assert tokenizer.decode(word_ids(tokenizer, "dragon")) == " dragon"
    assert np.array_equal(placement.given, (template != mask).numpy())


def test_positions_are_kept_exactly_and_checked(loaded):
    tokenizer, mask = loaded.tokenizer, loaded.special.mask
    placement = place_words(tokenizer, parse_words("0:dragon, 60:cake"), 64, mask)
    assert placement.starts == (0, 60)
    with pytest.raises(SettingsError, match="positions 0 to 63"):
        place_words(tokenizer, parse_words("64:cake"), 64, mask)
    with pytest.raises(SettingsError, match="positions 0 to 63"):
        place_words(tokenizer, parse_words("-1:cake"), 64, mask)
    with pytest.raises(SettingsError, match="overlaps"):
        place_words(tokenizer, parse_words("5:dragon, 5:cake"), 64, mask)


def test_words_that_do_not_fit_are_refused(loaded):
    words = parse_words("elephant, butterfly, dinosaur, umbrella, playground, sandwich, rainbow, chocolate")
    with pytest.raises(SettingsError, match="lengthen the answer or use fewer words"):
        place_words(loaded.tokenizer, words, 16, loaded.special.mask)
    with pytest.raises(SettingsError, match="no words"):
        place_words(loaded.tokenizer, [], 64, loaded.special.mask)
    # The tightest fit still keeps every word before the answer's last 30%.
    tight = place_words(loaded.tokenizer, parse_words("dog, cat, sun"), 10, loaded.special.mask)
    assert tight.starts[-1] + len(tight.token_ids[-1]) <= 7


def test_the_fill_in_text_reads_back_as_the_same_template(loaded):
    placement = place_words(loaded.tokenizer, parse_words("dragon, ice cream, rain"), 64, loaded.special.mask)
    text = placement.infill_text()
    assert text.startswith("[MASK*") and " dragon " in text and " ice cream " in text
    template = build_template(loaded, parse_masks(text))
    assert template.answer.tolist() == placement.template.tolist()
    positioned = place_words(loaded.tokenizer, parse_words("0:dragon, 63:cake"), 64, loaded.special.mask)
    assert build_template(loaded, parse_masks(positioned.infill_text())).answer.tolist() == \
        positioned.template.tolist()


def test_a_word_is_used_only_as_a_whole_word_in_any_case():
    assert uses_word("The Dragon flew.", "dragon") and uses_word("the dragon's cake", "dragon")
    assert not uses_word("two dragons", "dragon") and not uses_word("snowdragon", "dragon")
    assert uses_word("some ice\ncream", "ice cream") and uses_word("Tom’s hat", "Tom's")
    assert words_used("cake and rain", ["dragon", "cake", "rain"]) == [False, True, True]
    assert used_summary("cake and rain", ["dragon", "cake"]) == "1/2 words used: ✗ dragon · ✓ cake"


def test_the_prompt_asks_for_the_words_after_the_message():
    assert with_words("Write a story", ["dragon", "cake"]) == "Write a story. Use these words: dragon, cake."
    assert with_words("Write a story!", ["dragon"]) == "Write a story! Use these words: dragon."
    assert with_words("", ["dragon"]) == "Use these words: dragon."


@pytest.mark.parametrize("cache", ["none", "dual"])
def test_a_chat_run_keeps_the_placed_words_and_its_text_holds_them(loaded, cache):
    words = ("dragon", "cake", "rain")
    placement = place_words(loaded.tokenizer, [WordRequest(w) for w in words], 64, loaded.special.mask)
    settings = SamplingSettings(gen_length=64, steps=32, block_length=32, cache=cache)
    trace = last(chat_trace(loaded, [{"role": "user", "content": with_words("Write a story.", words)}], settings,
                            answer=placement.template))
    given = placement.given
    assert np.array_equal(trace.initial[given], placement.template.numpy()[given])
    assert np.array_equal(trace.answer_ids[given], placement.template.numpy()[given])  # never rewritten
    # Every word survives in the text unless the model ended its answer before it (then it is cut, not moved).
    end = trace.answer_end()
    expected = [w for w, s in zip(words, placement.starts) if s < end]
    assert all(words_used(trace.answer_text(), expected)), trace.answer_text()


def test_fill_in_asks_the_autoregressive_model_for_the_words(loaded):
    from llada_demo.modes.infill import infill_stream

    twin = load_model(default_model_name("autoregressive"))
    text = place_words(loaded.tokenizer, parse_words("dragon, cake"), 24, loaded.special.mask).infill_text()
    _, stream = infill_stream(loaded, twin, text, "Write a story.", words=("dragon", "cake"))
    first = next(iter(stream))
    diffusion_prompt, ar_prompt = (loaded.tokenizer.decode(trace.prompt_ids) for trace in first)
    assert "Write a story. Use these words: dragon, cake." in ar_prompt
    assert "Use these words: dragon, cake." in diffusion_prompt  # ASK_IN_PROMPT: both are asked
    _, plain = infill_stream(loaded, twin, text, "", words=("dragon",))
    diffusion_plain, ar_plain = (loaded.tokenizer.decode(trace.prompt_ids) for trace in next(iter(plain)))
    assert "Use these words" not in diffusion_plain and "Use these words: dragon." in ar_plain
    _, without = infill_stream(loaded, twin, text, "Write a story.")
    assert all("Use these words" not in loaded.tokenizer.decode(t.prompt_ids) for t in next(iter(without)))


@pytest.mark.skipif(not DEFAULT_VALID_FILE.is_file(), reason="the held-out stories are not on this machine")
def test_the_benchmark_runs_and_writes_its_table(tmp_path):
    import json

    from benchmark_command import run_benchmark

    out = tmp_path / "placed.json"
    printed = run_benchmark("placed_words", "--prompts", "1", "--gen-length", "32", "--steps", "16",
                            "--block-length", "32", "--out", out, "--quiet").stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["prompts"] == 1 and result["words_per_prompt"] == 3 and result["markdown"] in printed
    assert set(result["rows"]) == {"placed", "placed_asked", "asked", "ar_asked"}
    placed = result["rows"]["placed"]
    assert 0.0 <= placed["all_words_used"] <= 1.0 and placed["judge_perplexity"] > 1.0
    assert "| Diffusion, words placed" in result["markdown"]
    assert result["models"]["diffusion"]["weights_sha256"]
