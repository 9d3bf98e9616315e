"""Export: the store as Turtle, N-Triples, N-Quads, TriG, JSON-LD, CSV, or the JSONL extraction records."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, NamedTuple

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, serialize

from kg import iris
from kg.rdf import PREFIXES, RDF, value

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


class Description(NamedTuple):
    """How the entities graph describes an entity, as the JSONL records give it."""

    label: str
    type: str
    wikidata: str | None


QUALIFIERS = ("role", "commodity", "value", "period")
_FIELDS = {
    iris.KG + name: name
    for name in ("sourceFile", "refersTo", "begin", "end", "surface", "linkedBy", "confidence", "evidence", "spanBegin",
                 "spanEnd", "rule", "date", "undatedReason", *QUALIFIERS)
} | {RDF + "subject": "subject", RDF + "predicate": "predicate", RDF + "object": "object"}


def descriptions(store: Store) -> dict[str, Description]:
    """The label, type and Wikidata id of every entity in the store's entities graph."""
    query = f"""PREFIX kg: <{iris.KG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?e ?label ?type ?qid WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e rdfs:label ?label ; a ?type .
    OPTIONAL {{ ?e kg:wikidata ?qid }} }} }}"""
    return {
        row["e"].value: Description(row["label"].value, row["type"].value.rsplit("#", 1)[-1], value(row["qid"]))
        for row in store.query(query)
    }


def article_records(a_iri: str, quads: Iterable[Quad], described: Mapping[str, Description]) -> list[dict]:
    """The JSONL records of one article graph, for each of its source files: its entities, then its relations."""
    nodes: dict[str, dict[str, str]] = defaultdict(dict)
    sources: list[str] = []
    for q in quads:
        name = _FIELDS.get(q.predicate.value)
        if name == "sourceFile":
            sources.append(q.object.value)
        elif name:
            nodes[q.subject.value][name] = q.object.value
    mentions = sorted(
        (int(n["begin"]), int(n["end"]), n["surface"], n["refersTo"])
        for n in nodes.values()
        if "refersTo" in n and n["linkedBy"] not in {"demonym", "title"} and n["refersTo"] in described
    )
    entities: dict[str, dict] = {}
    for start, end, text, e in mentions:
        d = described[e]
        record = entities.setdefault(e, {"kind": "entity", "label": d.label, "type": d.type, "iri": e, "wikidata": d.wikidata, "mentions": []})
        record["mentions"].append({"start": start, "end": end, "text": text})
    statements = sorted(
        ((int(n["begin"]), int(n["spanBegin"]), st, n) for st, n in nodes.items() if "predicate" in n),
        key=lambda item: item[:3],
    )
    relations = [
        {
            "kind": "relation",
            "subject": described[n["subject"]].label,
            "predicate": n["predicate"].rsplit("#", 1)[-1],
            "object": described[n["object"]].label,
            "date": n.get("date"),
            "subject_iri": n["subject"],
            "object_iri": n["object"],
            "qualifiers": {k: n[k] for k in QUALIFIERS if k in n},
            "confidence": float(n["confidence"]),
            "evidence": n["evidence"],
            "start": begin,
            "end": int(n["end"]),
            "span": {"start": span, "end": int(n["spanEnd"])},
            "rule": n["rule"],
            "undated_reason": n.get("undatedReason"),
            "iri": st,
            "article": a_iri,
        }
        for begin, span, st, n in statements
        if n["subject"] in described and n["object"] in described  # a relation whose ends are not described is left out
    ]
    return [{"source": source, **record} for source in sorted(sources) for record in (*entities.values(), *relations)]


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL file (such as `extractions.jsonl`), one at a time; blank lines skipped."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def jsonl_records(store: Store) -> Iterator[dict]:
    """One record per entity and per relation of each article source, in the shape score.py reads."""
    described = descriptions(store)
    query = f"SELECT ?a (MIN(?source) AS ?first) WHERE {{ GRAPH ?a {{ ?a <{iris.KG}sourceFile> ?source }} }} GROUP BY ?a"
    for first, a_iri in sorted((row["first"].value, row["a"].value) for row in store.query(query)):
        yield from article_records(a_iri, store.quads_for_pattern(None, None, None, NamedNode(a_iri)), described)
