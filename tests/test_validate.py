"""SHACL: the corpus graph conforms, and the shapes catch real violations."""

from __future__ import annotations

import shutil
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iris, open_store, validate_store
from kg.rdf import XSD
from tests.conftest import run_kg


def test_corpus_graph_conforms(corpus_build: Path) -> None:
    report = validate_store(open_store(corpus_build / "store"))
    assert report.conforms, report.text
    result = run_kg("validate", "--store", str(corpus_build / "store"))
    assert result.returncode == 0 and "conforms" in result.stdout


def _broken_copy(src: Path, tmp: Path) -> Path:
    target = tmp / "store"
    shutil.copytree(src.resolve(), target)
    store = Store(str(target))
    statement = next(iter(store.query("SELECT ?st ?g WHERE { GRAPH ?g { ?st a <%sStatement> } } LIMIT 1" % iris.KG)))
    st, g = statement["st"], statement["g"]
    store.remove(next(iter(store.quads_for_pattern(st, NamedNode(iris.KG + "evidence"), None, g))))
    store.add(Quad(st, NamedNode(iris.KG + "evidence"), Literal("a sentence that is not in the article"), g))
    store.add(Quad(st, NamedNode(iris.KG + "confidence"), Literal("1.5", datatype=NamedNode(XSD + "decimal")), g))
    store.add(Quad(NamedNode(iris.ID + "entity/state/atlantis"), NamedNode(iris.KG + "visited"), NamedNode(iris.ID + "entity/state/atlantis"), g))
    store.flush()
    return target


def test_violations_are_reported_with_exit_1(corpus_build: Path, tmp_path: Path) -> None:
    broken = _broken_copy(corpus_build / "store", tmp_path)
    report = validate_store(open_store(broken))
    assert not report.conforms and report.violations >= 3
    assert "the evidence is the article text" in report.text
    result = run_kg("validate", "--store", str(broken))
    assert result.returncode == 1
    assert "SHACL violation" in result.stderr and "MaxInclusive" in result.stdout
