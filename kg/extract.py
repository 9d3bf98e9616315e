"""Extraction: articles through spaCy, mentions, linking and relation rules to Extractions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from kg.gazetteer import default_gazetteer
from kg.linking import Linker
from kg.mentions import find_spans
from kg.nlp import build_pipeline, parse_ahead
from kg.records import Article, Extraction
from kg.relations import RelationExtractor
from kg.rules import load_rules


class Extractor:
    """The whole text-to-records stage, loaded once and reused for every article."""

    def __init__(self) -> None:
        self.nlp = build_pipeline()
        self.gazetteer = default_gazetteer()
        self.linker = Linker(self.gazetteer)
        self.relations = RelationExtractor(self.nlp.vocab, load_rules(), self.gazetteer)
        self.demonyms = self.gazetteer.demonym_labels

    def from_doc(self, article: Article, doc: Doc, min_confidence: float = 0.0) -> Extraction:
        """The mentions, entities and relations of one parsed article."""
        mentions = self.linker.link(find_spans(doc, self.demonyms), article)
        mentions = sorted(mentions + self.relations.offices.title_mentions(article.text, mentions, article), key=lambda m: (m.start, -m.end))
        relations = [r for r in self.relations.extract(doc, article, mentions) if r.confidence >= min_confidence]
        entities = {m.entity.iri: m.entity for m in mentions}
        for r in relations:
            entities.setdefault(r.subject.iri, r.subject)
            entities.setdefault(r.object.iri, r.object)
        return Extraction(article=article, mentions=tuple(mentions), relations=tuple(relations), entities=tuple(entities.values()))

    def extract(self, article: Article, min_confidence: float = 0.0) -> Extraction:
        """Parse and extract one article."""
        return self.from_doc(article, self.nlp(article.text), min_confidence)

    def extract_many(
        self, articles: Iterable[Article], min_confidence: float = 0.0, batch_size: int = 16, *, ahead: bool = True
    ) -> Iterator[Extraction]:
        """Parse and extract a stream of articles with nlp.pipe; with `ahead`, the parse runs in a thread of its own
        while the articles already parsed are extracted (kg.nlp.parse_ahead)."""
        stream = ((a.text, a) for a in articles)
        docs = parse_ahead(self.nlp, stream, batch_size) if ahead else self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size)
        for doc, article in docs:
            yield self.from_doc(article, doc, min_confidence)
