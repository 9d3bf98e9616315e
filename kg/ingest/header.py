"""The plain-text article header of the evaluation schema: url, outlet, published, title, blank line, text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.dates import parse_published
from kg.ingest.normalize import clean_field

HEADER_KEYS = ("url", "outlet", "published", "title")
_LINE = re.compile(r"^(url|outlet|published|title)\s*:\s?(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Header:
    """Metadata from a text header; `published` is ISO or None, `warnings` say why a value was dropped."""

    fields: dict[str, str | None]
    published: str | None
    warnings: tuple[str, ...]


def split_header(text: str) -> tuple[Header | None, str]:
    """Split a header off the text when the first line is a header line; otherwise return (None, text)."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or not _LINE.match(lines[0].strip()):
        return None, text
    fields: dict[str, str | None] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        match = _LINE.match(lines[i].strip())
        if not match:
            break  # a header ends at its first non-header line
        fields[match.group(1).lower()] = clean_field(match.group(2))
        i += 1
    body = "\n".join(lines[i:])
    return header_from_fields(fields), body


def header_from_fields(fields: dict[str, str | None]) -> Header:
    """Validate the published date of a field mapping, keeping a warning when it cannot be used."""
    warnings: list[str] = []
    published = None
    raw = fields.get("published")
    if raw:
        published = parse_published(raw)
        if published is None:
            warnings.append(f"published date {raw!r} cannot be parsed; built without a published date")
    return Header(fields=fields, published=published, warnings=tuple(warnings))
