"""Story requests in many phrasings: the mix rephrases a share, the eval's unseen forms are in no SFT data, the rule."""

import re

import pytest

from training.instructions import ABOUT_FORM, ABOUT_PREFIX, Instruction
from training.small_talk_rule import compare, table
from training.story_requests import (
    EVAL_STORY_REQUESTS,
    SEEN_FORMS,
    TRAINING_FORMS,
    is_story,
    names_subject,
    rephrased,
)

STORY = ("Once upon a time, there was a little dog named Max. Max liked to run in the park with his red ball. "
         "One day the ball rolled into the pond, and Max jumped in after it. He was wet but happy.")


def _form_pattern(form: str) -> re.Pattern:
    return re.compile(re.escape(form).replace(re.escape("{}"), ".+") + "$")


def test_a_share_of_about_requests_is_rephrased_and_nothing_else_changes():
    pairs = [Instruction("about", f"Write a story about Lily and a ball {n}.", STORY) for n in range(400)]
    pairs += [Instruction("words", "Write a story that uses the words: ball, dog.", STORY)]
    mixed = rephrased(pairs, 0.5, seed=3)
    changed = [(a, b) for a, b in zip(pairs, mixed) if a.prompt != b.prompt]
    assert 150 < len(changed) < 250 and mixed[-1] == pairs[-1]  # only "about" requests are rephrased
    for before, after in changed:
        subject = before.prompt.removeprefix(ABOUT_PREFIX).removesuffix(".")
        assert subject in after.prompt and after.response == before.response
        assert any(_form_pattern(f).match(after.prompt) for f in TRAINING_FORMS)
    assert rephrased(pairs, 0.5, seed=3) == mixed and rephrased(pairs, 0.0, seed=3) == pairs


def test_eval_story_requests_split_into_trained_and_unseen_forms():
    assert len(EVAL_STORY_REQUESTS) == 20 and SEEN_FORMS == 10
    forms = [_form_pattern(f) for f in (*TRAINING_FORMS, ABOUT_FORM)]
    seen, unseen = EVAL_STORY_REQUESTS[:SEEN_FORMS], EVAL_STORY_REQUESTS[SEEN_FORMS:]
    assert all(any(f.match(text) for f in forms) for text, _ in seen)
    assert not any(f.match(text) for text, _ in unseen for f in forms)
    assert all(any(w in text.lower() for w in subject) for text, subject in EVAL_STORY_REQUESTS)


@pytest.mark.parametrize("answer, expected", [
    (STORY, True),
    ("I am fine, thank you for asking.", False),
    ("Hello! I am a little story model. Do you want me to tell you a story about a cat and a tree?", False),
    ("I am a small story model. I learned from many short stories for children. I can write a story for you, for "
     "example about a boy and a house.", False),  # long enough, but small talk
    ("I am a girl named Sue. I like to play in the park with my dog Max. One day we found a big red ball under "
     "a tree and we played all day long.", True),  # a story told in the first person
    ("", False),
])
def test_a_story_is_long_enough_to_be_one(answer, expected):
    assert is_story(answer) is expected


def test_naming_the_subject_is_whole_words():
    assert names_subject(STORY, ("dog", "kite")) and names_subject(STORY, ("max",))
    assert not names_subject(STORY, ("ball game",)) and not names_subject("The dogs ran.", ("dog",))


def _model(nll, greetings, stories):
    turns = {"with earlier turn": {"leaked": 1}, "newest message only": {"leaked": 0}}
    result = {"story_nll": nll, "greetings_on_topic": greetings, "greetings_on_topic_unseen": greetings,
              "turns": turns}
    if stories is not None:
        result["story_requests"] = stories
    return result


def test_the_ship_rule_needs_stories_still_answered_with_stories():
    shipped = {"label": "shipped", "models": {k: _model(2.7, 0.0, 1.0) for k in ("diffusion", "autoregressive")}}
    talkative = {"label": "talk", "models": {"diffusion": _model(2.72, 0.9, 0.0),
                                             "autoregressive": _model(2.72, 1.0, 1.0)}}
    result = compare(shipped, talkative)
    assert not result["ship"] and not result["rows"][0]["stories_ok"] and result["rows"][1]["stories_ok"]
    balanced = {"label": "talk", "models": {k: _model(2.72, 0.9, 0.95) for k in ("diffusion", "autoregressive")}}
    assert compare(shipped, balanced)["ship"]
    assert "100% → 95%" in table(compare(shipped, balanced), ("shipped", "talk"))
    unmeasured = {"label": "old", "models": {k: _model(2.72, 0.9, None) for k in ("diffusion", "autoregressive")}}
    assert not compare(shipped, unmeasured)["ship"]  # measured before story requests were counted: not shipped
    assert "n/a" in table(compare(unmeasured, balanced), ("old", "talk"))
