"""The one place IRIs are minted: entities, articles (= their named graphs), statements and mentions."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from kg.text import fold

if TYPE_CHECKING:
    from kg.records import Article

BASE = "https://w3id.org/kg-balkans/"
KG = BASE + "ontology#"
ID = BASE + "id/"
WD = "http://www.wikidata.org/entity/"
ENTITIES_GRAPH = ID + "graph/entities"
EVENTS_GRAPH = ID + "graph/events"
BUILD_GRAPH = ID + "graph/build"

_QID = re.compile(r"^Q[1-9][0-9]*$")


def _digest(*parts: str, size: int = 20) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:size]


def slug(text: str) -> str:
    """A stable IRI-safe slug of a label: ASCII letters, digits and hyphens only, never empty; a long one keeps its
    first 64 characters and a digest of the whole, so that two long names differing only at the end stay apart."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text).casefold()).strip("-")
    if len(s) > 80:
        s = s[:64].rstrip("-") + "-" + _digest(s, size=12)
    return s or "x-" + _digest(text, size=12)


def entity_iri(type_: str, label: str, qid: str | None = None) -> str:
    """An entity's IRI: from its Wikidata id when linked, else from its type and label."""
    if qid and _QID.match(qid):
        return f"{ID}entity/{qid}"
    return f"{ID}entity/{type_.lower()}/{slug(label)}"


def wikidata_iri(qid: str) -> str:
    """The Wikidata entity IRI of a QID."""
    return WD + qid


def content_hash(article: Article) -> str:
    """SHA-256 of the text and the metadata that shape its extraction."""
    parts = (article.text, article.url or "", article.outlet or "", article.title or "", article.published or "")
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def article_iri(article: Article) -> str:
    """An article's IRI, also the name of its graph: from its url when given, else from its content."""
    return f"{ID}article/{_digest('url', article.url) if article.url else _digest('text', article.text)}"


def statement_iri(article_iri_: str, subject: str, predicate: str, obj: str, start: int) -> str:
    """A statement node's IRI: the same relation from the same sentence always gets the same IRI."""
    return f"{ID}statement/{_digest(article_iri_, subject, predicate, obj, str(start))}"


def mention_iri(article_iri_: str, start: int, end: int) -> str:
    """A mention node's IRI: its article and character span."""
    return f"{ID}mention/{_digest(article_iri_, size=16)}/{start}-{end}"


def predicate_iri(predicate: str) -> str:
    """The ontology property of a predicate name."""
    return KG + predicate


def class_iri(type_: str) -> str:
    """The ontology class of an entity type."""
    return KG + type_
