"""A made-up fact set for the reversal curse: children and their pets, stated in one direction only."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Names are built from syllables so that hundreds of them are unique, invented (never in TinyStories) and
# short in the 4096-token vocabulary. Children have two open syllables ("Mira"), pets one closed one ("Pib"):
# the two kinds never collide, and no name is another's whole word.
_ONSETS = tuple("bdfgklmnprstvz")
_VOWELS = tuple("aeiou")
_CODAS = tuple("bgkmnpstx")
PET_KINDS = ("cat", "dog", "fish", "bird", "turtle", "frog", "bunny", "mouse", "duck", "pony")

# Every statement names the child first and the pet second: the order the reversal curse is about. Three
# wordings of the same fact, since a model learns to pull a fact out of text better when it saw it worded
# more than one way (Allen-Zhu and Li, "Physics of Language Models 3.1").
STATEMENT_TEMPLATES = (
    "{child}'s pet is a {kind} named {pet}.",
    "{child} has a {kind} called {pet}.",
    "{child} takes care of a little {kind} named {pet}.",
)
FORWARD_QUESTION = "What is {child}'s pet called?"
BACKWARD_QUESTION = "Whose pet is the {kind} named {pet}?"
DIRECTIONS = ("forward", "backward")


@dataclass(frozen=True)
class Fact:
    child: str
    kind: str
    pet: str

    def statements(self) -> list[str]:
        """The fact as training text: child first, pet second, every time."""
        return [template.format(child=self.child, kind=self.kind, pet=self.pet) for template in STATEMENT_TEMPLATES]

    def question(self, direction: str) -> tuple[str, str]:
        """(question, taught answer): forward asks for the pet's name, backward for the child's.

        Both answers restate the fact in its one trained order, child first: a model answers by recalling the
        sentence it read. Forward, the asked name comes last, after the given child; backward it comes first,
        before the given pet: an autoregressive model must write it before the words it was learned from.
        """
        if direction == "forward":
            return FORWARD_QUESTION.format(child=self.child), self.statements()[0]
        if direction == "backward":
            return BACKWARD_QUESTION.format(kind=self.kind, pet=self.pet), self.statements()[0]
        raise ValueError(f"direction is one of {DIRECTIONS}, not {direction!r}")

    def name(self, direction: str) -> str:
        """The name a right answer contains."""
        return self.pet if direction == "forward" else self.child


@dataclass(frozen=True)
class FactSplit:
    """Training people (statements and questions both ways are trained) and held-out people (statements only)."""

    train: tuple[Fact, ...]
    held_out: tuple[Fact, ...]

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.train + self.held_out


def _child_names(rng: random.Random) -> list[str]:
    names = [(a + b + c + d).capitalize() for a in _ONSETS for b in _VOWELS for c in _ONSETS for d in "aio"
             if a != c]
    rng.shuffle(names)
    return names


def _pet_names(rng: random.Random) -> list[str]:
    names = [(a + b + c).capitalize() for a in _ONSETS for b in _VOWELS for c in _CODAS]
    rng.shuffle(names)
    return names


def make_facts(count: int = 80, seed: int = 0, tokenizer=None, max_tokens: int = 2) -> list[Fact]:
    """`count` children, each with one pet; all names unique. Deterministic for a seed.

    With a tokenizer, only names that take at most `max_tokens` tokens (after a space, as in a sentence) are used,
    and no name that is an ordinary word of the stories' vocabulary as a whole token.
    """
    rng = random.Random(seed)

    def usable(name: str) -> bool:
        if tokenizer is None:
            return True
        pieces = tokenizer(" " + name, add_special_tokens=False)["input_ids"]
        return 1 < len(pieces) <= max_tokens  # one token: a word the stories already use (e.g. "Sam")

    children = [n for n in _child_names(rng) if usable(n)]
    pets = [n for n in _pet_names(rng) if usable(n)]
    if min(len(children), len(pets)) < count:
        raise ValueError(f"only {min(len(children), len(pets))} usable names for {count} facts")
    return [Fact(children[i], rng.choice(PET_KINDS), pets[i]) for i in range(count)]


def split_facts(facts: list[Fact], held_out: int = 32, seed: int = 0) -> FactSplit:
    """A seeded split: `held_out` people whose questions are the test, the rest trained both ways."""
    order = list(range(len(facts)))
    random.Random(seed + 1).shuffle(order)
    test = sorted(order[:held_out])
    kept = sorted(order[held_out:])
    return FactSplit(tuple(facts[i] for i in kept), tuple(facts[i] for i in test))


def statement_texts(split: FactSplit) -> list[str]:
    """Every person's statements (training and held-out people alike): the only text about held-out people."""
    return [text for fact in split.facts for text in fact.statements()]


def training_questions(split: FactSplit) -> list[tuple[str, str]]:
    """(question, answer) pairs both ways about the training people only."""
    return [fact.question(direction) for fact in split.train for direction in DIRECTIONS]


def held_out_questions(split: FactSplit) -> list[dict]:
    """Every held-out question, both ways, with the fact it tests and the name a right answer contains."""
    rows = []
    for fact in split.held_out:
        for direction in DIRECTIONS:
            question, answer = fact.question(direction)
            rows.append({"direction": direction, "question": question, "answer": answer,
                         "name": fact.name(direction), "fact": fact.statements()[0]})
    return rows
