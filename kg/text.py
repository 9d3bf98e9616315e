"""Small text keys shared by every stage: accent folding and comparison keys."""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "’": "'", "‘": "'", "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Strip accents and typographic variants: "Vučić" -> "Vucic", "Niš" -> "Nis"."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c))


def key(text: str) -> str:
    """A comparison key: folded, casefolded, punctuation as spaces, a leading 'the' dropped."""
    text = re.sub(r"[^\w\s]", " ", fold(text).casefold())
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)
