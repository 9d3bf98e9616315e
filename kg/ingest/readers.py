"""One reader per input format, each turning a file's text into Articles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.header import header_from_fields, split_header
from kg.ingest.normalize import clean_field, normalize_text
from kg.records import Article, Failure

MIN_WORDS = 3
MAX_CHARS = 1_000_000  # below the parser's max_length, so no article ever reaches spaCy's length error


def _article(source: str, path: Path, body: str, **meta: str | tuple[str, ...] | None) -> Article:
    text = normalize_text(body)
    if len(text.split()) < MIN_WORDS:
        raise IngestError("no article text")
    if len(text) > MAX_CHARS:
        raise IngestError(f"text too long ({len(text):,} characters > {MAX_CHARS:,}); split it into articles")
    return Article(source=source, path=str(path), text=text, **meta)  # type: ignore[arg-type]


def read_txt(path: Path, raw: str) -> Iterator[Article | Failure]:
    """A .txt article, with or without the url/outlet/published/title header."""
    header, body = split_header(raw)
    if header is None:
        yield _article(path.name, path, body)
        return
    f = header.fields
    yield _article(
        path.name,
        path,
        body,
        url=f.get("url"),
        outlet=f.get("outlet"),
        title=f.get("title"),
        published=header.published,
        published_source="header" if header.published else None,
        warnings=header.warnings,
    )


def read_html(path: Path, raw: str) -> Iterator[Article | Failure]:
    """An .html page: trafilatura for the text and metadata, htmldate for the date."""
    import trafilatura
    from htmldate import find_date

    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, favor_precision=True)
    body = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not body.strip():
        raise IngestError("HTML page with no article text")
    published, published_source = None, None
    date = find_date(raw, extensive_search=False, outputformat="%Y-%m-%d")
    if date:
        published, published_source = date, "html-meta"
    else:
        date = find_date(raw, extensive_search=True, outputformat="%Y-%m-%d")
        if date:
            published, published_source = date, "htmldate"
    yield _article(
        path.name,
        path,
        body,
        url=clean_field(getattr(doc, "url", None)),
        outlet=clean_field(getattr(doc, "sitename", None)),
        title=clean_field(getattr(doc, "title", None)),
        published=published,
        published_source=published_source,
    )


def read_jsonl(path: Path, raw: str) -> Iterator[Article | Failure]:
    """A .jsonl file: one article per line (url, outlet, title, published, text); a bad line fails alone."""
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{path.name}#{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise IngestError("line is not a JSON object")
            text = record.get("text")
            if not isinstance(text, str):
                raise IngestError("no 'text' string")
            fields = {k: clean_field(str(record[k])) if record.get(k) is not None else None for k in ("url", "outlet", "title", "published")}
            header = header_from_fields(fields)
            yield _article(
                source,
                path,
                text,
                url=fields["url"],
                outlet=fields["outlet"],
                title=fields["title"],
                published=header.published,
                published_source="jsonl" if header.published else None,
                warnings=header.warnings,
            )
        except json.JSONDecodeError as exc:
            yield Failure(source, f"invalid JSON ({exc.msg} at column {exc.colno})")
        except IngestError as exc:
            yield Failure(source, str(exc))


READERS = {".txt": read_txt, ".text": read_txt, ".html": read_html, ".htm": read_html, ".jsonl": read_jsonl}
