"""The page's data read from the store: entities, relations with their evidence and sources, and events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from pyoxigraph import Store

from kg import iris
from kg.collector import collector_paused
from kg.events import EVENTS_GRAPH
from kg.export import jsonl_records
from kg.page import PageData, PageEvent, PageNode, PageRelation, PageSource
from kg.rdf import value as term_value

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
_EVENTS = """
PREFIX kg: <%(kg)s>
SELECT ?e ?type ?a ?t ?date ?conflict ?n ?conf WHERE {
  GRAPH <%(events)s> { ?e a kg:Event ; kg:eventType ?type ; kg:agent ?a ; kg:target ?t ; kg:corroboration ?n ; kg:confidence ?conf .
    OPTIONAL { ?e kg:date ?date } OPTIONAL { ?e kg:dateConflict ?conflict } } }
"""
_EVENT_VALUES = """
PREFIX kg: <%(kg)s>
SELECT ?e ?p ?v WHERE { GRAPH <%(events)s> { ?e ?p ?v } VALUES ?p { kg:reportedIn kg:reportedDate } }
"""


def page_events(store: Store, labels: Mapping[str, str]) -> tuple[PageEvent, ...]:
    """The store's events (kg:Event in the events graph), each with its reports' statement IRIs; its participants
    named by `labels` (entity IRI -> label; an entity without one by its IRI)."""
    names = {"kg": iris.KG, "events": EVENTS_GRAPH}
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in store.query(_EVENT_VALUES % names):
        values[(row["e"].value, row["p"].value.rsplit("#", 1)[-1])].append(row["v"].value)
    events = (
        PageEvent(
            id=row["e"].value,
            predicate=row["type"].value.rsplit("#", 1)[-1],
            agent=labels.get(row["a"].value, row["a"].value),
            target=labels.get(row["t"].value, row["t"].value),
            date=term_value(row["date"]),
            reported_dates=tuple(sorted(values[(row["e"].value, "reportedDate")])),
            conflict=term_value(row["conflict"]) == "true",
            corroboration=int(row["n"].value),
            confidence=float(row["conf"].value),
            reports=tuple(sorted(values[(row["e"].value, "reportedIn")])),
        )
        for row in store.query(_EVENTS % names)
    )
    return tuple(sorted(events, key=lambda e: e.id))


def page_data(store: Store, title: str = "kg — relations graph", records: Iterable[dict] | None = None) -> PageData:
    """Every related entity, every relation and every event of the store, ready for the page; the relations from
    `records` when given (the store's JSONL records, such as a build's `extractions.jsonl`: read back far faster
    than they are derived from the store again)."""
    with collector_paused():  # a record and a relation per statement, no cycle: collections would only scan the heap
        sources = {
            row["a"].value: PageSource(
                article=row["a"].value,
                outlet=term_value(row["outlet"]),
                title=term_value(row["title"]),
                published=term_value(row["published"]),
                url=term_value(row["url"]),
            )
            for row in store.query(_SOURCES % {"kg": iris.KG})
        }
        nodes = {
            row["e"].value: PageNode(row["e"].value, row["label"].value, row["type"].value.rsplit("#", 1)[-1], term_value(row["qid"]))
            for row in store.query(_ENTITIES % {"kg": iris.KG, "entities": iris.ENTITIES_GRAPH})
        }
        relations: dict[str, PageRelation] = {}
        for record in jsonl_records(store) if records is None else records:
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
            events=page_events(store, {iri: n.label for iri, n in nodes.items()}),
        )
