"""Export: the store as Turtle, N-Triples, N-Quads, TriG, JSON-LD, CSV, or the JSONL extraction records."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, serialize

from kg import iris
from kg.rdf import PREFIXES

FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "csv", "jsonl")
_RDF_FORMATS = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def export(store: Store, fmt: str, out: IO[bytes]) -> None:
    """Write the store in one format: ttl and nt hold the union of the graphs, the others every named graph."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in {"ttl", "nt"}:
        prefixes = PREFIXES if fmt == "ttl" else None
        serialize(store.query(_UNION), out, _RDF_FORMATS[fmt], prefixes=prefixes)
    elif fmt in {"nq", "trig", "jsonld"}:
        prefixes = PREFIXES if fmt == "trig" else None
        store.dump(out, _RDF_FORMATS[fmt], prefixes=prefixes)
    elif fmt == "csv":
        _csv(store, out)
    else:
        for record in jsonl_records(store):
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")


def _csv(store: Store, out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(["graph", "subject", "predicate", "object", "object_kind", "datatype", "language"])
    for q in sorted(store.quads_for_pattern(None, None, None, None), key=str):
        o = q.object
        if isinstance(o, Literal):
            row = [o.value, "literal", o.datatype.value, o.language or ""]
        else:
            row = [o.value, "iri" if isinstance(o, NamedNode) else "blank", "", ""]
        writer.writerow([getattr(q.graph_name, "value", ""), q.subject.value, q.predicate.value, *row])
    text.detach()


def _v(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


_ARTICLES = """
PREFIX kg: <%(kg)s>
SELECT ?a ?source WHERE { GRAPH ?a { ?a a kg:Article ; kg:sourceFile ?source } } ORDER BY ?source
"""
_ENTITIES = """
PREFIX kg: <%(kg)s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?e ?label ?type ?qid ?start ?end ?text WHERE {
  GRAPH ?a { ?m kg:refersTo ?e ; kg:begin ?start ; kg:end ?end ; kg:surface ?text ; kg:linkedBy ?how FILTER (?how NOT IN ("demonym", "title")) }
  GRAPH <%(entities)s> { ?e rdfs:label ?label ; a ?type . OPTIONAL { ?e kg:wikidata ?qid } }
} ORDER BY ?a ?start ?end
"""
_RELATIONS = """
PREFIX kg: <%(kg)s> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?a ?st ?s ?p ?o ?date ?conf ?evidence ?begin ?end ?sb ?se ?rule ?reason WHERE {
  GRAPH ?a { ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:confidence ?conf ;
             kg:evidence ?evidence ; kg:begin ?begin ; kg:end ?end ; kg:spanBegin ?sb ; kg:spanEnd ?se ; kg:rule ?rule .
             OPTIONAL { ?st kg:date ?date } OPTIONAL { ?st kg:undatedReason ?reason } }
} ORDER BY ?a ?begin ?sb ?st
"""
_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?label WHERE { GRAPH <%(entities)s> { ?e rdfs:label ?label } }
"""
_QUALIFIERS = """
PREFIX kg: <%(kg)s>
SELECT ?st ?name ?value WHERE { GRAPH ?a { ?st a kg:Statement ; ?q ?value .
  VALUES (?q ?name) { (kg:role "role") (kg:commodity "commodity") (kg:value "value") (kg:period "period") } } }
"""


def jsonl_records(store: Store) -> Iterator[dict]:
    """One record per entity and per relation of each article source, in the shape score.py reads."""
    names = {"kg": iris.KG, "entities": iris.ENTITIES_GRAPH}
    sources: dict[str, list[str]] = defaultdict(list)
    for row in store.query(_ARTICLES % names):
        sources[row["a"].value].append(row["source"].value)
    entities: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in store.query(_ENTITIES % names):
        e = row["e"].value
        record = entities[row["a"].value].setdefault(
            e,
            {
                "kind": "entity",
                "label": row["label"].value,
                "type": row["type"].value.rsplit("#", 1)[-1],
                "iri": e,
                "wikidata": _v(row["qid"]),
                "mentions": [],
            },
        )
        record["mentions"].append({"start": int(row["start"].value), "end": int(row["end"].value), "text": row["text"].value})
    qualifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.query(_QUALIFIERS % names):
        qualifiers[row["st"].value][row["name"].value] = row["value"].value
    labels = {row["e"].value: row["label"].value for row in store.query(_LABELS % names)}
    relations: dict[str, list[dict]] = defaultdict(list)
    for row in store.query(_RELATIONS % names):
        if row["s"].value not in labels or row["o"].value not in labels:
            continue  # as the join did: a relation whose ends are not described is not exported
        relations[row["a"].value].append(
            {
                "kind": "relation",
                "subject": labels[row["s"].value],
                "predicate": row["p"].value.rsplit("#", 1)[-1],
                "object": labels[row["o"].value],
                "date": _v(row["date"]),
                "subject_iri": row["s"].value,
                "object_iri": row["o"].value,
                "qualifiers": qualifiers.get(row["st"].value, {}),
                "confidence": float(row["conf"].value),
                "evidence": row["evidence"].value,
                "start": int(row["begin"].value),
                "end": int(row["end"].value),
                "span": {"start": int(row["sb"].value), "end": int(row["se"].value)},
                "rule": row["rule"].value,
                "undated_reason": _v(row["reason"]),
                "iri": row["st"].value,
                "article": row["a"].value,
            }
        )
    for article in sorted(sources, key=lambda a: sources[a][0]):
        for source in sources[article]:
            for record in entities.get(article, {}).values():
                yield {"source": source, **record}
            for record in relations.get(article, []):
                yield {"source": source, **record}
