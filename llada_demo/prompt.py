"""Checks on text a user sends: not empty, not huge, no control characters (one place for UI, API, CLI)."""

from __future__ import annotations

import re
import unicodedata

from .errors import SettingsError

MAX_MESSAGE_CHARS = 4000
# C0/C1 controls and other invisible format characters, except newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_message(text) -> str:
    """The message as the model will see it, or a SettingsError saying what to change."""
    if not isinstance(text, str):
        raise SettingsError(f"The message must be text, got {type(text).__name__}.")
    text = unicodedata.normalize("NFC", text.encode("utf-8", "replace").decode("utf-8"))
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))  # a lone \r ends a line too
    if not text.strip():
        raise SettingsError("The message is empty: type a question or an instruction first.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise SettingsError(
            f"The message is {len(text):,} characters long; the limit is {MAX_MESSAGE_CHARS:,}: shorten it.")
    return text
