"""The records passed along the pipeline: one frozen dataclass per concept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ENTITY_TYPES: tuple[str, ...] = ("State", "Person", "Organization", "Infrastructure", "Agreement", "Place")
PREDICATES: tuple[str, ...] = (
    "holdsOffice",
    "visited",
    "met",
    "signed",
    "partyTo",
    "suppliesEnergyTo",
    "connects",
    "partOf",
    "strategicPartnerOf",
    "accused",
    "investsIn",
    "tradeTurnover",
)
SYMMETRIC: frozenset[str] = frozenset({"met", "strategicPartnerOf", "tradeTurnover"})

Precision = Literal["year", "month", "day"]
DateSource = Literal["text", "relative", "event", "context"]


@dataclass(frozen=True)
class Article:
    """An article's clean text and metadata, as read from one input file (or one JSONL line)."""

    source: str  # file name, or FILE#LINE for a line of a .jsonl input
    path: str  # the path it was read from
    text: str  # the normalised body; every offset points into it
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None  # ISO YYYY-MM-DD
    published_source: str | None = None  # "header", "html-meta", "htmldate", "jsonl"
    warnings: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """A SHA-256 over the text and metadata that shape the extraction."""
        from kg.iris import content_hash

        return content_hash(self)


@dataclass(frozen=True)
class DateValue:
    """A date at the precision its text gives."""

    value: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    text: str  # the expression it came from
    source: DateSource = "text"

    @property
    def precision(self) -> Precision:
        """year, month or day, read from the value's shape."""
        return {4: "year", 7: "month", 10: "day"}[len(self.value)]  # type: ignore[return-value]


@dataclass(frozen=True)
class Entity:
    """A resolved real-world actor: one per IRI."""

    iri: str
    label: str
    type: str
    wikidata: str | None = None
    located_in: str | None = None  # label of the State a Place lies in, or an Organization is based in


@dataclass(frozen=True)
class Mention:
    """A span of the article text that names an entity."""

    start: int
    end: int
    text: str
    entity: Entity
    how: str = "gazetteer"  # gazetteer | surname | title | demonym | ner | pattern


@dataclass(frozen=True)
class Relation:
    """A dated, typed relation between two entities with the evidence it rests on."""

    subject: Entity
    predicate: str
    object: Entity
    sentence_start: int
    sentence_end: int
    evidence: str
    span_start: int  # the supporting span within the article text
    span_end: int
    date: DateValue | None = None
    undated_reason: str | None = None
    confidence: float = 0.5
    rule: str = ""
    qualifiers: tuple[tuple[str, str], ...] = ()

    @property
    def qualifier_dict(self) -> dict[str, str]:
        """The qualifiers as a plain dict."""
        return dict(self.qualifiers)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    entities: tuple[Entity, ...] = field(default=())


@dataclass(frozen=True)
class Failure:
    """An input that could not be built, with a one-line reason."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
