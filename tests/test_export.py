"""Exports: every format re-parses to the same quads or triples; CSV and JSONL re-read to the same counts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat, parse

from kg import export, open_store
from kg.export import FORMATS


def dump(out_dir: Path, fmt: str) -> bytes:
    buffer = io.BytesIO()
    export(open_store(out_dir / "store"), fmt, buffer)
    return buffer.getvalue()


def store_quads(out_dir: Path) -> set:
    return set(open_store(out_dir / "store").quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize(("fmt", "rdf_format"), [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG), ("jsonld", RdfFormat.JSON_LD)])
def test_dataset_formats_round_trip_to_the_same_quads(articles_build: Path, fmt: str, rdf_format: RdfFormat) -> None:
    parsed = set(parse(dump(articles_build, fmt), rdf_format))
    assert parsed == store_quads(articles_build)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt")])
def test_graph_formats_hold_the_union(articles_build: Path, fmt: str, rdflib_format: str) -> None:
    graph = rdflib.Graph().parse(data=dump(articles_build, fmt).decode("utf-8"), format=rdflib_format)
    union = {(q.subject, q.predicate, q.object) for q in store_quads(articles_build)}
    assert len(graph) == len(union)
    assert len(list(parse(dump(articles_build, fmt), RdfFormat.TURTLE if fmt == "ttl" else RdfFormat.N_TRIPLES))) == len(union)


def test_trig_parses_with_rdflib_too(articles_build: Path) -> None:
    ds = rdflib.Dataset()
    ds.parse(data=dump(articles_build, "trig").decode("utf-8"), format="trig")
    assert len(ds.graph(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)) == 0  # nothing in the default graph
    assert len(list(ds.quads((None, None, None, None)))) == len(store_quads(articles_build))


def test_csv_rereads_to_one_row_per_quad(articles_build: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(dump(articles_build, "csv").decode("utf-8"))))
    assert len(rows) == len(store_quads(articles_build))
    assert set(rows[0]) == {"graph", "subject", "predicate", "object", "object_kind", "datatype", "language"}


def test_jsonl_records_match_the_build_file_and_the_store(articles_build: Path) -> None:
    text = dump(articles_build, "jsonl").decode("utf-8")
    assert text == (articles_build / "extractions.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    store = open_store(articles_build / "store")
    statements = sum(1 for _ in store.query("SELECT ?s WHERE { GRAPH ?g { ?s a <https://w3id.org/kg-balkans/ontology#Statement> } }"))
    relations = [r for r in lines if r["kind"] == "relation"]
    dup_sources = sum(1 for r in relations if r["source"] == "dup-b.txt")
    assert len(relations) == statements + dup_sources
    for r in relations:
        assert {"source", "subject", "predicate", "object", "date", "subject_iri", "object_iri", "qualifiers", "confidence", "evidence", "start", "end"} <= set(r)
    for e in (r for r in lines if r["kind"] == "entity"):
        assert {"source", "label", "type", "iri", "wikidata", "mentions"} <= set(e) and e["mentions"]


def test_unknown_format_is_refused(articles_build: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export(open_store(articles_build / "store"), "xml", io.BytesIO())
    assert set(FORMATS) == {"ttl", "nt", "nq", "trig", "jsonld", "csv", "jsonl"}
