"""Bytes to text: BOM-aware decoding, binary detection and the size cap."""

from __future__ import annotations

import re

import codecs

from kg.errors import IngestError

DEFAULT_MAX_BYTES = 5_000_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> str:
    """Decode an input file: a BOM wins, then UTF-8, then Windows-1252/Latin-1; binary data is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"undecodable {encoding} text ({exc.reason})") from exc
            return _check_text(text)
    if b"\x00" in data:
        raise IngestError("binary data (NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")
    return _check_text(text)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters other than tab, line feed, form feed, return


def _check_text(text: str) -> str:
    if not text.strip():
        raise IngestError("empty file (no text)")
    sample = text[:20_000]
    controls = len(_CONTROLS.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise IngestError("binary data (control characters), not a text article")
    return text


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file larger than the cap before reading it."""
    if size > max_bytes:
        raise IngestError(f"file too large ({size / 1e6:.1f} MB > cap {max_bytes / 1e6:.1f} MB; raise --max-bytes to accept it)")
