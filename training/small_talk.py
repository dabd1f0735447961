"""SFT pairs for what people type besides story requests: greetings, "who are you", thanks, goodbyes."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .instructions import CHARACTERS, THINGS, Instruction, _mentions, character_name

# Category -> what people type. Case, punctuation and small variations are added by `_vary`.
MESSAGES = {
    "greeting": ("Hi", "Hello", "Hey", "Hi there", "Hello there", "Hey there", "Good morning", "Good evening",
                 "Good afternoon", "Hiya", "Howdy", "Greetings", "Yo", "Hi friend", "Hello friend"),
    "how_are_you": ("How are you?", "How are you doing?", "How is it going?", "Are you okay?",
                    "How do you feel?", "Hi, how are you?", "What's up?"),
    "identity": ("Who are you?", "What are you?", "What is your name?", "What's your name?", "Tell me about yourself",
                 "Are you a robot?", "What can you do?", "What do you do?", "Can you help me?"),
    "thanks": ("Thank you", "Thanks", "Thank you so much", "Thanks a lot", "Thank you very much", "Thanks!",
               "That was nice, thank you", "I liked that story", "Great story", "Nice story"),
    "farewell": ("Bye", "Goodbye", "See you later", "Good night", "Bye bye", "See you", "I have to go now"),
}

# Answers in the stories' own simple English. {topic} is filled from a training story, so the
# offers point at things the model can write about.
ANSWERS = {
    "greeting": (
        "Hello! I am a little story model. Do you want me to tell you a story about {topic}?",
        "Hi! I like to tell stories. I can tell you a story about {topic}.",
        "Hello, friend! I am happy to see you. Shall I tell you a story about {topic}?",
        "Hi there! I know many stories about kids and animals. Do you want one about {topic}?",
        "Hey! I am a small model that writes stories. Ask me for a story about {topic}!",
    ),
    "how_are_you": (
        "I am good, thank you! I am happy to tell you a story. Do you want one about {topic}?",
        "I feel happy today! Do you want to hear a story about {topic}?",
        "I am fine, thank you for asking. I can tell you a story about {topic}.",
    ),
    "identity": (
        "I am a small story model. I learned from many short stories for children. I can write a story for "
        "you, for example about {topic}.",
        "I am a little model that writes stories. You can ask me for a story about {topic}.",
        "My name is Story Model. I write short stories, like a story about {topic}.",
        "I am a tiny language model. I can tell stories about kids, animals and toys, like {topic}.",
    ),
    "thanks": (
        "You are welcome! I am glad you liked it. Do you want another story about {topic}?",
        "You're welcome! It was fun to tell. I can tell you one about {topic} next.",
        "I am happy you liked it! Thank you for listening.",
        "You are very welcome! Come back for another story soon.",
    ),
    "farewell": (
        "Goodbye! Come back soon for another story.",
        "Bye! It was nice to talk with you. Next time I can tell you a story about {topic}.",
        "See you later! Have a happy day.",
        "Good night! Sleep well and have sweet dreams.",
    ),
}
CATEGORIES = tuple(MESSAGES)


def _vary(message: str, rng: random.Random) -> str:
    """A typed variant: lower case, no or extra punctuation, a trailing name of the model."""
    base = message.rstrip("!?.")
    end = message[len(base):] or rng.choice(("", "!", ".", "?" if message.endswith("?") else "!"))
    choice = rng.random()
    if choice < 0.25:
        base = base.lower()
    elif choice < 0.35:
        end = "!!"
    elif choice < 0.45:
        end = ""
    return base + end


def topic_of(story: str, rng: random.Random) -> str:
    """"Lily and a ball", "a dog", ...: what a story is about, for the answers' offers."""
    name = character_name(story)
    characters = _mentions(story, CHARACTERS)
    things = _mentions(story, THINGS)
    who = name or (("an " if characters[0][0] in "aeiou" else "a ") + characters[0] if characters else "a cat")
    if things and rng.random() < 0.7:
        thing = rng.choice(things[:3])
        return f"{who} and {'an' if thing[0] in 'aeiou' else 'a'} {thing}"
    return who


EARLIER_REQUEST = "Tell me a story."


def earlier_request(story: str, rng: random.Random, varied_share: float, forms: Sequence[str]) -> str:
    """The request a told story answered: EARLIER_REQUEST, or (a `varied_share` of the time) one of `forms`
    filled with the story's own topic.

    Why vary it: with every earlier turn opening "Tell me a story." and most of them closed by a thanks, a
    small model learned that a conversation opening like that wants "You are welcome!", and answered "Tell me
    a story about a dog." so (run 2 of the small-talk SFT; docs/sampling-defaults.md).
    """
    # No draw at share 0, so callers that never vary (the v2 recipe) keep the pairs they always had.
    if varied_share > 0 and forms and rng.random() < varied_share:
        return rng.choice(forms).format(topic_of(story, rng))
    return EARLIER_REQUEST


def small_talk_pair(category: str, story: str, rng: random.Random, earlier_story: str | None = None,
                    earlier_ask: str = EARLIER_REQUEST) -> Instruction:
    """One exchange of `category`; `earlier_story` (thanks, farewell) puts a told story, asked by `earlier_ask`,
    before it."""
    message = _vary(rng.choice(MESSAGES[category]), rng)
    answer = rng.choice(ANSWERS[category]).format(topic=topic_of(story, rng))
    history = ()
    if earlier_story is not None:
        history = (("user", earlier_ask), ("assistant", earlier_story))
    return Instruction(f"chat:{category}", message, answer, history=history)


def small_talk_pairs(stories: Sequence[str], count: int, seed: int, max_story_chars: int = 600,
                     varied_share: float = 0.0, forms: Sequence[str] = ()) -> list[Instruction]:
    """`count` exchanges spread over the categories; about half the thanks and goodbyes follow a short story,
    asked for by `earlier_request` (varied_share 0, the v2 recipe's: always EARLIER_REQUEST)."""
    rng = random.Random(seed)
    short = [s for s in stories if len(s) <= max_story_chars]
    pairs = []
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        story = rng.choice(stories)
        earlier = rng.choice(short) if short and category in ("thanks", "farewell") and rng.random() < 0.5 else None
        ask = earlier_request(earlier, rng, varied_share, forms) if earlier else EARLIER_REQUEST
        pairs.append(small_talk_pair(category, story, rng, earlier, ask))
    return pairs
