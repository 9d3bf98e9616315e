"""Fragments: each article's share of the whole-graph outputs, rendered once and reused while the article is unchanged.

An article's named graph is rendered as a TriG block, as Turtle (without the direct triples, which several articles
may state and the union states once) and as its JSONL records. Fragments are rendered where the article is parsed
(in a worker, in parallel) and kept in `out/.fragments/`, one immutable file per article version; the TriG, Turtle
and JSONL outputs are assembled from them, so a rebuild rewrites those files without serialising again the
articles it did not parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

from kg import iris
from kg.export import Description, article_records, descriptions
from kg.rdf import PREFIXES, article_quads
from kg.records import PREDICATES, Entity, Extraction

FOLDER = ".fragments"
DIRECT = frozenset(NamedNode(iris.predicate_iri(p)) for p in PREDICATES)  # the predicates of the direct triples
_SHARED = tuple(NamedNode(g) for g in (iris.ENTITIES_GRAPH, iris.EVENTS_GRAPH, iris.BUILD_GRAPH))  # the graphs not of articles
_DIRECT_TRIPLES = (
    "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?p { "
    + " ".join(f"<{iris.predicate_iri(p)}>" for p in PREDICATES) + " } GRAPH ?g { ?s ?p ?o } } }"
)  # each direct triple once: several articles may state it, so the article fragments leave them out
NOT_ALIASES = frozenset({"demonym", "title"})  # mentions linked this way do not name their entity (no alias)
HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()).encode()


@dataclass(frozen=True)
class Fragment:
    """One article graph as a TriG block, Turtle without the direct triples, and JSONL records."""

    trig: bytes
    ttl: bytes
    jsonl: bytes
    described: tuple[tuple[str, Description], ...]  # the entity descriptions the JSONL records were written with


@dataclass(frozen=True)
class Prepared:
    """What a worker sends back for one article: its graph and fragment, and what the build keeps of its extraction
    (about a third of the size the extraction and an N-Quads copy of the graph made)."""

    a_iri: str  # the article's IRI, also its graph's name
    source: str
    words: int  # in the article's body
    entities: tuple[Entity, ...]
    aliases: tuple[tuple[str, str], ...]  # (entity IRI, surface form) of the mentions that name their entity
    direct: tuple[tuple[str, str, str], ...]  # its direct triples (subject, predicate, object)
    fragment: Fragment  # its `trig` is also what the store loads: as fast to load as N-Quads, a fifth of the size


def direct_triples(quads: Iterable[Quad]) -> Iterator[tuple[str, str, str]]:
    """The direct triples among quads (the predicates of PREDICATES), as (subject, predicate, object) values."""
    return ((q.subject.value, q.predicate.value, q.object.value) for q in quads if q.predicate in DIRECT)


def body(data: bytes) -> bytes:
    """Serialised Turtle or TriG without its leading @prefix lines (the assembled file declares them once)."""
    lines = data.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    return b"".join(lines[start:])


def render(a_iri: str, quads: list[Quad], described: Mapping[str, Description]) -> Fragment:
    """The fragment of one article graph; `described` gives the label, type and Wikidata id of its entities."""
    trig = body(serialize(quads, format=RdfFormat.TRIG, prefixes=PREFIXES))
    ttl = body(serialize([q.triple for q in quads if q.predicate not in DIRECT], format=RdfFormat.TURTLE, prefixes=PREFIXES))
    records = article_records(a_iri, quads, described)
    jsonl = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
    used = {r["iri"] for r in records if r["kind"] == "entity"} | {
        iri for r in records if r["kind"] == "relation" for iri in (r["subject_iri"], r["object_iri"])
    }
    return Fragment(trig, ttl, jsonl, tuple(sorted((iri, described[iri]) for iri in used)))


def prepare(extraction: Extraction, sources: tuple[str, ...]) -> Prepared:
    """The article graph of an extraction and its fragment, described by the extraction's own entity records."""
    article = extraction.article
    a_iri = iris.article_iri(article)
    quads = article_quads(extraction, sources)
    described = {e.iri: Description(e.label, e.type, e.wikidata) for e in extraction.entities}
    aliases = tuple(dict.fromkeys((m.entity.iri, m.text) for m in extraction.mentions if m.how not in NOT_ALIASES))
    return Prepared(a_iri, article.source, len(article.text.split()), extraction.entities, aliases,
                    tuple(direct_triples(quads)), render(a_iri, quads, described))


class FragmentCache:
    """The fragments of an output folder, one file per article version, named by a hash of what shaped it."""

    def __init__(self, out_dir: Path) -> None:
        self.folder = out_dir / FOLDER
        self.used: set[str] = set()

    @staticmethod
    def key(a_iri: str, content_hash: str, sources: tuple[str, ...], fingerprint: str) -> str:
        """The name of an article version's fragment."""
        return hashlib.sha256("\x1f".join((a_iri, content_hash, fingerprint, *sorted(sources))).encode()).hexdigest()

    def has(self, key: str) -> bool:
        """Whether the fragment is there (and then kept by prune)."""
        present = (self.folder / key).is_file()
        if present:
            self.used.add(key)
        return present

    def put(self, key: str, fragment: Fragment) -> None:
        """Write a fragment (a header line of JSON, then the three blobs), atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        head = {"trig": len(fragment.trig), "ttl": len(fragment.ttl), "jsonl": len(fragment.jsonl), "described": fragment.described}
        tmp = self.folder / f".{key}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
            handle.write(fragment.trig + fragment.ttl + fragment.jsonl)
        os.replace(tmp, self.folder / key)
        self.used.add(key)

    def get(self, key: str) -> Fragment:
        """Read a fragment written by put."""
        with open(self.folder / key, "rb") as handle:
            head = json.loads(handle.readline())
            trig, ttl, jsonl = handle.read(head["trig"]), handle.read(head["ttl"]), handle.read(head["jsonl"])
        described = tuple((iri, Description(*d)) for iri, d in head["described"])
        return Fragment(trig, ttl, jsonl, described)

    def prune(self) -> None:
        """Remove the fragments this build did not use, and any a killed build left half-written."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def assemble(store: Store, articles: Iterable[tuple[str, str]], cache: FragmentCache, outputs: Mapping[str, IO[bytes]]) -> None:
    """Write the TriG, Turtle and JSONL outputs from the fragments of `articles` ((article IRI, key) in output order)
    and the store's shared graphs; a fragment written with other entity labels than the store's gets new records."""
    trig, ttl, jsonl = outputs["trig"], outputs["ttl"], outputs["jsonl"]
    trig.write(HEADER)
    ttl.write(HEADER)
    current = descriptions(store)
    for a_iri, key in articles:
        fragment = cache.get(key)
        trig.write(fragment.trig)
        ttl.write(fragment.ttl)
        if all(current.get(iri) == d for iri, d in fragment.described):
            jsonl.write(fragment.jsonl)
        else:
            graph = list(store.quads_for_pattern(None, None, None, NamedNode(a_iri)))
            for record in article_records(a_iri, graph, current):
                jsonl.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    for graph in _SHARED:
        with tempfile.TemporaryFile() as dumped:  # serialised once, copied into both outputs
            store.dump(dumped, RdfFormat.N_TRIPLES, from_graph=graph)  # N-Triples lines are Turtle, valid in TriG
            trig.write(f"<{graph.value}> {{\n".encode())
            dumped.seek(0)
            shutil.copyfileobj(dumped, trig)
            trig.write(b"}\n")
            dumped.seek(0)
            shutil.copyfileobj(dumped, ttl)
    serialize(store.query(_DIRECT_TRIPLES), ttl, RdfFormat.N_TRIPLES)
