"""One tokenizer path for LLaDA-8B and the embedded models: loading, special ids, chat prompts."""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from ..characters import readable
from ..errors import SettingsError

# LLaDA-8B-Instruct's special tokens; the embedded tokenizers carry the same strings.
BOS, EOS, MASK = "<|startoftext|>", "<|endoftext|>", "<|mdm_mask|>"
START_HEADER, END_HEADER, EOT = "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"
SPECIAL_TOKENS = [BOS, EOS, MASK, START_HEADER, END_HEADER, EOT]

# Llama-3-style template, the shape LLaDA-8B-Instruct uses: BOS, then per message
# "<|start_header_id|>role<|end_header_id|>\n\n" + content + "<|eot_id|>".
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


@dataclass(frozen=True)
class SpecialIds:
    """Ids the sampler and views need: the mask, and the tokens that end an answer.

    Autoregressive models from the hub have no mask token: `mask` is then -1, a placeholder that
    traces use for "not written yet" and that no tokenizer produces.
    """

    mask: int
    eos: int
    eot: int | None
    bos: int | None
    extra_stops: tuple[int, ...] = ()

    @property
    def stops(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(i for i in (self.eos, self.eot, *self.extra_stops) if i is not None))


def load_tokenizer(path_or_repo: str, revision: str | None = None) -> PreTrainedTokenizerBase:
    tokenizer = AutoTokenizer.from_pretrained(path_or_repo, revision=revision)
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHAT_TEMPLATE  # the Base checkpoint ships without one
    return tokenizer


def special_ids(tokenizer: PreTrainedTokenizerBase, require_mask: bool = True) -> SpecialIds:
    def lookup(token: str) -> int | None:
        index = tokenizer.convert_tokens_to_ids(token)
        return None if index is None or index == tokenizer.unk_token_id else int(index)

    mask, eos = lookup(MASK), lookup(EOS)
    if eos is None:
        eos = tokenizer.eos_token_id
    if eos is None or (mask is None and require_mask):
        raise ValueError(f"tokenizer lacks LLaDA's {MASK} or an end-of-sequence token")
    # The tokenizer's own end token (e.g. Qwen's <|im_end|>) also ends an answer.
    extra = tuple(i for i in (tokenizer.eos_token_id,) if i is not None)
    return SpecialIds(mask=-1 if mask is None else mask, eos=int(eos), eot=lookup(EOT), bos=lookup(BOS),
                      extra_stops=extra)


def neutralize_special_tokens(text: str) -> str:
    """User text never becomes control tokens: "<|eot_id|>" typed by a user stays plain characters.

    A word joiner (U+2060) after "<|" keeps the text readable while the tokenizer no longer matches
    it as a special token (a typed "<|mdm_mask|>" would otherwise become a real mask to fill).
    """
    return text.replace("<|", "<\u2060|")


def chat_prompt_ids(tokenizer: PreTrainedTokenizerBase, messages: list[dict]) -> torch.LongTensor:
    """Encode a multi-turn history (list of {"role", "content"}) ready for the assistant's answer."""
    if not messages or not str(messages[-1].get("content", "")).strip():
        raise SettingsError("The prompt is empty: type a message first.")
    messages = [{"role": m["role"], "content": neutralize_special_tokens(str(m["content"]))} for m in messages]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    # The template writes BOS itself, so the tokenizer must not add another.
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return torch.tensor([ids], dtype=torch.long)


def plain_prompt_ids(tokenizer: PreTrainedTokenizerBase, text: str) -> torch.LongTensor:
    """Encode raw text (no chat template), e.g. for a Base model or infilling."""
    if not text.strip():
        raise SettingsError("The prompt is empty: type some text first.")
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    bos = special_ids(tokenizer).bos
    return torch.tensor([([bos] if bos is not None else []) + ids], dtype=torch.long)


def token_texts(tokenizer: PreTrainedTokenizerBase, ids) -> list[str]:
    """The text of each token on its own (for grids and hovers): a token that is part of a character shows its
    bytes as <0xNN> (never "�"). Text of several tokens comes from decoding their bytes together."""
    return [readable(piece) for piece in token_bytes(tokenizer, ids)]


def _byte_decoder() -> dict[str, int]:
    """The byte-level BPE alphabet read back: the printable character that stands for each of the 256 bytes."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[chr(byte)] = byte
        else:
            chars[chr(256 + extra)] = byte
            extra += 1
    return chars


_BYTE_DECODER = _byte_decoder()
_BYTE_FALLBACK = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def _is_byte_level(tokenizer) -> bool:
    decoder = getattr(getattr(tokenizer, "backend_tokenizer", None), "decoder", None)
    return type(decoder).__name__ == "ByteLevel"


def token_bytes(tokenizer: PreTrainedTokenizerBase, ids) -> list[bytes]:
    """The bytes each token stands for, so that a run of tokens decodes as a whole (characters split over tokens
    included): byte-level BPE tokens through its byte alphabet, <0xNN> byte-fallback tokens as that byte, added
    and special tokens and any other tokenizer through its own decode of the token alone."""
    ids = [int(i) for i in ids]
    added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    byte_level = _is_byte_level(tokenizer)
    pieces = []
    for token, piece in zip(ids, tokenizer.convert_ids_to_tokens(ids)):
        if token in added or piece is None:
            pieces.append(tokenizer.decode([token], skip_special_tokens=False).encode("utf-8"))
        elif byte_level and all(c in _BYTE_DECODER for c in piece):
            pieces.append(bytes(_BYTE_DECODER[c] for c in piece))
        elif _BYTE_FALLBACK.fullmatch(piece):
            pieces.append(bytes([int(_BYTE_FALLBACK.fullmatch(piece).group(1), 16)]))
        else:
            pieces.append(tokenizer.decode([token], skip_special_tokens=False).encode("utf-8"))
    return pieces
