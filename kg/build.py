"""Build: the orchestration of the flow, from files to a committed store and its outputs."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kg import iris
from kg.export import export
from kg.ingest import DEFAULT_MAX_BYTES, read_inputs
from kg.outputs import atomic_write
from kg.rdf import article_quads, entity_quads
from kg.records import Article, Entity, Extraction, Failure
from kg.store import build_lock, open_store, write_store

OUTPUTS = {"trig": "graph.trig", "ttl": "graph.ttl", "jsonl": "extractions.jsonl"}


@dataclass
class BuildReport:
    """What a build did: counts for the summary, the failures and warnings for the log."""

    out_dir: Path
    articles: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    relations_by_predicate: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    words: int = 0

    @property
    def ok(self) -> bool:
        """Whether at least one article was built."""
        return self.articles > 0

    def summary(self) -> dict:
        """The summary.json content."""
        return {
            "articles_read": self.articles,
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
            "outputs": {k: str(self.out_dir / v) for k, v in {**OUTPUTS, "html": "graph.html", "store": "store"}.items()},
        }


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


def build(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    min_confidence: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[str], None] | None = None,
    page: bool = True,
) -> BuildReport:
    """Build the graph of every article under `paths` into `out_dir` (store, TriG, Turtle, JSONL, page, summary)."""
    from kg.extract import Extractor

    started = time.perf_counter()
    report = BuildReport(out_dir=out_dir)
    with build_lock(out_dir):
        extractor = Extractor()
        sources: dict[str, list[str]] = {}
        extractions: list[Extraction] = []
        for extraction in extractor.extract_many(_unique_articles(read_inputs(paths, max_bytes, exclude=out_dir), report, sources), min_confidence):
            extractions.append(extraction)
            report.articles += 1
            report.words += len(extraction.article.text.split())
            if progress:
                progress(extraction.article.source)
        for failure in report.failures:
            if progress:
                progress(failure.source)
        if not extractions:
            report.seconds = time.perf_counter() - started
            return report
        quads = _quads(extractions, sources, report)
        report.quads = len(quads)
        store_path = write_store(out_dir, quads)
        store = open_store(store_path)
        for fmt, name in OUTPUTS.items():
            with atomic_write(out_dir / name) as handle:
                export(store, fmt, handle)
        if page:
            from kg.page_data import page_data
            from kg.page import write_page

            write_page(page_data(store), out_dir / "graph.html")
        report.seconds = time.perf_counter() - started
        with atomic_write(out_dir / "summary.json") as handle:
            handle.write(json.dumps(report.summary(), indent=2, ensure_ascii=False).encode("utf-8"))
    return report


def _quads(extractions: list[Extraction], sources: dict[str, list[str]], report: BuildReport) -> list[Quad]:
    quads: list[Quad] = []
    entities: dict[str, Entity] = {}
    aliases: dict[str, set[str]] = defaultdict(set)
    types: Counter[str] = Counter()
    predicates: Counter[str] = Counter()
    for extraction in extractions:
        quads.extend(article_quads(extraction, tuple(sources[iris.article_iri(extraction.article)])))
        for entity in extraction.entities:
            entities.setdefault(entity.iri, entity)
        for m in extraction.mentions:
            if m.how != "demonym":
                aliases[m.entity.iri].add(m.text)
        predicates.update(r.predicate for r in extraction.relations)
    for e_iri, entity in sorted(entities.items()):
        types[entity.type] += 1
        quads.extend(entity_quads(entity, aliases.get(e_iri, set())))
    report.entities_by_type = dict(types)
    report.relations_by_predicate = dict(predicates)
    return quads
