"""Whole characters from byte-level tokens: the text of a run of token bytes, and what each grid cell shows.

A byte-level tokenizer may split one character over several tokens ("é" is two bytes, "龍" three, an emoji
four), so the text of a token on its own can be half a character. Text is therefore always decoded from the
bytes of a whole run of tokens, and a cell shows the characters that start in it, the cells after marked as
the character's continuation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def _length(lead: int) -> int:
    """How many bytes a UTF-8 character starting with `lead` has (1 for a byte that cannot start one)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 1


def _characters(data: bytes) -> list[tuple[int, int, str]]:
    """(start, length, text) of each character of `data`; a byte that is not part of a whole character is its own
    entry, written readably as <0xNN> (a lone byte shown as "�" says nothing about which byte it is)."""
    found, i = [], 0
    while i < len(data):
        n = _length(data[i])
        try:
            found.append((i, n, data[i:i + n].decode("utf-8")))
            i += n
        except UnicodeDecodeError:
            found.append((i, 1, f"<0x{data[i]:02X}>"))
            i += 1
    return found


def readable(data: bytes) -> str:
    """Bytes as text: whole characters as themselves, any other byte as <0xNN> (a token's text on its own)."""
    return "".join(text for _, _, text in _characters(data))


def is_whole(data: bytes) -> bool:
    """Whether `data` is whole UTF-8 characters (so its text alone says everything)."""
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def decode(pieces: Sequence[bytes]) -> str:
    """The text of tokens in a row, decoded as a whole (as the tokenizer's own decode does)."""
    return b"".join(pieces).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class CellText:
    """What one cell shows: the characters that start in it, or (`continues`) nothing of its own because its bytes
    finish a character drawn on an earlier cell (`of`: that character)."""

    text: str
    continues: bool = False
    of: str = ""


def cell_texts(pieces: Sequence[bytes | None]) -> list[CellText]:
    """Each cell's text for a row of cells holding token bytes; None marks a cell with no text of its own (a mask,
    an end token), which no character spans."""
    cells: list[CellText] = [CellText("")] * len(pieces)
    run: list[int] = []
    for index, piece in enumerate([*pieces, None]):
        if piece is None:
            if run:
                _fill_run(run, pieces, cells)
            run = []
        else:
            run.append(index)
    return cells


def _fill_run(run: list[int], pieces: Sequence[bytes | None], cells: list[CellText]) -> None:
    owners, data = [], bytearray()
    for index in run:
        owners.extend([index] * len(pieces[index]))
        data.extend(pieces[index])
    texts = {index: [] for index in run}
    continued: dict[int, str] = {}
    for start, length, text in _characters(bytes(data)):
        texts[owners[start]].append(text)
        for offset in range(start + 1, start + length):
            if owners[offset] != owners[start]:
                continued.setdefault(owners[offset], text)
    for index in run:
        text = "".join(texts[index])
        cells[index] = CellText(text) if text or index not in continued else CellText("", True, continued[index])
