"""Story requests in many phrasings: the forms small-talk SFT trains on, the eval's requests and its story rule.

Small-talk SFT teaches a model that not every message wants a story. Trained only on "Write a story about
Lily and a ball." beside greetings, the diffusion model learned the opposite mistake: "Tell me a story about a
dog." got "I am fine, thank you for asking." So the mix rephrases a share of its story requests with
`TRAINING_FORMS`, and the eval asks for stories in forms the SFT never shows (`EVAL_STORY_REQUESTS`, the last
10) as well as trained ones.
"""

from __future__ import annotations

import random

from llada_demo.scoring.text_metrics import uses_word, words

from .instructions import ABOUT_PREFIX, Instruction
from .small_talk import ANSWERS
from .story_tasks import rephrase

# {}: "Lily and a ball", "a cat and a tree". The v1 SFT's own form (instructions.ABOUT_FORM) stays the most
# common one (the pairs left as they are).
TRAINING_FORMS = (
    "Tell me a story about {}.",
    "Now write a story about {}.",
    "Can you tell me a story about {}?",
    "Please write a story about {}.",
    "I want a story about {}.",
    "Tell a story about {}, please.",
    "write a story about {}",
    "Can you write me a story about {}?",
    "A story about {}, please!",
    "Tell me a little story about {}.",
    "Could you write a story about {}?",
    "I would love a story about {}.",
    "Please tell me a story about {}!",
    "Another story please, about {}.",
    "Write a short story about {}.",
    "Let's have a story about {}.",
)

# (request, words of which the story must name one). The first 10 use TRAINING_FORMS; the last 10 use forms
# in no SFT data (a test checks), so their share says whether the habit generalises.
EVAL_STORY_REQUESTS = (
    ("Tell me a story about a dog.", ("dog",)),
    ("Now write a story about Sarah and a paint.", ("sarah", "paint")),
    ("Can you tell me a story about Tom and a kite?", ("tom", "kite")),
    ("Please write a story about a bear and a cake.", ("bear", "cake")),
    ("I want a story about Mia and a boat.", ("mia", "boat")),
    ("Tell a story about a frog and a pond, please.", ("frog", "pond")),
    ("write a story about Ben and a ball", ("ben", "ball")),
    ("Can you write me a story about a bird and a tree?", ("bird", "tree")),
    ("Tell me a story about Lucy and a flower.", ("lucy", "flower")),
    ("Now write a story about a cat and a hat.", ("cat", "hat")),
    ("Could you make up a story about a lion?", ("lion",)),
    ("I'd like a story about Max and a train.", ("max", "train")),
    ("Tell me a bedtime story about a bunny.", ("bunny",)),
    ("story about a girl and a balloon pls", ("girl", "balloon")),
    ("Write me something about a duck and the sea.", ("duck", "sea")),
    ("One more story, this time about a fox and a box!", ("fox", "box")),
    ("Give me a short story about Anna and a cookie.", ("anna", "cookie")),
    ("Make a story where a boy finds a shell.", ("boy", "shell")),
    ("Can I hear a story about a puppy and a bike?", ("puppy", "bike")),
    ("Tell us a tale about Sam and a rock.", ("sam", "rock")),
)
SEEN_FORMS = 10
STORY_WORDS = 25  # a greeting or a thanks is 5-25 words; a story cut at 64 tokens is about 45


def rephrased(pairs: list[Instruction], share: float, seed: int) -> list[Instruction]:
    """A `share` of the "about" pairs asked in one of TRAINING_FORMS instead of the v1 form; the rest unchanged."""
    rng = random.Random(seed)
    return [rephrase(pair, TRAINING_FORMS, ABOUT_PREFIX, rng, keep=1 - share)
            if pair.kind == "about" and pair.prompt.startswith(ABOUT_PREFIX) else pair for pair in pairs]


def _opening(text: str, count: int = 4) -> tuple[str, ...]:
    return tuple(w.lower() for w in words(text)[:count])


# How the small-talk SFT's answers open ("I am a small story model. I learned from ..."), read once.
SMALL_TALK_OPENINGS = frozenset(_opening(template) for templates in ANSWERS.values() for template in templates)


def is_small_talk_reply(answer: str) -> bool:
    """The answer opens like one of the small-talk SFT's answers."""
    return _opening(answer) in SMALL_TALK_OPENINGS


def is_story(answer: str) -> bool:
    """A story, not small talk: at least STORY_WORDS words, and not one of the small-talk answers (the identity
    answer is 30 words long: counted by length alone, a twin that answered "Tell me a story about a dog." with
    "I am a small story model. ..." scored it as a story)."""
    return len(words(answer)) >= STORY_WORDS and not is_small_talk_reply(answer)


def names_subject(answer: str, subject_words: tuple[str, ...]) -> bool:
    """The answer names one of the requested words (whole word). Reported, not required: the shipped twin's
    stories often start elsewhere ("Once upon a time, there was a little girl named Lily") within 64 tokens."""
    return any(uses_word(answer, w) for w in subject_words)
