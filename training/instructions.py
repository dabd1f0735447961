"""SFT pairs made from the stories themselves: four instruction kinds, each answered by (part of) its story."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from llada_demo.models.tokenizer import chat_prompt_ids, special_ids

KINDS = ("about", "words", "continue", "ends")

# Characters and things common in TinyStories; a story's "thing" is the first of these it mentions most.
CHARACTERS = (
    "girl boy dog cat bird bunny bear fish mouse frog duck lion owl monkey rabbit puppy kitten fox elephant "
    "dragon princess prince king queen tiger horse cow pig sheep squirrel bee butterfly turtle snake whale"
).split()
THINGS = (
    "ball tree park toy box car boat cake flower hat kite book balloon apple garden house door window bike "
    "truck train plane rock stick leaf shell sand water river lake pond sea beach hill mountain forest sky sun "
    "moon star cloud rain snow bed chair table cup bowl spoon ice cream cookie candy pie bread soup juice "
    "milk egg carrot banana picture paint crayon doll teddy drum song dress shoe sock coat bag basket ribbon "
    "button key map jar bottle bell lamp clock mirror blanket pillow nest web bridge road fence gate swing "
    "slide sandbox wagon robot castle crown sword shield treasure gift present letter"
).split()
STOPWORDS = set(
    "a an the and or but so if then than that this these those there their they them he she it its his her "
    "him we us our you your i me my mine was were is are be been being am do did does done have has had "
    "to of in on at by for with from up down out over under into onto off about after before again all "
    "any some no not very too just also only more most much many one two day time once upon said says say "
    "saw see seen went go goes going got get gets came come comes made make makes what when where who why "
    "how which while as can could would should will shall may might must let lets like liked likes want "
    "wanted wants know knew now back away around other another each every both own same such little big "
    "happy sad good bad new old yes because there's it's didn't don't can't i'm let's that's he's she's "
    "they're you're we're what's mom dad mommy daddy mama papa".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"”’']?(?=\s+[\"“‘A-Z]|\s*$)")
_WORD = re.compile(r"[A-Za-z']+")


@dataclass(frozen=True)
class Instruction:
    """One instruction and the answer taught for it; `words`/`ending` say what the answer must honour."""

    kind: str
    prompt: str
    response: str
    words: tuple[str, ...] = field(default=())
    ending: str = ""
    # Earlier turns as (role, content) pairs, for multi-turn pairs such as "Thank you" after a story.
    history: tuple[tuple[str, str], ...] = field(default=())

    def messages(self) -> list[dict]:
        """The chat messages the model reads before its answer: earlier turns, then this prompt."""
        turns = [{"role": role, "content": content} for role, content in self.history]
        return turns + [{"role": "user", "content": self.prompt}]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of a story, quotes kept with their sentence."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    # Strip the whitespace each span starts with, so spans index the sentence text itself.
    result = []
    for lo, hi in spans:
        while lo < hi and text[lo].isspace():
            lo += 1
        if lo < hi:
            result.append((lo, hi))
    return result


def character_name(story: str) -> str | None:
    """The story's named character ("... named Lily"), else its most frequent mid-sentence capitalised word."""
    named = re.search(r"\bnamed ([A-Z][a-z]+)", story)
    if named:
        return named.group(1)
    # A capitalised word after a lowercase word is not a sentence start, so likely a name.
    candidates = Counter(m.group(1) for m in re.finditer(r"[a-z,] ([A-Z][a-z]+)\b", story))
    for name, count in candidates.most_common():
        if count >= 2 and name.lower() not in STOPWORDS:
            return name
    return None


def _mentions(story: str, vocabulary: Sequence[str]) -> list[str]:
    """Words of `vocabulary` the story uses, most frequent first (ties in vocabulary order)."""
    counts = Counter(w.lower() for w in _WORD.findall(story))
    found = [w for w in vocabulary if counts[w] or counts[w + "s"]]
    return sorted(found, key=lambda w: -(counts[w] + counts[w + "s"]))


# v1's one phrasing of a story request ({}: "Lily and a ball"); the v2 recipe and the small-talk mix rephrase it.
ABOUT_FORM = "Write a story about {}."
ABOUT_PREFIX = ABOUT_FORM.split("{}")[0]


def _about(story: str, rng: random.Random) -> Instruction | None:
    name = character_name(story)
    things = _mentions(story, THINGS)
    if name is None:
        characters = _mentions(story, CHARACTERS)
        if not characters:
            return None
        name = ("an " if characters[0][0] in "aeiou" else "a ") + characters[0]
    if not things:
        return None
    thing = things[0] if len(things) == 1 else rng.choice(things[:3])
    article = "an" if thing[0] in "aeiou" else "a"
    return Instruction("about", ABOUT_FORM.format(f"{name} and {article} {thing}"), story)


def _words(story: str, rng: random.Random) -> Instruction | None:
    names = {m.lower() for m in re.findall(r"[a-z,] ([A-Z][a-z]+)", story)}
    content = [w for w in dict.fromkeys(w.lower() for w in _WORD.findall(story))
               if len(w) >= 3 and "'" not in w and w not in STOPWORDS and w not in names]
    if len(content) < 3:
        return None
    words = tuple(rng.sample(content, 3))
    return Instruction("words", f"Write a story that uses the words: {', '.join(words)}.", story, words=words)


def _continue(story: str, rng: random.Random) -> Instruction | None:
    spans = sentences(story)
    if len(spans) < 2:
        return None
    lo, hi = spans[0]
    rest = story[hi:].strip()
    return Instruction("continue", f"Continue this story: {story[lo:hi]}", rest)


def _ends(story: str, rng: random.Random) -> Instruction | None:
    spans = sentences(story)
    if len(spans) < 2:
        return None
    lo, hi = spans[-1]
    ending = story[lo:hi]
    if len(ending) > 200:
        return None
    return Instruction("ends", f"Write a story that ends with: {ending}", story, ending=ending)


_BUILDERS = {"about": _about, "words": _words, "continue": _continue, "ends": _ends}


def make_instruction(story: str, kind: str, rng: random.Random) -> Instruction | None:
    """One instruction of `kind` for a story, or None where the story does not allow it."""
    return _BUILDERS[kind](story, rng)


def make_instructions(stories: Sequence[str], seed: int, kinds: Sequence[str] = KINDS) -> list[Instruction]:
    """Every kind for every story (those that can be made), deterministic for a seed."""
    rng = random.Random(seed)
    result = []
    for story in stories:
        for kind in kinds:
            instruction = make_instruction(story, kind, rng)
            if instruction is not None:
                result.append(instruction)
    return result


def eval_instructions(stories: Sequence[str], count: int, seed: int) -> list[Instruction]:
    """`count` fixed prompts from held-out stories, the four kinds in turn, each story used once per pass."""
    rng = random.Random(seed)
    order = list(range(len(stories)))
    rng.shuffle(order)
    result, index, misses = [], 0, 0
    while len(result) < count and stories and misses < 4 * len(stories):
        kind = KINDS[len(result) % len(KINDS)]
        instruction = make_instruction(stories[order[index % len(order)]], kind, rng)
        index += 1
        if instruction is None:
            misses += 1
            continue
        result.append(instruction)
    return result


def chat_prompt_text(tokenizer, instruction: Instruction) -> str:
    """The instruction (and any earlier turns) in the chat template, ready for the assistant's answer."""
    return tokenizer.apply_chat_template(instruction.messages(), add_generation_prompt=True, tokenize=False)


def _assemble(prompt: list[int], response: list[int], seq_len: int, eot: int | None, eos: int) -> list[int] | None:
    sequence = prompt + response + ([eot] if eot is not None else [])
    if len(sequence) > seq_len:
        return None  # a cut story would teach the model to stop mid-sentence
    return sequence + [eos] * (seq_len - len(sequence))


def encode_instruction(tokenizer, instruction: Instruction, seq_len: int) -> tuple[list[int], int] | None:
    """(ids padded to seq_len, prompt length): chat prompt, response, `<|eot_id|>`, then EOS padding.

    None when it does not fit.
    """
    ids = special_ids(tokenizer)
    prompt = chat_prompt_ids(tokenizer, instruction.messages())[0].tolist()
    response = tokenizer(instruction.response, add_special_tokens=False)["input_ids"]
    sequence = _assemble(prompt, response, seq_len, ids.eot, ids.eos)
    return None if sequence is None else (sequence, len(prompt))


def encode_instructions(tokenizer, instructions: Sequence[Instruction],
                        seq_len: int) -> tuple[dict[str, torch.Tensor], int]:
    """{"input_ids": [N, seq_len], "prompt_lengths": [N], "response_ends": [N]} and how many did not fit.

    The same sequences as `encode_instruction`, tokenised in two batched calls (much faster).
    response_ends is the index just after `<|eot_id|>`: the autoregressive twin learns up to there.
    """
    ids = special_ids(tokenizer)
    prompts = tokenizer([chat_prompt_text(tokenizer, i) for i in instructions], add_special_tokens=False)["input_ids"]
    responses = tokenizer([i.response for i in instructions], add_special_tokens=False)["input_ids"]
    rows, prompt_lengths, ends, skipped = [], [], [], 0
    for prompt, response in zip(prompts, responses):
        sequence = _assemble(prompt, response, seq_len, ids.eot, ids.eos)
        if sequence is None:
            skipped += 1
            continue
        rows.append(sequence)
        prompt_lengths.append(len(prompt))
        ends.append(len(prompt) + len(response) + (1 if ids.eot is not None else 0))
    tensors = {
        "input_ids": torch.from_numpy(np.asarray(rows, dtype=np.int64).reshape(len(rows), seq_len)),
        "prompt_lengths": torch.tensor(prompt_lengths, dtype=torch.long),
        "response_ends": torch.tensor(ends, dtype=torch.long),
    }
    return tensors, skipped
