"""The v2 story instructions: v1's four kinds in the ways people phrase them, plus short word
stories, longer beginnings, written endings and titles, all cut from the stories themselves."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from .instructions import _WORD, ABOUT_FORM, ABOUT_PREFIX, STOPWORDS, Instruction, make_instruction, sentences

# v1's prompt -> other ways of asking the same thing ({} is the v1 prompt's variable part).
ABOUT_FORMS = (ABOUT_FORM, "Tell me a story about {}.", "Can you tell me a story about {}?",
               "A story about {}, please.", "story about {}", "Please write a short story about {}.")
WORDS_FORMS = ("Write a story that uses the words: {}.", "Write a short story with the words {}.",
               "Use these words in a story: {}.", "Tell me a story with {}.", "Make a story using {}.")
CONTINUE_FORMS = ("Continue this story: {}", "What happens next? {}", "Finish this story: {}",
                  "Keep going: {}", "Continue: {}")
ENDING_FORMS = ("Write an ending for this story: {}", "How does this story end? {}", "Finish the story: {}")
TITLE_FORMS = ("Write a story called \"{}\".", "Write a story with the title: {}.", "Tell me the story \"{}\".")
NAME_TITLE_FORMS = ("Give this story a title: {}", "What is a good title for this story? {}")

V2_KINDS = ("about", "words", "words_short", "continue", "continue_long", "ends", "ending", "title",
            "name_title")


def rephrase(instruction: Instruction | None, forms: Sequence[str], prefix: str, rng: random.Random,
             keep: float = 0.4) -> Instruction | None:
    """The same pair asked in another form: the text after v1's `prefix` goes into a random form. A `keep` share
    stays in v1's exact wording (v2 keeps 0.4 of them: the eval asks it)."""
    if instruction is None or rng.random() < keep:
        return instruction
    rest = instruction.prompt[len(prefix):]
    rest = rest[:-1] if rest.endswith(".") and "{}." in forms[0] else rest
    return replace(instruction, prompt=rng.choice(forms).format(rest))


def _content_words(text: str) -> list[str]:
    names = {m.lower() for m in re.findall(r"[a-z,] ([A-Z][a-z]+)", text)}
    return [w for w in dict.fromkeys(w.lower() for w in _WORD.findall(text))
            if len(w) >= 3 and "'" not in w and w not in STOPWORDS and w not in names]


def words_short(story: str, rng: random.Random) -> Instruction | None:
    """Three words from a window of 2 to 5 sentences, answered by that window: short and dense."""
    spans = sentences(story)
    if len(spans) < 2:
        return None
    size = rng.randint(2, min(5, len(spans)))
    first = rng.randrange(0, len(spans) - size + 1)
    text = story[spans[first][0]:spans[first + size - 1][1]]
    content = _content_words(text)
    if len(content) < 3:
        return None
    chosen = rng.sample(content, 3)
    prompt = rng.choice(WORDS_FORMS).format(", ".join(chosen))
    return Instruction("words_short", prompt, text, words=tuple(chosen))


def continue_long(story: str, rng: random.Random) -> Instruction | None:
    """The first 2 to 4 sentences as the beginning; the rest of the story as the answer."""
    spans = sentences(story)
    if len(spans) < 4:
        return None
    cut = rng.randint(2, min(4, len(spans) - 2))
    beginning, rest = story[:spans[cut - 1][1]].strip(), story[spans[cut - 1][1]:].strip()
    return Instruction("continue_long", rng.choice(CONTINUE_FORMS).format(beginning), rest)


def write_ending(story: str, rng: random.Random) -> Instruction | None:
    """The story without its last 1 to 3 sentences; those sentences are the answer."""
    spans = sentences(story)
    if len(spans) < 4:
        return None
    keep = len(spans) - rng.randint(1, min(3, len(spans) - 3))
    head, ending = story[:spans[keep - 1][1]].strip(), story[spans[keep - 1][1]:].strip()
    return Instruction("ending", rng.choice(ENDING_FORMS).format(head), ending, ending=ending)


def title_for(story: str, rng: random.Random) -> str | None:
    """A title made from the story's character and thing, "Lily and the Ball" style."""
    about = make_instruction(story, "about", rng)
    if about is None:
        return None
    match = re.match(r"Write a story about (.+) and an? (.+)\.$", about.prompt)
    if not match:
        return None
    who, thing = match.groups()
    who = who[2:] if who.startswith("a ") else who.removeprefix("an ")
    return f"{who[:1].upper() + who[1:]} and the {thing.title()}"


def titled_story(story: str, rng: random.Random) -> Instruction | None:
    title = title_for(story, rng)
    return None if title is None else Instruction("title", rng.choice(TITLE_FORMS).format(title), story)


def name_title(story: str, rng: random.Random) -> Instruction | None:
    """The reverse: the story in the prompt, a short title as the answer (teaches short answers too)."""
    title = title_for(story, rng)
    return None if title is None else Instruction("name_title", rng.choice(NAME_TITLE_FORMS).format(story), title)


def make_v2(story: str, kind: str, rng: random.Random) -> Instruction | None:
    """One v2 instruction of `kind` for a story, or None where the story does not allow it."""
    if kind == "about":
        return rephrase(make_instruction(story, "about", rng), ABOUT_FORMS, ABOUT_PREFIX, rng)
    if kind == "words":
        return rephrase(make_instruction(story, "words", rng), WORDS_FORMS, "Write a story that uses the words: ",
                         rng)
    if kind == "continue":
        return rephrase(make_instruction(story, "continue", rng), CONTINUE_FORMS, "Continue this story: ", rng)
    if kind == "ends":
        return make_instruction(story, "ends", rng)
    builders = {"words_short": words_short, "continue_long": continue_long, "ending": write_ending,
                "title": titled_story, "name_title": name_title}
    return builders[kind](story, rng)
