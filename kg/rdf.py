"""RDF: Extractions to quads in the kg ontology (one named graph per article, entity descriptions in their own graph)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg import iris
from kg.records import Entity, Extraction, Relation
from kg.text import key

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

PREFIXES = {
    "kg": iris.KG,
    "kgid": iris.ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "prov": PROV,
    "schema": SCHEMA,
    "skos": SKOS,
    "wd": iris.WD,
}

A = NamedNode(RDF + "type")
_DATE_TYPES = {4: NamedNode(XSD + "gYear"), 7: NamedNode(XSD + "gYearMonth"), 10: NamedNode(XSD + "date")}
_DECIMAL, _INTEGER = NamedNode(XSD + "decimal"), NamedNode(XSD + "integer")
_SUBJECT, _PREDICATE, _OBJECT = NamedNode(RDF + "subject"), NamedNode(RDF + "predicate"), NamedNode(RDF + "object")
_DERIVED_FROM = NamedNode(PROV + "wasDerivedFrom")


@functools.cache
def kg(term: str) -> NamedNode:
    """A term of the kg ontology."""
    return NamedNode(iris.KG + term)


def value(term: object) -> str | None:
    """The lexical value of a query solution's term; None when the variable is unbound."""
    return None if term is None else term.value  # type: ignore[attr-defined]


def date_literal(value: str) -> Literal:
    """An ISO date at its precision, typed xsd:date, xsd:gYearMonth or xsd:gYear."""
    return Literal(value, datatype=_DATE_TYPES[len(value)])


def decimal_literal(value: float) -> Literal:
    """An xsd:decimal to three places, in the canonical form a store keeps (0.9, 1), so outputs match the store."""
    return Literal(f"{value:.3f}".rstrip("0").rstrip("."), datatype=_DECIMAL)


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=_INTEGER)


def entity_quads(entity: Entity, aliases: set[str] = frozenset(), located_in: str | None = None) -> Iterator[Quad]:  # type: ignore[assignment]
    """An entity's description, for the entities graph (`located_in`: the IRI of the state a place lies in)."""
    g = NamedNode(iris.ENTITIES_GRAPH)
    e = NamedNode(entity.iri)
    yield Quad(e, A, NamedNode(iris.class_iri(entity.type)), g)
    yield Quad(e, NamedNode(RDFS + "label"), Literal(entity.label), g)
    if entity.wikidata:
        yield Quad(e, NamedNode(OWL + "sameAs"), NamedNode(iris.wikidata_iri(entity.wikidata)), g)
        yield Quad(e, kg("wikidata"), Literal(entity.wikidata), g)
    if located_in:
        yield Quad(e, kg("locatedIn"), NamedNode(located_in), g)
    for alias in sorted(aliases - {entity.label}):
        yield Quad(e, NamedNode(SKOS + "altLabel"), Literal(alias), g)
    for name_key in sorted({key(name) for name in {entity.label, *aliases}} - {""}):
        yield Quad(e, kg("nameKey"), Literal(name_key), g)


def relation_quads(relation: Relation, article: str, g: NamedNode) -> Iterator[Quad]:
    """The direct triple and the statement node of one relation, in the article's graph."""
    s, o = NamedNode(relation.subject.iri), NamedNode(relation.object.iri)
    p = NamedNode(iris.predicate_iri(relation.predicate))
    yield Quad(s, p, o, g)
    st = NamedNode(iris.statement_iri(article, relation.subject.iri, relation.predicate, relation.object.iri, relation.sentence_start))
    yield Quad(st, A, kg("Statement"), g)
    yield Quad(st, _SUBJECT, s, g)
    yield Quad(st, _PREDICATE, p, g)
    yield Quad(st, _OBJECT, o, g)
    if relation.date is not None:
        yield Quad(st, kg("date"), date_literal(relation.date.value), g)
        yield Quad(st, kg("dateText"), Literal(relation.date.text), g)
        yield Quad(st, kg("dateSource"), Literal(relation.date.source), g)
    elif relation.undated_reason:
        yield Quad(st, kg("undatedReason"), Literal(relation.undated_reason), g)
    yield Quad(st, kg("confidence"), decimal_literal(relation.confidence), g)
    yield Quad(st, kg("evidence"), Literal(relation.evidence), g)
    yield Quad(st, kg("begin"), _int(relation.sentence_start), g)
    yield Quad(st, kg("end"), _int(relation.sentence_end), g)
    yield Quad(st, kg("spanBegin"), _int(relation.span_start), g)
    yield Quad(st, kg("spanEnd"), _int(relation.span_end), g)
    yield Quad(st, kg("rule"), Literal(relation.rule), g)
    for name, value in relation.qualifiers:
        yield Quad(st, kg(name), Literal(value), g)
    yield Quad(st, _DERIVED_FROM, NamedNode(article), g)


def article_quads(extraction: Extraction, sources: tuple[str, ...] = ()) -> list[Quad]:
    """Every quad of an article's own named graph: the article node, its mentions and its relations."""
    article = extraction.article
    a_iri = iris.article_iri(article)
    a, g = NamedNode(a_iri), NamedNode(a_iri)
    quads = [
        Quad(a, A, kg("Article"), g),
        Quad(a, kg("contentHash"), Literal(article.content_hash), g),
        Quad(a, kg("text"), Literal(article.text), g),
    ]
    for source in sorted({article.source, *sources}):
        quads.append(Quad(a, kg("sourceFile"), Literal(source), g))
    if article.url:
        quads.append(Quad(a, NamedNode(SCHEMA + "url"), Literal(article.url), g))
    if article.outlet:
        quads.append(Quad(a, kg("outlet"), Literal(article.outlet), g))
    if article.title:
        quads.append(Quad(a, NamedNode(SCHEMA + "headline"), Literal(article.title), g))
    if article.published:
        quads.append(Quad(a, NamedNode(SCHEMA + "datePublished"), date_literal(article.published), g))
        quads.append(Quad(a, kg("publishedSource"), Literal(article.published_source or "header"), g))
    for m in extraction.mentions:
        node = NamedNode(iris.mention_iri(a_iri, m.start, m.end))
        quads += [
            Quad(node, A, kg("Mention"), g),
            Quad(node, kg("refersTo"), NamedNode(m.entity.iri), g),
            Quad(node, kg("begin"), _int(m.start), g),
            Quad(node, kg("end"), _int(m.end), g),
            Quad(node, kg("surface"), Literal(m.text), g),
            Quad(node, kg("linkedBy"), Literal(m.how), g),
            Quad(node, kg("inArticle"), a, g),
        ]
    for r in extraction.relations:
        quads.extend(relation_quads(r, a_iri, g))
    return list(dict.fromkeys(quads))
