"""Training text: read stories, split them by seed, pack them into windows, cut a text stream into windows."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

# The repository root; the data lives beside it in shared/data (never inside the repository).
REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT.parent / "shared" / "data"
DEFAULT_TRAIN_FILE = DATA_DIR / "tinystories-train.txt"
DEFAULT_VALID_FILE = DATA_DIR / "tinystories-valid.txt"
HF_DATASET = "roneneldan/TinyStories"

_STORY_SEPARATOR = re.compile(r"^<\|endoftext\|>[ \t]*$", flags=re.MULTILINE)


def read_stories(path: str | Path, limit: int | None = None) -> list[str]:
    """Stories of a file where lines holding only `<|endoftext|>` separate them."""
    text = Path(path).read_text(encoding="utf-8")
    stories = [story.strip() for story in _STORY_SEPARATOR.split(text)]
    stories = [story for story in stories if story]
    return stories[:limit] if limit else stories


def read_text_stream(path: str | Path) -> str:
    """A file read as one stream; blank-line runs become single newlines, the training data's paragraph break."""
    text = Path(path).read_text(encoding="utf-8")
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def load_hf_stories(split: str = "train", limit: int | None = None) -> list[str]:
    """Stories of `roneneldan/TinyStories` via the `datasets` library (needs network or its cache)."""
    try:
        import datasets  # imported here: an optional dependency, only for machines with network
    except ImportError as error:
        raise SystemExit("--hf-dataset needs the `datasets` package: pip install datasets") from error
    dataset = datasets.load_dataset(HF_DATASET, split=split)
    if limit:
        dataset = dataset.select(range(min(limit, len(dataset))))
    return [text.strip() for text in dataset["text"] if text and text.strip()]


def split_stories(stories: Sequence[str], valid_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """A deterministic (train, validation) split: a seeded shuffle of indices, the first share held out."""
    order = list(range(len(stories)))
    random.Random(seed).shuffle(order)
    held = max(1, round(len(stories) * valid_fraction)) if valid_fraction > 0 else 0
    held_out = sorted(order[:held])  # keep file order inside each part, so a seed names a split, not an order
    kept = sorted(order[held:])
    return [stories[i] for i in kept], [stories[i] for i in held_out]


def encode_stories(tokenizer, stories: Sequence[str], bos_id: int | None, eos_id: int) -> list[np.ndarray]:
    """Each story as BOS + its tokens + EOS (the same start a plain prompt gets; EOS marks its end)."""
    encoded = tokenizer(list(stories), add_special_tokens=False)["input_ids"]
    start = [bos_id] if bos_id is not None else []
    return [np.asarray(start + ids + [eos_id], dtype=np.int64) for ids in encoded]


def pack(token_lists: Sequence[np.ndarray], seq_len: int, order: Sequence[int] | None = None) -> torch.LongTensor:
    """Concatenate the sequences (in `order`) and cut [N, seq_len] windows; the ragged tail is dropped."""
    order = range(len(token_lists)) if order is None else order
    stream = np.concatenate([token_lists[i] for i in order]) if len(token_lists) else np.zeros(0, np.int64)
    count = len(stream) // seq_len
    return torch.from_numpy(stream[: count * seq_len].reshape(count, seq_len).copy())


def stream_windows(ids: Sequence[int], seq_len: int, limit: int | None = None) -> torch.LongTensor:
    """Non-overlapping fixed-length windows of a token stream (for loss / perplexity)."""
    ids = np.asarray(ids, dtype=np.int64)
    count = len(ids) // seq_len
    if limit:
        count = min(count, limit)
    return torch.from_numpy(ids[: count * seq_len].reshape(count, seq_len).copy())


def packed_batches(token_lists: Sequence[np.ndarray], seq_len: int, batch_size: int, seed: int,
                   device: torch.device | str = "cpu") -> Iterator[torch.LongTensor]:
    """Endless [batch, seq_len] batches; each epoch re-packs the stories in a new seeded order.

    Re-packing moves the window boundaries every epoch, so many epochs over a small corpus
    do not show the model the very same windows again. The whole epoch sits on the device.
    """
    rng = np.random.default_rng(seed)
    while True:
        windows = pack(token_lists, seq_len, rng.permutation(len(token_lists))).to(device)
        if len(windows) < batch_size:
            raise ValueError(f"only {len(windows)} windows of {seq_len} tokens: lower the batch size")
        order = torch.from_numpy(rng.permutation(len(windows))).to(device)
        for start in range(0, len(windows) - batch_size + 1, batch_size):
            yield windows[order[start:start + batch_size]]


def shuffled_batches(tensors: dict[str, torch.Tensor], batch_size: int, seed: int) -> Iterator[dict[str, torch.Tensor]]:
    """Endless batches of rows of equally long tensors, reshuffled every epoch (for SFT pairs)."""
    rng = np.random.default_rng(seed)
    rows = len(next(iter(tensors.values())))
    if rows < batch_size:
        raise ValueError(f"only {rows} examples: lower the batch size")
    device = next(iter(tensors.values())).device
    while True:
        order = torch.from_numpy(rng.permutation(rows)).to(device)
        for start in range(0, rows - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            yield {name: tensor[index] for name, tensor in tensors.items()}
