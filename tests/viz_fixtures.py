"""Traces for the view tests: real runs of a random tiny model, and hand-built ones for exact control."""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser

import numpy as np
import torch

from llada_demo.models import LLaDAConfig, LLaDAModelLM
from llada_demo.models.tokenizer import special_ids
from llada_demo.models.tokenizer_training import train_tokenizer
from llada_demo.sampling import SamplingSettings, generate
from llada_demo.trace import StepRecord, Trace

CORPUS = [
    "Hello world!\n  An indented line with <b>tags</b> & \"quotes\".",
    "The quick brown fox jumps over the lazy dog, twice.",
    "Masked diffusion fills every blank at once, then keeps the surest guesses.",
] * 10

# Token texts that would break out of HTML or a <script> block if anything forgot to escape.
HOSTILE_TEXTS = {
    13: "<script>alert(1)</script>",
    14: '" onmouseover="x',
    15: "<img src=x onerror=alert(1)>",
    17: "</script><script>alert(2)</script>",
}
HANDMADE_MASK, HANDMADE_EOS, HANDMADE_EOT = 99, 1, 5


@lru_cache(maxsize=1)
def tiny_model_and_tokenizer():
    tokenizer = train_tokenizer(CORPUS, vocab_size=300)
    ids = special_ids(tokenizer)
    vocab = len(tokenizer)
    config = LLaDAConfig(
        d_model=64, n_heads=4, n_layers=2, mlp_hidden_size=128, vocab_size=vocab, embedding_size=vocab,
        mask_token_id=ids.mask, eos_token_id=ids.eos, pad_token_id=ids.eos, eot_token_id=ids.eot,
        max_sequence_length=512,
    )
    torch.manual_seed(0)
    return LLaDAModelLM(config).eval(), tokenizer


def fill_texts(trace: Trace, tokenizer) -> Trace:
    """Give the trace the text of every id it mentions, as the sampler's callers do."""
    ids = {trace.mask_id, *trace.stop_ids}
    for record in trace.steps:
        ids.update(int(i) for i in np.unique(record.tokens))
        ids.update(int(i) for i in np.unique(record.predicted))
    from llada_demo.engine import add_token_texts

    trace.texts, trace.raw_bytes = {}, {}
    add_token_texts(trace, tokenizer, [sorted(ids)])  # texts, and the bytes of tokens that split a character
    return trace


@lru_cache(maxsize=8)
def tiny_run(gen_length: int = 32, steps: int = 16, block_length: int = 8, strategy: str = "low_confidence",
             cache: str = "none") -> Trace:
    """A finished run of the random tiny model (greedy, so deterministic)."""
    model, tokenizer = tiny_model_and_tokenizer()
    prompt = torch.tensor([tokenizer("Hello world")["input_ids"]], dtype=torch.long)
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length, strategy=strategy,
                                cache=cache)
    trace = generate(model, prompt, settings, stop_ids=special_ids(tokenizer).stops, model_name="tiny-random")
    return fill_texts(trace, tokenizer)


def handmade_trace() -> Trace:
    """10 positions in 2 blocks, 4 steps; hostile token texts, a newline, an EOT and an EOS.

    Final answer: Hello, " world", "\\n", <script>, quote attack, <img>, "  indented",
    </script>, EOT, EOS. Commits: step 0 -> 0, 3; step 1 -> 1, 2, 4; step 2 -> 5, 9;
    step 3 -> 6, 7, 8.
    """
    final = np.array([10, 11, 12, 13, 14, 15, 16, 17, HANDMADE_EOT, HANDMADE_EOS], dtype=np.int32)
    commits = [[0, 3], [1, 2, 4], [5, 9], [6, 7, 8]]
    settings = SamplingSettings(gen_length=10, steps=4, block_length=5)
    rng = np.random.default_rng(0)
    tokens = np.full(10, HANDMADE_MASK, dtype=np.int32)
    steps = []
    for index, committed in enumerate(commits):
        committed = np.array(committed, dtype=np.int32)
        tokens = tokens.copy()
        tokens[committed] = final[committed]
        steps.append(StepRecord(
            step=index, block=index // 2, tokens=tokens, committed=committed,
            committed_confidence=np.linspace(0.2, 0.9, len(committed)).astype(np.float32),
            predicted=final.copy(), predicted_confidence=rng.uniform(0, 1, 10).astype(np.float32),
            nfe=index + 1, elapsed=0.1 * (index + 1),
        ))
    texts = {10: "Hello", 11: " world", 12: "\n", 16: "  indented", HANDMADE_EOS: "<|endoftext|>",
             HANDMADE_EOT: "<|eot_id|>", HANDMADE_MASK: "<|mdm_mask|>", **HOSTILE_TEXTS}
    return Trace(
        prompt_ids=np.array([0, 10], dtype=np.int32), settings=settings, mask_id=HANDMADE_MASK,
        stop_ids=(HANDMADE_EOS, HANDMADE_EOT), steps=steps, texts=texts, finished=True,
    )


@lru_cache(maxsize=2)
def synthetic_trace(gen_length: int = 256, steps: int = 256, block_length: int = 32, seed: int = 0) -> Trace:
    """A long run without a model (fast on a busy machine): blocks filled in random order, one
    or more tokens a step, random confidences, the last eighth of the answer EOS."""
    rng = np.random.default_rng(seed)
    settings = SamplingSettings(gen_length=gen_length, steps=steps, block_length=block_length)
    words = {100 + i: w for i, w in enumerate(" the cat sat on a mat and then\n it ran far away".split(" "))}
    final = rng.choice(list(words), gen_length).astype(np.int32)
    final[gen_length - gen_length // 8:] = HANDMADE_EOS
    per_block = steps // settings.num_blocks
    tokens = np.full(gen_length, HANDMADE_MASK, dtype=np.int32)
    records = []
    for block in range(settings.num_blocks):
        order = block * block_length + rng.permutation(block_length)
        for chunk in np.array_split(order, per_block):
            tokens = tokens.copy()
            tokens[chunk] = final[chunk]
            records.append(StepRecord(
                step=len(records), block=block, tokens=tokens, committed=chunk.astype(np.int32),
                committed_confidence=rng.uniform(0, 1, len(chunk)).astype(np.float32),
                predicted=rng.choice(list(words), gen_length).astype(np.int32),
                predicted_confidence=rng.uniform(0, 1, gen_length).astype(np.float32),
                nfe=len(records) + 1, elapsed=0.01 * (len(records) + 1),
            ))
    texts = {**words, HANDMADE_EOS: "<|endoftext|>", HANDMADE_MASK: "<|mdm_mask|>"}
    return Trace(prompt_ids=np.array([0], dtype=np.int32), settings=settings, mask_id=HANDMADE_MASK,
                 stop_ids=(HANDMADE_EOS,), steps=records, texts=texts, model_name="synthetic", finished=True)


def autoregressive_trace(length: int = 6) -> Trace:
    """Left-to-right decoding of `length` tokens, one per step, as the AR baseline records it."""
    settings = SamplingSettings(gen_length=length, steps=length, block_length=length)
    tokens = np.full(length, HANDMADE_MASK, dtype=np.int32)
    steps = []
    for index in range(length):
        tokens = tokens.copy()
        tokens[index] = 10 + index % 2
        steps.append(StepRecord(
            step=index, block=0, tokens=tokens, committed=np.array([index], dtype=np.int32),
            committed_confidence=np.array([0.5], dtype=np.float32),
            # Like the AR baseline: guesses only up to the current position, the mask id beyond.
            predicted=np.where(np.arange(length) <= index, 10, HANDMADE_MASK).astype(np.int32),
            predicted_confidence=np.where(np.arange(length) <= index, 0.5, 0.0).astype(np.float32),
            nfe=index + 1, elapsed=0.01 * (index + 1),
        ))
    return Trace(
        prompt_ids=np.array([0], dtype=np.int32), settings=settings, mask_id=HANDMADE_MASK, stop_ids=(HANDMADE_EOS,),
        steps=steps, texts={10: "a", 11: " b"}, kind="autoregressive", finished=True,
    )


class GridCells(HTMLParser):
    """Collects the grid's cells (elements with data-pos) and every tag and attribute seen."""

    def __init__(self):
        super().__init__()
        self.cells: list[dict] = []
        self.tags: list[str] = []
        self.attribute_names: set[str] = set()
        self._depth = 0  # > 0 while inside a cell

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        self.attribute_names.update(attributes)
        if self._depth:
            self._depth += 1
        elif "data-pos" in attributes:
            self._depth = 1
            self.cells.append({
                "pos": int(attributes["data-pos"]), "classes": set(attributes.get("class", "").split()),
                "title": attributes.get("title", ""), "style": attributes.get("style", ""), "text": "",
            })

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.cells[-1]["text"] += data


def parse_grid(html: str) -> GridCells:
    parser = GridCells()
    parser.feed(html)
    parser.close()
    return parser
