"""The chat's history as the model reads it, and fitting a conversation into the context before a run."""

import html

import pytest

from llada_demo.errors import SettingsError
from llada_demo.models.context import context_limit
from llada_demo.models.registry import load_model
from llada_demo.modes.chat import fit_context
from llada_demo.sampling import SamplingSettings
from llada_demo.ui.chat_handlers import chat_frame, merge_frames
from llada_demo.ui.controls import settings_from_controls
from llada_demo.ui.conversation import NOTE_SEPARATOR, answer_for_model, display_answer, model_messages
from llada_demo.viz.state import MASK_GLYPH


@pytest.fixture(scope="module")
def embedded():
    return load_model("embedded-llada")


def user(text):
    return {"role": "user", "content": text}


def bot(text):
    return {"role": "assistant", "content": text}


def test_notes_and_mask_glyphs_never_reach_the_model():
    stopped = display_answer(f"Once upon a time {MASK_GLYPH}{MASK_GLYPH} cat", "⏹ Stopped at step 3 of 64.")
    assert NOTE_SEPARATOR in stopped and "Stopped" in stopped
    assert answer_for_model(stopped) == "Once upon a time"
    history = [user("Tell a story."), bot(html.escape(stopped, quote=False)), user("More <b>please</b>")]
    messages = model_messages(history)
    assert messages == [user("Tell a story."), bot("Once upon a time"), user("More <b>please</b>")]
    assert not any(MASK_GLYPH in m["content"] or "Stopped" in m["content"] for m in messages)


@pytest.mark.parametrize("answer", [
    display_answer("", "⚠️ No answer: the run failed (see the notice)."),
    display_answer("", "⏹ Stopped before the first step: no answer."),
    display_answer("", "ℹ️ The model ended its answer at once."),
    display_answer(MASK_GLYPH * 5, "⏹ Stopped at step 1 of 64."),
    "…",
])
def test_an_exchange_without_answer_text_is_left_out_whole(answer):
    history = [user("first"), bot("an answer"), user("Hi"), bot(answer)]
    assert model_messages(history) == [user("first"), bot("an answer")]


def test_a_plain_answer_passes_unchanged():
    assert display_answer("The end.") == "The end."
    assert model_messages([user("a"), bot("The end.")]) == [user("a"), bot("The end.")]


def test_oldest_turns_are_left_out_to_fit_the_context(embedded):
    settings = SamplingSettings(gen_length=128, steps=64, block_length=32)
    limit = context_limit(embedded.model)
    history = []
    for i in range(12):
        history += [user(f"Write a story about cat number {i}."), bot("Once upon a time there was a cat. " * 6)]
    fitted = fit_context(embedded.tokenizer, history + [user("Write a story about a dog.")], settings, limit)
    assert fitted.ids.shape[1] + 128 <= limit
    assert 0 < fitted.left_out < 12
    assert fitted.notice() == f"ℹ️ {fitted.left_out} earlier turns left out to fit the {limit}-token context."
    # The newest exchanges are the ones kept, and one more would not have fitted.
    text = embedded.tokenizer.decode(fitted.ids[0].tolist())
    assert "cat number 11" in text and "cat number 0." not in text and "a dog" in text


def test_a_conversation_that_fits_keeps_every_turn(embedded):
    settings = SamplingSettings(gen_length=64, steps=64, block_length=32)
    fitted = fit_context(embedded.tokenizer, [user("Hi"), bot("Hello."), user("A story?")], settings,
                         context_limit(embedded.model))
    assert fitted.left_out == 0 and fitted.notice() == ""


def test_a_message_too_long_for_the_answer_gets_the_nearest_fitting_length(embedded):
    limit = context_limit(embedded.model)
    settings = SamplingSettings(gen_length=256, steps=256, block_length=32)
    message = "The cat sat on the mat. " * 50  # about 300 tokens
    with pytest.raises(SettingsError) as caught:
        fit_context(embedded.tokenizer, [user(message)], settings, limit)
    suggestion = caught.value.suggestion
    assert "set the answer length to" in str(caught.value) and suggestion is not None
    prompt = fit_context(embedded.tokenizer, [user(message)], suggestion, limit)
    assert prompt.ids.shape[1] + suggestion.gen_length <= limit and suggestion.gen_length % 8 == 0
    with pytest.raises(SettingsError, match="shorten the message"):
        fit_context(embedded.tokenizer, [user("word " * 600)], settings, limit)


def test_app_limits_are_checked_with_the_nearest_settings_inside_them():
    with pytest.raises(SettingsError, match="600 is above the most allowed here, 512") as caught:
        settings_from_controls(gen_length=600, steps=64, block_length=32, seed=0)
    assert caught.value.suggestion.gen_length <= 512
    with pytest.raises(SettingsError, match="Steps 900"):
        settings_from_controls(gen_length=128, steps=900, block_length=32, seed=0)


def test_frames_name_their_outputs_and_merge():
    frame = chat_frame(notice="x")
    assert frame[-1] == "x" and len(frame) == 10
    with pytest.raises(TypeError):
        chat_frame(grids="typo")
    merged = merge_frames(chat_frame(stats="done", notice="a"), chat_frame(heatmap="figure"))
    assert merged[3] == "done" and merged[4] == "figure" and merged[-1] == "a"
