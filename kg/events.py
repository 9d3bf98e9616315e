"""Events: reports of one real-world event, from many articles, merged into one kg:Event node.

Runs over a filled store after the article graphs are in it, so it is deterministic and sees every article,
old and new: a new article's report joins the event it describes at the next build.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iris
from kg.lexicon import load_data
from kg.rdf import RDF, SCHEMA, XSD, A, date_literal, decimal_literal, kg
from kg.records import SYMMETRIC
from kg.store import first_object

EVENTS_GRAPH = iris.EVENTS_GRAPH
_SUBJECT = NamedNode(RDF + "subject")
_PREDICATE = NamedNode(RDF + "predicate")
_OBJECT = NamedNode(RDF + "object")
_DATE = NamedNode(iris.KG + "date")
_CONFIDENCE = NamedNode(iris.KG + "confidence")
_ARTICLE_FIELDS = (iris.KG + "outlet", SCHEMA + "datePublished")

@dataclass(frozen=True)
class Report:
    """One statement read as a report of an event."""

    statement: str
    predicate: str
    subject: str
    object: str  # the state, for a place that lies in one
    date: str | None
    confidence: float
    article: str
    outlet: str
    published: str | None = None


@dataclass(frozen=True)
class Event:
    """Reports merged into one event, with its agreed date and how well it is corroborated."""

    iri: str
    predicate: str
    participants: tuple[str, str]
    reports: tuple[Report, ...]
    date: str | None
    dates: tuple[str, ...]
    conflict: bool
    outlets: int
    confidence: float


@functools.cache
def _config() -> dict:
    return load_data("rules/events.yaml")


@functools.lru_cache(maxsize=1 << 16)
def _bounds(value: str) -> tuple[dt.date, dt.date]:
    year = int(value[:4])
    if len(value) == 4:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(value[5:7])
    if len(value) == 7:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return dt.date(year, month, 1), nxt - dt.timedelta(days=1)
    day = dt.date.fromisoformat(value)
    return day, day


@functools.lru_cache(maxsize=1 << 16)
def _days(value: str) -> tuple[int, int]:
    first, last = _bounds(value)
    return first.toordinal(), last.toordinal()


def agreed_date(dates: list[str]) -> tuple[str | None, bool]:
    """The most precise date consistent with all reports; on a conflict the most reported (earliest on a tie)."""
    if not dates:
        return None, False
    precise = max(len(d) for d in dates)
    candidates = Counter(d for d in dates if len(d) == precise)
    best = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    conflict = any(not (d.startswith(best[: len(d)]) or best.startswith(d)) for d in dates)
    return best, conflict


class _Span:
    """The day bounds of a cluster's dated reports, kept as reports join, so that whether a date is compatible with
    every one of them is a test of four numbers, not of each member. Two dates are compatible when one contains the
    other, or when two days lie within the window."""

    __slots__ = ("end_days", "end_other", "start_days", "start_other", "first", "last")

    def __init__(self) -> None:
        inf = float("inf")
        self.end_days = self.end_other = self.first = inf  # the smallest last day (of day dates / of the others), first day
        self.start_days = self.start_other = self.last = -inf  # the largest first day (of day dates / of the others), last day

    def admits(self, date: str, window: int) -> bool:
        """Whether `date` is compatible with every date in the cluster: a0 <= b1 + slack and b0 <= a1 + slack for each
        member's bounds (b0, b1), the slack being the window between two day dates and 0 otherwise."""
        a0, a1 = _days(date)
        slack = window if len(date) == 10 else 0  # a window between two day dates only
        return a0 <= min(self.end_days + slack, self.end_other) and max(self.start_days - slack, self.start_other) <= a1

    def add(self, date: str) -> None:
        b0, b1 = _days(date)
        if len(date) == 10:
            self.end_days, self.start_days = min(self.end_days, b1), max(self.start_days, b0)
        else:
            self.end_other, self.start_other = min(self.end_other, b1), max(self.start_other, b0)
        self.first, self.last = min(self.first, b0), max(self.last, b1)

    def recent(self, published: str) -> bool:
        """Whether an article published on `published` can report this event without dating it (within 31 days)."""
        day = dt.date.fromisoformat(published).toordinal()
        return self.first <= day <= self.last + 31


def _cluster(reports: list[Report], window: int) -> list[list[Report]]:
    dated = sorted((r for r in reports if r.date), key=lambda r: (_bounds(r.date)[0], r.statement))  # type: ignore[arg-type]
    clusters: list[tuple[list[Report], _Span]] = []
    for r in dated:
        home = next((c for c in clusters if c[1].admits(r.date, window)), None)  # type: ignore[arg-type]
        if home is None:
            home = ([], _Span())
            clusters.append(home)
        home[0].append(r)
        home[1].add(r.date)  # type: ignore[arg-type]
    alone: list[Report] = []
    for r in (r for r in reports if not r.date):
        home = [c for c, span in clusters if r.published and span.recent(r.published)]
        if len(home) == 1:
            home[0].append(r)  # an undated report in an article published just after the event
        else:
            alone.append(r)
    result = [c for c, _ in clusters]
    if alone:
        result.append(alone)
    return result


Group = tuple[str, str, str]  # (predicate IRI, subject, object): the reports that can be one event; symmetric pairs sorted


def _located(store: Store) -> dict[str, str]:
    query = f"SELECT ?p ?s WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?p <{iris.KG}locatedIn> ?s }} }}"
    return {row["p"].value: row["s"].value for row in store.query(query)}


def _group(predicate: str, s: str, o: str, located: dict[str, str]) -> Group:
    name = predicate.rsplit("#", 1)[-1]
    o = located.get(o, o) if name == "visited" else o
    return (predicate, *sorted((s, o))) if name in SYMMETRIC else (predicate, s, o)  # type: ignore[return-value]


def event_groups(store: Store, triples: Iterable[tuple[str, str, str]] | None = None) -> set[Group]:
    """The groups of the given (subject, predicate IRI, object) triples, or of every event relation in the store."""
    wanted = {iris.KG + p for p in _config()["predicates"]}
    located = _located(store)
    if triples is None:
        triples = ((q.subject.value, p, q.object.value) for p in sorted(wanted) for q in store.quads_for_pattern(None, NamedNode(p), None, None))
    return {_group(p, s, o, located) for s, p, o in triples if p in wanted}


def _reports(store: Store, group: Group, places: dict[str, list[str]], articles: dict) -> Iterator[Report]:
    """Every statement of the store in one group, found from its direct triples."""
    predicate, s, o = group
    name = predicate.rsplit("#", 1)[-1]
    pairs = {(s, o), (o, s)} if name in SYMMETRIC else {(s, x) for x in [o, *(places.get(o, []) if name == "visited" else [])]}
    p = NamedNode(predicate)
    for subject, obj in sorted(pairs):
        graphs = {q.graph_name for q in store.quads_for_pattern(NamedNode(subject), p, NamedNode(obj), None)}
        for g in sorted(graphs, key=str):
            article = articles.get(g)
            if article is None:
                article = articles[g] = {f: first_object(store, g, NamedNode(f), g) for f in _ARTICLE_FIELDS}
            for q in store.quads_for_pattern(None, _PREDICATE, p, g):  # an article has few statements of one predicate
                st = q.subject
                if Quad(st, _SUBJECT, NamedNode(subject), g) not in store or Quad(st, _OBJECT, NamedNode(obj), g) not in store:
                    continue
                yield Report(
                    statement=st.value,
                    predicate=name,
                    subject=s if name not in SYMMETRIC else subject,
                    object=o if name not in SYMMETRIC else obj,
                    date=first_object(store, st, _DATE, g),
                    confidence=float(first_object(store, st, _CONFIDENCE, g) or 0.0),
                    article=g.value,
                    outlet=article[iris.KG + "outlet"] or g.value,
                    published=article[SCHEMA + "datePublished"],
                )


def resolve_events(store: Store, groups: set[Group] | None = None) -> Iterator[Event]:
    """The events of the given groups (every group when None), from the store's statements, one group at a time (a
    whole corpus's events are never held at once)."""
    config = _config()
    if groups is None:
        groups = event_groups(store)
    places: dict[str, list[str]] = defaultdict(list)
    for place, state in _located(store).items():
        places[state].append(place)
    articles: dict = {}
    for group in sorted(groups):
        reports = list(_reports(store, group, places, articles))
        predicate, s, o = group[0].rsplit("#", 1)[-1], group[1], group[2]
        for cluster in _cluster(reports, int(config["window_days"])):
            date, conflict = agreed_date([r.date for r in cluster if r.date])
            first = min(r.statement for r in cluster)
            miss = 1.0
            for r in cluster:
                miss *= 1.0 - r.confidence
            yield Event(
                iri=f"{iris.ID}event/{hashlib.sha256(chr(31).join((predicate, s, o, first)).encode()).hexdigest()[:20]}",
                predicate=predicate,
                participants=(s, o),
                reports=tuple(sorted(cluster, key=lambda r: r.statement)),
                date=date,
                dates=tuple(sorted({r.date for r in cluster if r.date})),
                conflict=conflict,
                outlets=len({r.outlet for r in cluster}),
                confidence=round(1.0 - miss, 3),
            )


def remove_events(store: Store, groups: set[Group]) -> None:
    """Remove from the events graph the events of these groups (before they are resolved again)."""
    g = NamedNode(EVENTS_GRAPH)
    for predicate, s, o in groups:
        for q in list(store.quads_for_pattern(None, kg("agent"), NamedNode(s), g)):
            node = q.subject
            if Quad(node, kg("eventType"), NamedNode(predicate), g) in store and Quad(node, kg("target"), NamedNode(o), g) in store:
                for old in list(store.quads_for_pattern(node, None, None, g)):
                    store.remove(old)


def event_quads(events: Iterable[Event]) -> Iterator[Quad]:
    """The events graph: one kg:Event per event, with its participants, date(s) and every report."""
    g = NamedNode(EVENTS_GRAPH)
    for e in events:
        node = NamedNode(e.iri)
        yield Quad(node, A, kg("Event"), g)
        yield Quad(node, kg("eventType"), NamedNode(iris.KG + e.predicate), g)
        yield Quad(node, kg("agent"), NamedNode(e.participants[0]), g)
        yield Quad(node, kg("target"), NamedNode(e.participants[1]), g)
        if e.date:
            yield Quad(node, kg("date"), date_literal(e.date), g)
        for d in e.dates:
            yield Quad(node, kg("reportedDate"), date_literal(d), g)
        if e.conflict:
            yield Quad(node, kg("dateConflict"), Literal("true", datatype=NamedNode(XSD + "boolean")), g)
        yield Quad(node, kg("corroboration"), Literal(str(e.outlets), datatype=NamedNode(XSD + "integer")), g)
        yield Quad(node, kg("confidence"), decimal_literal(e.confidence), g)
        for r in e.reports:
            yield Quad(node, kg("reportedIn"), NamedNode(r.statement), g)
