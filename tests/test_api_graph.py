"""The analyst's Python API: kg.open(), rows and DataFrames, saved queries, networkx, rdflib, and the lease that keeps
a rebuild from deleting the store version a Graph reads."""

from __future__ import annotations

import inspect
import os
import shutil
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from pyoxigraph import NamedNode

import kg
from kg import iris
from kg.store import LEASE, VERSIONS
from tests.analyst_fixtures import analyst_quads, analyst_store, write_analyst_store  # noqa: F401 - fixture

AZ, RS = iris.ID + "entity/Q227", iris.ID + "entity/Q403"
ALIYEV = iris.ID + "entity/person/ilham-aliyev"


@pytest.fixture(scope="module")
def g(analyst_store: Path) -> kg.Graph:  # noqa: F811 - the fixture of tests.analyst_fixtures
    with kg.open(analyst_store) as graph:
        yield graph


def test_open_a_missing_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(kg.StoreError, match="no store at"):
        kg.open(tmp_path / "nothing")


def test_query_rows_are_typed(g: kg.Graph) -> None:
    rows = g.query("SELECT ?st ?conf ?begin ?date WHERE { ?st kg:confidence ?conf ; kg:begin ?begin ; kg:date ?date } ORDER BY ?st")
    assert rows and set(rows[0]) == {"st", "conf", "begin", "date"}
    assert all(isinstance(r["conf"], float) and isinstance(r["begin"], int) and isinstance(r["date"], str) for r in rows)
    assert {len(r["date"]) for r in rows} == {4, 10}  # dates stay text at their precision
    assert g.query("ASK { ?s kg:accused ?o }") == [{"ask": True}]
    triples = g.query("CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l ; kg:wikidata ?qid }", qid="Q403")
    assert triples == [{"subject": RS, "predicate": "http://www.w3.org/2000/01/rdf-schema#label", "object": "Serbia"}]


def test_query_parameters_are_rdf_terms(g: kg.Graph) -> None:
    assert g.query("SELECT ?e ?name WHERE { ?e rdfs:label ?name }", name="Serbia") == [{"e": RS, "name": "Serbia"}]
    assert g.query("SELECT ?e ?label WHERE { ?e rdfs:label ?label }", e=NamedNode(AZ)) == [
        {"e": AZ, "label": "Azerbaijan"}
    ]
    assert g.query("SELECT ?e ?name WHERE { ?e rdfs:label ?name }", name='Serbia" } ?s ?p ?o {') == []
    n = g.query("SELECT ?min (COUNT(*) AS ?n) WHERE { ?st a kg:Statement ; kg:confidence ?c FILTER(?c >= ?min) } GROUP BY ?min", min=0.8)
    assert n == [{"min": 0.8, "n": 15}]  # the dated relations
    with pytest.raises(kg.QueryError, match="cannot use a list"):
        g.query("SELECT ?x WHERE {}", x=[1])
    # the query text and the saved query's name are positional-only: a parameter may be called `sparql` or `name`
    assert "sparql" in inspect.signature(g.query).parameters and inspect.signature(g.query).parameters["sparql"].kind.name == "POSITIONAL_ONLY"


def test_query_df(g: kg.Graph) -> None:
    frame = g.query_df("SELECT ?label ?qid WHERE { ?e a kg:State ; rdfs:label ?label ; kg:wikidata ?qid } ORDER BY ?label")
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["label", "qid"]
    assert frame["label"].tolist() == ["Armenia", "Azerbaijan", "Bulgaria", "Greece", "Serbia"]
    empty = g.query_df("SELECT ?a ?b WHERE { ?a kg:noSuchProperty ?b }")
    assert empty.empty and list(empty.columns) == ["a", "b"]


def test_saved_queries_through_the_api(g: kg.Graph) -> None:
    timeline = g.saved("dyad-timeline", a="Azerbaijan", b="Serbia")
    assert [r["date"] for r in timeline] == ["2013", "2013", "2020-07-20", "2020-08-07", *["2022-11-23"] * 3, *["2023-12-10"] * 2]
    assert all(isinstance(r["confidence"], float) for r in timeline)
    frame = g.saved_df("dyad-timeline", a="Azerbaijan", b="Serbia", since="2022")
    assert list(frame.columns[:4]) == ["date", "subject", "relation", "object"] and len(frame) == 5
    assert g.saved("entity-profile", name="Serbia")[0]["wikidata"] == "Q403"
    ranking = g.saved_df("most-connected", type="State")
    assert ranking["neighbours"].dtype.kind == "i" and ranking.iloc[0]["actor"] == "Serbia"
    assert {q.name for q in g.saved_queries()} >= {"dyad-timeline", "relations", "entities"}
    with pytest.raises(kg.QueryError, match="is required"):
        g.saved("dyad-timeline", a="Azerbaijan")
    import datetime as dt

    assert len(g.saved("dyad-timeline", a="Azerbaijan", b="Serbia", until=dt.date(2020, 7, 31))) == 3  # dates as dates


def test_to_networkx(g: kg.Graph) -> None:
    graph = g.to_networkx()
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_edges() == 39
    assert graph.nodes[ALIYEV] == {"label": "Ilham Aliyev", "type": "Person", "wikidata": None}
    assert graph.nodes[RS]["wikidata"] == "Q403"
    meetings = [d for _, v, d in graph.out_edges(ALIYEV, data=True) if d["predicate"] == "met" and v == iris.ID + "entity/person/aleksandar-vucic"]
    assert sorted(d["date"] for d in meetings) == ["2020-08-07", "2022-11-23", "2023-12-10"]
    assert all(d["evidence"] and d["url"] and d["article"].startswith(iris.ID + "article/") for d in meetings)
    centrality = nx.degree_centrality(nx.Graph(graph))
    assert max(centrality, key=lambda n: (centrality[n], n)) == ALIYEV
    energy = g.to_networkx(predicates=["suppliesEnergyTo"])
    assert {(energy.nodes[u]["label"], energy.nodes[v]["label"]) for u, v in energy.edges()} == {
        ("Azerbaijan", "Bulgaria"), ("Azerbaijan", "Serbia"), ("SOCAR", "Serbia")
    }
    in_2022 = g.to_networkx(since="2022", until="2022")
    assert {d["date"][:4] for _, _, d in in_2022.edges(data=True)} == {"2022"}
    assert g.to_networkx(min_confidence=0.8).number_of_edges() == 15
    assert len(g.to_networkx(predicates=["accused"], isolated=True)) == len(g.saved("entities"))


def test_dataset_is_rdflib(g: kg.Graph) -> None:
    import rdflib

    dataset = g.dataset()
    assert isinstance(dataset, rdflib.Dataset)
    assert sum(len(graph) for graph in dataset.graphs()) == len(set(analyst_quads()))
    names = {str(graph.identifier) for graph in dataset.graphs()}
    assert iris.ENTITIES_GRAPH in names and sum(n.startswith(iris.ID + "article/") for n in names) == 4
    result = dataset.query("SELECT ?l WHERE { ?e a <https://w3id.org/kg-balkans/ontology#State> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert {str(row[0]) for row in result} == {"Armenia", "Azerbaijan", "Bulgaria", "Greece", "Serbia"}


def test_a_graph_keeps_its_version_through_rebuilds_and_refresh_moves_on(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_analyst_store(out)
    versions = out / VERSIONS
    graph = kg.open(out / "store")
    first = graph.version
    assert (versions / f"{first.name}{LEASE}{os.getpid()}").exists()
    write_analyst_store(out)  # a rebuild: the link moves, the version this graph reads stays
    assert first.is_dir() and graph.query("ASK { ?s kg:accused ?o }") == [{"ask": True}]
    assert graph.refresh() is True and graph.version != first
    assert not first.exists()  # given back and pruned once the graph moved
    assert graph.refresh() is False
    graph.close()
    assert not any(LEASE in p.name for p in versions.iterdir())
    with pytest.raises(kg.StoreError, match="closed"):
        graph.query("ASK {}")
    # a plain store folder (no link) opens too, without a lease
    plain = tmp_path / "plain"
    shutil.copytree(out / "store", plain)
    with kg.open(plain) as copy:
        assert copy.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] > 0
