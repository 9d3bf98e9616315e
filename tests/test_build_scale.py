"""Incremental rebuilds, worker processes and a Dask cluster: the same graph every way, unchanged articles never re-parsed."""

from __future__ import annotations

import importlib
import io
import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg import build, export, iris, open_store
from kg.fragments import HEADER, NOT_ALIASES, body, prepare
from kg.ingest import read_file, read_inputs
from kg.nlp import parse_ahead
from kg.parallel import _extractor
from kg.rdf import PREFIXES, article_quads
from kg.records import Article
from kg.store import load_trig
from tests.conftest import ARTICLES, copy_articles, write_articles

NAMES = ["albania-visit.txt", "bulgaria-gas.txt", "macedonia-montenegro.txt", "batch.jsonl", "no-header.txt"]


def nquads(out: Path) -> list[str]:
    buffer = io.BytesIO()
    export(open_store(out / "store"), "nq", buffer)
    lines = buffer.getvalue().decode("utf-8").splitlines()
    assert len(lines) == len(set(lines)), "duplicate quads"
    return sorted(lines)


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return copy_articles(NAMES, folder)


def test_unchanged_articles_are_reused_and_the_graph_is_identical(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build([inputs], out, page=False)
    assert first.skipped == 0 and first.articles == 7
    before = nquads(out)
    second = build([inputs], out, page=False)
    assert second.skipped == 7 and second.articles == 7
    assert nquads(out) == before
    assert json.loads((out / "summary.json").read_text())["articles_reused"] == 7


def test_changed_and_deleted_articles_match_a_clean_build(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([inputs], out, page=False)
    changed = inputs / "bulgaria-gas.txt"
    changed.write_text(changed.read_text() + "\nIlham Aliyev visited Montenegro on 3 March 2023.\n")
    (inputs / "no-header.txt").unlink()
    report = build([inputs], out, page=False)
    assert report.skipped == 5 and report.removed == 1  # albania, macedonia, three JSONL lines reused
    fragments = sorted(p.name for p in (out / ".fragments").iterdir())
    assert len(fragments) == 6  # one per article version in the graph: the old bulgaria-gas and no-header are gone
    clean = tmp_path / "clean"
    build([inputs], clean, page=False)
    assert nquads(out) == nquads(clean)
    assert (out / "extractions.jsonl").read_bytes() == (clean / "extractions.jsonl").read_bytes()
    for name, fmt in (("graph.trig", RdfFormat.TRIG), ("graph.ttl", RdfFormat.TURTLE)):
        assert set(parse(path=out / name, format=fmt)) == set(parse(path=clean / name, format=fmt)), name
    text = "\n".join(nquads(out))
    assert "visited" in text and "Montenegro" in text
    graphs = {g.value for g in open_store(out / "store").named_graphs()}
    assert len([g for g in graphs if "/article/" in g]) == 6


def test_an_entity_keeps_only_the_names_its_remaining_articles_give_it(tmp_path: Path) -> None:
    """An incremental rebuild redescribes an entity from its old names still borne by a mention (not by reading every
    mention of it again): the names only a deleted article gave go, those a new article gives come, as in a clean build."""
    (tmp_path / "in").mkdir()
    folder = write_articles(tmp_path / "in", {
        "first.txt": ("Balkan Wire", "2023-03-04", "Serbian President Aleksandar Vucic met Ilham Aliyev in Baku on 3 March 2023. Vucic praised the talks."),
        "second.txt": ("Caspian Daily", "2023-05-05", "President Aleksandar Vučić visited Azerbaijan on 4 May 2023."),
    })
    out = tmp_path / "out"
    build([folder], out, page=False)
    vucic = "SELECT ?alias WHERE { GRAPH ?g { ?e <http://www.w3.org/2000/01/rdf-schema#label> \"Aleksandar Vučić\" ; <http://www.w3.org/2004/02/skos/core#altLabel> ?alias } }"
    names = {row["alias"].value for row in open_store(out / "store").query(vucic)}
    assert names == {"Vucic", "Aleksandar Vucic"}
    (folder / "first.txt").unlink()
    write_articles(folder, {"third.txt": ("Balkan Wire", "2023-06-07", "Ilham Aliyev phoned Aleksandar Vucic on 6 June 2023.")})
    report = build([folder], out, page=False)
    assert report.skipped == 1 and report.removed == 1
    after = {row["alias"].value for row in open_store(out / "store").query(vucic)}
    assert after == {"Aleksandar Vucic"}  # "Vucic" went with the first article; the third gives the full name again
    clean = tmp_path / "clean"
    build([folder], clean, page=False)
    assert nquads(out) == nquads(clean)


def test_unchanged_files_are_not_read_again_and_the_outputs_stay_the_same(inputs: Path, tmp_path: Path) -> None:
    past = time.time() - 60  # files modified just before a build are read again (a change in the same clock tick)
    for path in inputs.iterdir():
        os.utime(path, (past, past))
    out = tmp_path / "out"
    first = build([inputs], out, page=False)
    outputs = {name: (out / name).read_bytes() for name in ("graph.trig", "graph.ttl", "extractions.jsonl")}
    second = build([inputs], out, page=False)
    assert first.files_unchanged == 0 and second.files_unchanged == 5  # four .txt files and one .jsonl of three articles
    assert (second.skipped, second.words, second.warnings) == (7, first.words, first.warnings)
    assert {name: (out / name).read_bytes() for name in outputs} == outputs
    assert json.loads((out / "summary.json").read_text())["files_unchanged"] == 5
    changed = inputs / "bulgaria-gas.txt"
    text = changed.read_text()
    changed.write_text(text.replace("511 million", "522 million"))  # the same size: only its time tells the change
    assert len(changed.read_bytes()) == len(text.encode())
    os.utime(changed, (past + 5, past + 5))
    third = build([inputs], out, page=False)
    assert (third.files_unchanged, third.skipped) == (4, 6)
    assert "522" in (out / "extractions.jsonl").read_text()
    shutil.rmtree(out / ".fragments")  # unchanged files whose articles cannot be reused are read in full again
    fourth = build([inputs], out, page=False)
    assert (fourth.files_unchanged, fourth.skipped, fourth.articles) == (5, 0, 7)
    clean = tmp_path / "clean"
    build([inputs], clean, page=False)
    assert nquads(out) == nquads(clean)
    assert (out / "extractions.jsonl").read_bytes() == (clean / "extractions.jsonl").read_bytes()


def test_a_rebuild_with_nothing_to_parse_never_loads_the_pipeline(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build([inputs], out, page=False)
    (inputs / "no-header.txt").unlink()

    def refuse() -> None:
        raise AssertionError("the pipeline was loaded")

    monkeypatch.setattr(importlib.import_module("kg.parallel"), "_extractor", refuse)
    report = build([inputs], out, page=False)
    assert report.removed == 1 and report.skipped == report.articles == 6


def test_a_pipeline_change_re_extracts_everything(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build([inputs], out, page=False)
    monkeypatch.setattr(importlib.import_module("kg.build"), "pipeline_fingerprint", lambda: "sha256:" + "0" * 64)
    assert build([inputs], out, page=False).skipped == 0


def test_the_fingerprint_changes_with_extraction_code_and_data_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("kg.build")
    package = tmp_path / "kg"
    shutil.copytree(Path(module.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(module.resources, "files", lambda _name: package)
    before = module.pipeline_fingerprint()
    for unrelated in ("query.py", "serve.py", "cli.py", "page_assets/page.js", "queries/relations.rq"):
        (package / unrelated).write_text((package / unrelated).read_text() + "\n# edited\n")
    assert module.pipeline_fingerprint() == before
    for shaping in ("relations.py", "data/rules/relations.yaml", "events.py"):
        (package / shaping).write_text((package / shaping).read_text() + "\n# edited\n")
        assert module.pipeline_fingerprint() != before, shaping
        before = module.pipeline_fingerprint()


def test_two_worker_processes_build_the_same_graph(inputs: Path, tmp_path: Path) -> None:
    build(str(inputs), str(tmp_path / "one"), page=False)  # plain strings are paths too
    report = build([inputs], tmp_path / "two", page=False, workers=2)
    assert report.articles == 7
    assert nquads(tmp_path / "one") == nquads(tmp_path / "two")


def test_a_dask_cluster_builds_the_same_graph(inputs: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    build([inputs], tmp_path / "one", page=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1") as cluster:
        report = build([inputs], tmp_path / "dask", page=False, scheduler=cluster.scheduler_address)
    assert report.articles == 7
    assert nquads(tmp_path / "one") == nquads(tmp_path / "dask")


def test_the_parse_ahead_yields_every_document_in_order_and_raises_its_errors_in_the_caller() -> None:
    nlp = spacy.blank("en")
    texts = [(f"Text number {i} is here.", i) for i in range(200)]
    assert [(doc.text, i) for doc, i in parse_ahead(nlp, iter(texts), batch_size=7, depth=3)] == texts

    def failing() -> Iterator[tuple[str, int]]:
        yield from texts[:20]
        raise ValueError("unreadable input 20")

    seen = []
    with pytest.raises(ValueError, match="unreadable input 20"):
        for _, i in parse_ahead(nlp, failing(), batch_size=4):
            seen.append(i)
    assert seen == list(range(20))


def test_a_caller_that_stops_early_stops_the_parse_thread() -> None:
    endless = ((f"Sentence {i}.", i) for i in itertools.count())
    docs = parse_ahead(spacy.blank("en"), endless, batch_size=4, depth=2)
    assert [i for _, i in itertools.islice(docs, 5)] == list(range(5))
    docs.close()
    assert not [t for t in threading.enumerate() if t.name == "kg-parse"]


def test_extracting_while_the_next_articles_are_parsed_changes_nothing() -> None:
    articles = [a for a in read_inputs([ARTICLES]) if isinstance(a, Article)]
    extractor = _extractor()
    assert len(articles) > 5
    assert list(extractor.extract_many(articles, ahead=True)) == list(extractor.extract_many(articles, ahead=False))


def test_article_graphs_load_the_same_in_batches_of_any_size() -> None:
    quads = [
        [Quad(NamedNode(f"{iris.ID}s{i}"), NamedNode(iris.KG + "p"), Literal(f"{i} «ü»"), NamedNode(f"{iris.ID}graph/g{i % 3}"))]
        for i in range(10)
    ]
    blocks = [body(serialize(q, format=RdfFormat.TRIG, prefixes=PREFIXES)) for q in quads]
    assert all(b"@prefix" not in block and b"kgid:" in block for block in blocks)  # only the header declares prefixes
    for size in (1, 150, 1 << 20):
        store = Store()
        load_trig(store, HEADER, iter(blocks), batch_bytes=size)
        assert sorted(map(str, store)) == sorted(str(q) for qs in quads for q in qs)


def test_an_article_graph_travels_whole_in_its_trig_block() -> None:
    """A worker sends back no N-Quads copy of the graph: the store loads it from the fragment's TriG block."""
    article = next(a for a in read_file(ARTICLES / "bulgaria-gas.txt") if isinstance(a, Article))
    extraction = _extractor().extract(article)
    sources = (article.source,)
    prepared = prepare(extraction, sources)
    store = Store()
    load_trig(store, HEADER, [prepared.fragment.trig])
    assert set(store) == set(article_quads(extraction, sources)) and len(store) > 50
    assert prepared.words == len(article.text.split()) and prepared.entities == extraction.entities
    assert {text for _, text in prepared.aliases} == {m.text for m in extraction.mentions if m.how not in NOT_ALIASES}


def test_articles_fixture_folder_is_untouched() -> None:
    assert (ARTICLES / "bulgaria-gas.txt").read_text().count("Montenegro on 3 March 2023") == 0


def test_events_and_the_page_are_made_with_the_garbage_collector_paused_and_it_resumes(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    module = importlib.import_module("kg.build")
    page = importlib.import_module("kg.page")
    seen: dict[str, list[bool]] = {"events": [], "page": []}
    resolve, interval = module.resolve_events, page._interval

    def resolving(*args: object) -> Iterator[object]:
        for event in resolve(*args):
            seen["events"].append(gc.isenabled())
            yield event

    monkeypatch.setattr(module, "resolve_events", resolving)
    monkeypatch.setattr(page, "_interval", lambda date: seen["page"].append(gc.isenabled()) or interval(date))
    build([inputs], tmp_path / "out")
    assert seen["events"] and seen["page"] and not any(seen["events"] + seen["page"])
    assert gc.isenabled()
