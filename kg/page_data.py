"""The page's data read from the store: entities, relations with their evidence, and their sources."""

from __future__ import annotations

from pyoxigraph import Store

from kg import iris
from kg.export import _v, jsonl_records
from kg.page import PageData, PageNode, PageRelation, PageSource

_ENTITIES = """
PREFIX kg: <%(kg)s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?label ?type ?qid WHERE { GRAPH <%(entities)s> { ?e a ?type ; rdfs:label ?label . OPTIONAL { ?e kg:wikidata ?qid } } }
"""
_SOURCES = """
PREFIX kg: <%(kg)s> PREFIX schema: <https://schema.org/>
SELECT ?a ?outlet ?title ?published ?url WHERE { GRAPH ?a { ?a a kg:Article .
  OPTIONAL { ?a kg:outlet ?outlet } OPTIONAL { ?a schema:headline ?title }
  OPTIONAL { ?a schema:datePublished ?published } OPTIONAL { ?a schema:url ?url } } }
"""


def page_data(store: Store, title: str = "kg — relations graph") -> PageData:
    """Every related entity and every relation of the store, ready for the page."""
    sources = {
        row["a"].value: PageSource(
            article=row["a"].value,
            outlet=_v(row["outlet"]),
            title=_v(row["title"]),
            published=_v(row["published"]),
            url=_v(row["url"]),
        )
        for row in store.query(_SOURCES % {"kg": iris.KG})
    }
    nodes = {
        row["e"].value: PageNode(row["e"].value, row["label"].value, row["type"].value.rsplit("#", 1)[-1], _v(row["qid"]))
        for row in store.query(_ENTITIES % {"kg": iris.KG, "entities": iris.ENTITIES_GRAPH})
    }
    relations: dict[str, PageRelation] = {}
    for record in jsonl_records(store):
        if record["kind"] == "entity" or record["iri"] in relations:
            continue
        begin = record["start"]
        relations[record["iri"]] = PageRelation(
            id=record["iri"],
            subject=record["subject_iri"],
            predicate=record["predicate"],
            object=record["object_iri"],
            date=record["date"],
            confidence=record["confidence"],
            evidence=record["evidence"],
            span_start=record["span"]["start"] - begin,
            span_end=record["span"]["end"] - begin,
            qualifiers=record["qualifiers"],
            source=sources[record["article"]],
        )
    used = {r.subject for r in relations.values()} | {r.object for r in relations.values()}
    return PageData(
        nodes=tuple(n for iri, n in sorted(nodes.items()) if iri in used or not relations),
        relations=tuple(relations.values()),
        title=title,
    )
