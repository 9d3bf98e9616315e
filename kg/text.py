"""Small text keys shared by every stage: accent folding and comparison keys."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "’": "'", "‘": "'", "–": "-", "—": "-"})
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Strip accents and typographic variants: "Vučić" -> "Vucic", "Niš" -> "Nis"."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """A comparison key: folded, casefolded, punctuation as spaces, a leading 'the' dropped."""
    text = _SPACES.sub(" ", _PUNCT.sub(" ", fold(text).casefold())).strip()
    return text.removeprefix("the ")
