"""Events: reports of one real-world event, from many articles, merged into one kg:Event node.

Runs over a filled store after the article graphs are in it, so it is deterministic and sees every article,
old and new: a new article's report joins the event it describes at the next build.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iris
from kg.lexicon import load_data
from kg.rdf import PREFIXES, XSD, A, date_literal, kg
from kg.records import SYMMETRIC

EVENTS_GRAPH = iris.ID + "graph/events"

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


def compatible(a: str, b: str, window: int) -> bool:
    """Whether two dates can be one event: one contains the other, or two days lie within `window` days."""
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    slack = dt.timedelta(days=window if len(a) == len(b) == 10 else 0)
    return a0 <= b1 + slack and b0 <= a1 + slack


def agreed_date(dates: list[str]) -> tuple[str | None, bool]:
    """The most precise date consistent with all reports; on a conflict the most reported (earliest on a tie)."""
    if not dates:
        return None, False
    precise = max(len(d) for d in dates)
    candidates = Counter(d for d in dates if len(d) == precise)
    best = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    conflict = any(not (d.startswith(best[: len(d)]) or best.startswith(d)) for d in dates)
    return best, conflict


def _cluster(reports: list[Report], window: int) -> list[list[Report]]:
    dated = sorted((r for r in reports if r.date), key=lambda r: (_bounds(r.date)[0], r.statement))  # type: ignore[arg-type]
    clusters: list[list[Report]] = []
    for r in dated:
        home = next((c for c in clusters if all(compatible(r.date, x.date, window) for x in c if x.date)), None)  # type: ignore[arg-type]
        if home is None:
            clusters.append([r])
        else:
            home.append(r)
    alone: list[Report] = []
    for r in (r for r in reports if not r.date):
        home = [c for c in clusters if r.published and _reports_recent(c, r.published)]
        if len(home) == 1:
            home[0].append(r)  # an undated report in an article published just after the event
        else:
            alone.append(r)
    if alone:
        clusters.append(alone)
    return clusters


def _reports_recent(cluster: list[Report], published: str) -> bool:
    """Whether an article published on `published` can report this event without dating it (within 31 days)."""
    start = min(_bounds(r.date)[0] for r in cluster if r.date)  # type: ignore[arg-type]
    end = max(_bounds(r.date)[1] for r in cluster if r.date)  # type: ignore[arg-type]
    day = dt.date.fromisoformat(published)
    return start <= day <= end + dt.timedelta(days=31)


def resolve_events(store: Store) -> list[Event]:
    """Every event of the store, from its statements of the event predicates."""
    config = _config()
    wanted = {iris.KG + p for p in config["predicates"]}
    located = {
        row["p"].value: row["s"].value
        for row in store.query(f"SELECT ?p ?s WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?p <{iris.KG}locatedIn> ?s }} }}")
    }
    groups: dict[tuple[str, str, str], list[Report]] = defaultdict(list)
    query = """SELECT ?st ?p ?s ?o ?date ?conf ?a ?outlet ?pub WHERE { GRAPH ?a { ?st a kg:Statement ; rdf:predicate ?p ;
        rdf:subject ?s ; rdf:object ?o ; kg:confidence ?conf . OPTIONAL { ?st kg:date ?date } OPTIONAL { ?a kg:outlet ?outlet }
        OPTIONAL { ?a schema:datePublished ?pub } } }"""
    for row in store.query(query, prefixes=PREFIXES):
        p = row["p"].value
        if p not in wanted:
            continue
        predicate = p.rsplit("#", 1)[-1]
        s, o = row["s"].value, row["o"].value
        o = located.get(o, o) if predicate == "visited" else o
        report = Report(
            statement=row["st"].value,
            predicate=predicate,
            subject=s,
            object=o,
            date=row["date"].value if row["date"] is not None else None,
            confidence=float(row["conf"].value),
            article=row["a"].value,
            outlet=row["outlet"].value if row["outlet"] is not None else row["a"].value,
            published=row["pub"].value if row["pub"] is not None else None,
        )
        pair = tuple(sorted((s, o))) if predicate in SYMMETRIC else (s, o)
        groups[(predicate, *pair)].append(report)  # type: ignore[arg-type]
    events: list[Event] = []
    for (predicate, s, o), reports in sorted(groups.items()):
        for cluster in _cluster(reports, int(config["window_days"])):
            date, conflict = agreed_date([r.date for r in cluster if r.date])
            first = min(r.statement for r in cluster)
            miss = 1.0
            for r in cluster:
                miss *= 1.0 - r.confidence
            events.append(
                Event(
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
            )
    return events


def event_quads(events: list[Event]) -> Iterator[Quad]:
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
        yield Quad(node, kg("confidence"), Literal(f"{e.confidence:.3f}", datatype=NamedNode(XSD + "decimal")), g)
        for r in e.reports:
            yield Quad(node, kg("reportedIn"), NamedNode(r.statement), g)
