"""Text normalisation: Unicode NFC and tidy whitespace, so offsets point into the stored text."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newlines
_BLANKS = re.compile(r"\n{3,}")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize_text(text: str) -> str:
    """NFC, no invisible characters, one space between words, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_field(value: str | None) -> str | None:
    """A header value, with `unknown`, `none` and empty meaning absent."""
    if value is None:
        return None
    value = normalize_text(value)
    return None if value.casefold() in {"", "unknown", "none", "null", "n/a"} else value
