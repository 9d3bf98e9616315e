"""The researchers' interactive graph page: one self-contained HTML file.

The page is built from a :class:`PageData` (nodes, relations with evidence and
provenance, and the events that merge reports of one visit, meeting, signing or
accusation across outlets).  pyvis builds the vis-network node/edge lists (one edge per pair of
entities, whatever the number of relations between them) and supplies the
vis-network library inline (``cdn_resources="in_line"``); the page itself is our
own jinja2 template with its JavaScript and CSS in ``kg/page_assets/``.

Every string that comes from an article is untrusted: the data travel as one JSON
block (``<script type="application/json" id="kg-data">``) with ``<``, ``>``,
``&``, U+2028 and U+2029 escaped, and the page's JavaScript only ever puts them
into the DOM as text.

This module depends only on pyvis, jinja2 and the standard library.
"""

from __future__ import annotations

import calendar
import functools
import json
import math
import re
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from kg.collector import collector_paused
from kg.outputs import atomic_write
from kg.records import ENTITY_TYPES, PREDICATES
from kg.text import fold

__all__ = [
    "ENTITY_TYPES",
    "PREDICATES",
    "PageData",
    "PageEvent",
    "PageNode",
    "PageRelation",
    "PageSource",
    "date_interval",
    "normalize_label",
    "render_page",
    "select",
    "write_page",
]

# Colour (fill, border) and vis-network shape of each entity type.  Shapes are
# ones that draw the label *below* the node so that sizes stay comparable.
_TYPE_STYLE: dict[str, dict[str, str]] = {
    "State": {"color": "#2563eb", "border": "#1e40af", "shape": "hexagon"},
    "Person": {"color": "#e11d48", "border": "#9f1239", "shape": "dot"},
    "Organization": {"color": "#059669", "border": "#065f46", "shape": "square"},
    "Infrastructure": {"color": "#d97706", "border": "#92400e", "shape": "triangle"},
    "Agreement": {"color": "#7c3aed", "border": "#5b21b6", "shape": "diamond"},
    "Place": {"color": "#0891b2", "border": "#155e75", "shape": "star"},
}
_OTHER_STYLE = {"color": "#64748b", "border": "#334155", "shape": "dot"}

_VIS_LIBRARY = "pyvis/lib/vis-9.1.2/vis-network.min.js"
_VIS_CSS = "pyvis/lib/vis-9.1.2/vis-network.css"
_MAX_STABILIZATION_ITERATIONS = 600


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PageNode:
    id: str  # entity IRI
    label: str  # canonical label (UNTRUSTED text from articles)
    type: str  # one of State, Person, Organization, Infrastructure, Agreement, Place
    wikidata: str | None  # "Q403" or None


@dataclass(frozen=True)
class PageSource:
    article: str  # article IRI
    outlet: str | None
    title: str | None
    published: str | None  # ISO date
    url: str | None  # may be None or a hostile string; only http(s) URLs may become links


@dataclass(frozen=True)
class PageRelation:
    id: str  # statement IRI
    subject: str  # entity IRI (a PageNode id)
    predicate: str
    object: str  # entity IRI
    date: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    confidence: float
    evidence: str  # the sentence (UNTRUSTED)
    span_start: int  # offsets of the supporting span WITHIN `evidence`
    span_end: int
    qualifiers: dict[str, str] = field(hash=False)
    source: PageSource


@dataclass(frozen=True)
class PageEvent:
    id: str  # event IRI
    predicate: str
    agent: str  # label of the event's agent (UNTRUSTED)
    target: str  # label of its target (UNTRUSTED); for a visit, the state visited
    date: str | None  # the agreed date
    reported_dates: tuple[str, ...]  # every date a report gives
    conflict: bool  # the reports' dates disagree
    corroboration: int  # distinct outlets reporting it
    confidence: float  # combined confidence of its reports
    reports: tuple[str, ...]  # statement IRIs (PageRelation ids); some may be outside the page's selection


@dataclass(frozen=True)
class PageData:
    nodes: tuple[PageNode, ...]
    relations: tuple[PageRelation, ...]
    title: str = "kg graph"
    events: tuple[PageEvent, ...] = ()


# ------------------------------------------------------------------------ helpers

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_interval(value: str) -> tuple[str, str]:
    """The closed ISO-day interval a "YYYY", "YYYY-MM" or "YYYY-MM-DD" date denotes; ValueError if malformed."""
    m = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"not a YYYY, YYYY-MM or YYYY-MM-DD date: {value!r}")
    year, month, day = int(m[1]), m[2], m[3]
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    mon = int(month)
    if not 1 <= mon <= 12:
        raise ValueError(f"month out of range in date {value!r}")
    last = calendar.monthrange(year, mon)[1]
    if day is None:
        return f"{year:04d}-{mon:02d}-01", f"{year:04d}-{mon:02d}-{last:02d}"
    d = int(day)
    if not 1 <= d <= last:
        raise ValueError(f"day out of range in date {value!r}")
    iso = f"{year:04d}-{mon:02d}-{d:02d}"
    return iso, iso


@functools.lru_cache(maxsize=65536)  # a corpus has far fewer distinct dates than relations
def _interval(date: str | None) -> tuple[str, str] | None:
    """Interval of a date, or None when undated (or the date is malformed)."""
    if not date:
        return None
    try:
        return date_interval(date)
    except ValueError:
        return None


def normalize_label(text: str) -> str:
    """Case- and accent-insensitive form of a label."""
    return " ".join(fold(text).casefold().split())


def _undirected_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


# ------------------------------------------------------------------------- select


def select(
    data: PageData,
    *,
    focus: str | None = None,
    depth: int = 1,
    since: str | None = None,
    until: str | None = None,
    predicates: Sequence[str] | None = None,
    min_confidence: float = 0.0,
) -> PageData:
    """The sub-graph kept by the filters, then (if ``focus``) the focus's neighbourhood up to ``depth``.

    Filters: ``predicates`` (None = all), ``min_confidence`` (inclusive) and the date
    window [since, until]: a partial date ("2022", "2022-06") stands for the interval it
    denotes and a relation is kept when its interval overlaps the window; undated
    relations are kept only when neither ``since`` nor ``until`` is given.  ``focus`` is a
    node label matched case- and accent-insensitively (or a node id); the neighbourhood
    is the sub-graph induced by the nodes within ``depth`` hops of it over the relations
    that passed the filters.  Nodes left without relations are dropped, except the focus.
    Events are kept when one of their reports is, with all their reports named.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    lo = date_interval(since)[0] if since is not None else None
    hi = date_interval(until)[1] if until is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"since ({since}) is after until ({until})")
    wanted = None if predicates is None else set(predicates)

    def keep(rel: PageRelation) -> bool:
        if wanted is not None and rel.predicate not in wanted:
            return False
        if rel.confidence < min_confidence:
            return False
        if lo is None and hi is None:
            return True
        iv = _interval(rel.date)
        if iv is None:
            return False
        return (lo is None or iv[1] >= lo) and (hi is None or iv[0] <= hi)

    relations = [r for r in data.relations if keep(r)]
    focus_ids: set[str] = set()
    if focus is not None:
        key = normalize_label(focus)
        focus_ids = {n.id for n in data.nodes if n.id == focus or normalize_label(n.label) == key}
        if not focus_ids:
            near = sorted({n.label for n in data.nodes if key and key in normalize_label(n.label)})
            hint = f"; did you mean one of: {', '.join(repr(x) for x in near[:5])}?" if near else ""
            raise ValueError(f"no node labelled {focus!r} in the graph{hint}")
        adjacency: dict[str, set[str]] = defaultdict(set)
        for r in relations:
            adjacency[r.subject].add(r.object)
            adjacency[r.object].add(r.subject)
        reached = set(focus_ids)
        frontier = deque((n, 0) for n in focus_ids)
        while frontier:
            node, dist = frontier.popleft()
            if dist == depth:
                continue
            for nxt in adjacency[node]:
                if nxt not in reached:
                    reached.add(nxt)
                    frontier.append((nxt, dist + 1))
        relations = [r for r in relations if r.subject in reached and r.object in reached]

    used = {r.subject for r in relations} | {r.object for r in relations} | focus_ids
    nodes = tuple(n for n in data.nodes if n.id in used)
    kept = {r.id for r in relations}
    events = tuple(e for e in data.events if kept.intersection(e.reports))
    return PageData(nodes=nodes, relations=tuple(relations), title=data.title, events=events)


# ------------------------------------------------------------------------- render


def _validate(data: PageData) -> None:
    ids: set[str] = set()
    for n in data.nodes:
        if n.id in ids:
            raise ValueError(f"duplicate node id {n.id!r}")
        ids.add(n.id)
    for r in data.relations:
        for end in (r.subject, r.object):
            if end not in ids:
                raise ValueError(f"relation {r.id!r} refers to unknown node {end!r}")
        if not (0 <= r.span_start <= r.span_end <= len(r.evidence)):
            raise ValueError(
                f"relation {r.id!r}: span [{r.span_start}, {r.span_end}) outside its evidence "
                f"of length {len(r.evidence)}"
            )
        if not math.isfinite(r.confidence):
            raise ValueError(f"relation {r.id!r}: confidence {r.confidence!r} is not finite")
    reported: set[str] = set()
    for e in data.events:
        if e.corroboration < 1 or not math.isfinite(e.confidence):
            raise ValueError(f"event {e.id!r}: corroboration {e.corroboration!r} or confidence {e.confidence!r} invalid")
        if reported.intersection(e.reports):
            raise ValueError(f"event {e.id!r}: a report already belongs to another event")
        reported.update(e.reports)


def _vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    # bounded: about 600 iterations for small graphs, fewer as the graph grows
    iterations = max(100, min(_MAX_STABILIZATION_ITERATIONS, 150 + 2 * n_nodes, 300_000 // max(1, n_nodes)))
    face = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 150},
        "nodes": {
            "borderWidth": 2,
            "borderWidthSelected": 3,
            "font": {"size": 14, "face": face, "color": "#0f172a", "strokeWidth": 4, "strokeColor": "#ffffff"},
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
            "color": {"color": "#9aa8bd", "highlight": "#0f172a", "hover": "#475569", "inherit": False},
            "font": {
                "size": 11,
                "face": face,
                "color": "#475569",
                "strokeWidth": 0,
                "background": "rgba(246,247,249,0.92)",
                "align": "horizontal",
                "multi": False,
            },
            "arrows": {"to": {"enabled": False, "scaleFactor": 0.6}, "from": {"enabled": False, "scaleFactor": 0.6}},
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.01,
                "springLength": 190,
                "springConstant": 0.06,
                "damping": 0.5,
                "avoidOverlap": 0.6,
            },
            "maxVelocity": 60,
            "minVelocity": 0.75,
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": False},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n_edges > 800,
            "hideEdgesOnZoom": n_edges > 2000,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
    }


def _build_network(data: PageData) -> tuple[Network, dict[tuple[str, str], str], dict[str, int]]:
    """pyvis network: one node per entity, one edge per unordered pair of entities."""
    degree: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], list[PageRelation]] = {}
    for r in data.relations:
        degree[r.subject] += 1
        if r.object != r.subject:
            degree[r.object] += 1
        pairs.setdefault(_undirected_pair(r.subject, r.object), []).append(r)

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for n in data.nodes:
        style = _TYPE_STYLE.get(n.type, _OTHER_STYLE)
        deg = degree.get(n.id, 0)
        net.add_node(
            n.id,
            label=n.label,
            shape=style["shape"],
            color={
                "background": style["color"],
                "border": style["border"],
                "highlight": {"background": style["color"], "border": "#0f172a"},
                "hover": {"background": style["color"], "border": "#0f172a"},
            },
            size=round(min(42.0, 11.0 + 5.0 * math.sqrt(deg)), 1),
        )
    edge_ids: dict[tuple[str, str], str] = {}
    for i, (pair, rels) in enumerate(pairs.items()):
        a, b = pair
        edge_id = f"e{i}"
        edge_ids[pair] = edge_id
        # Direction, label and width are recomputed by the page from the relations
        # that pass its filters; these are the values for the unfiltered graph.
        net.add_edge(a, b, id=edge_id, arrows="", width=1.5, label="", relations=len(rels))
    net.options = _vis_options(len(data.nodes), len(pairs))
    return net, edge_ids, dict(degree)


def _source_payload(s: PageSource) -> dict[str, Any]:
    return {"article": s.article, "outlet": s.outlet, "title": s.title, "published": s.published, "url": s.url}


def _events_payload(events: Sequence[PageEvent], relation_index: dict[str, int]) -> list[dict[str, Any]]:
    """The events with a report on the page; reports as relation indices, those outside the page counted."""
    out = []
    for e in events:
        reports = [relation_index[s] for s in e.reports if s in relation_index]
        if not reports:
            continue
        iv = _interval(e.date)
        out.append(
            {
                "id": e.id,
                "p": e.predicate,
                "agent": e.agent,
                "target": e.target,
                "date": e.date,
                "d0": iv[0] if iv else None,
                "dates": list(e.reported_dates),
                "conflict": e.conflict,
                "n": e.corroboration,
                "conf": float(e.confidence),
                "reports": reports,
                "elsewhere": len(e.reports) - len(reports),
            }
        )
    return out


def _payload(data: PageData) -> dict[str, Any]:
    """The page's data; its `relations` an iterator, written one record at a time."""
    _validate(data)
    net, edge_ids, degree = _build_network(data)
    present_types = {n.type for n in data.nodes}
    types = [t for t in ENTITY_TYPES] + sorted(present_types - set(ENTITY_TYPES))
    present_preds = {r.predicate for r in data.relations}
    preds = [p for p in PREDICATES if p in present_preds] + sorted(present_preds - set(PREDICATES))
    node_index = {n.id: i for i, n in enumerate(data.nodes)}
    relation_index = {r.id: i for i, r in enumerate(data.relations)}
    events = _events_payload(data.events, relation_index)
    event_of = {i: k for k, e in enumerate(events) for i in e["reports"]}

    stops = {r.date: iv for r in data.relations if (iv := _interval(r.date)) is not None}
    date_stops = [
        {"d": d, "d0": iv[0], "d1": iv[1]} for d, iv in sorted(stops.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
    ]

    def relations() -> Iterator[dict[str, Any]]:
        for i, r in enumerate(data.relations):
            iv = _interval(r.date)
            ev = r.evidence
            yield {
                "id": r.id,
                "s": node_index[r.subject],
                "o": node_index[r.object],
                "p": r.predicate,
                "date": r.date,
                "d0": iv[0] if iv else None,
                "d1": iv[1] if iv else None,
                "conf": float(r.confidence),
                # split here, in code points, so that the page never has to slice
                # (JavaScript strings are UTF-16)
                "ev": [ev[: r.span_start], ev[r.span_start : r.span_end], ev[r.span_end :]],
                "q": [[str(k), str(v)] for k, v in r.qualifiers.items()],
                "src": _source_payload(r.source),
                "edge": edge_ids[_undirected_pair(r.subject, r.object)],
                "event": event_of.get(i),
            }

    vis_nodes = []
    for vis_node, n in zip(net.nodes, data.nodes, strict=True):
        vis_nodes.append(
            {
                "id": n.id,
                "label": n.label,
                "type": n.type,
                "wikidata": n.wikidata,
                "degree": degree.get(n.id, 0),
                "vis": vis_node,
            }
        )
    return {
        "title": data.title,
        "types": [
            {"name": t, **_TYPE_STYLE.get(t, _OTHER_STYLE), "count": sum(1 for n in data.nodes if n.type == t)}
            for t in types
        ],
        "predicates": [{"name": p, "count": sum(1 for r in data.relations if r.predicate == p)} for p in preds],
        "nodes": vis_nodes,
        "edges": net.edges,
        "relations": relations(),  # one record at a time: the page's largest part is never held whole
        "events": events,
        "dates": date_stops,
        "options": net.options,
    }


_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element: no `<`, `>`, `&`, U+2028 or U+2029 left raw."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES:  # str.replace scans at C speed; str.translate goes character by character
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _load_asset(name: str) -> tuple[str, str, Any] | None:
    """Our static assets (kg/page_assets/), read with importlib.resources so they work from a wheel."""
    resource = resources.files(__package__ or "kg").joinpath("page_assets", name)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8"), f"kg/page_assets/{name}", lambda: True


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """Templates "kg/<asset>" (ours) and "pyvis/<file>" (pyvis's templates dir, for the inline vis-network library)."""
    pyvis_templates = Path(pyvis.__file__).resolve().parent / "templates"
    return jinja2.Environment(
        loader=jinja2.PrefixLoader(
            {"kg": jinja2.FunctionLoader(_load_asset), "pyvis": jinja2.FileSystemLoader(str(pyvis_templates))}
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _write_page(data: PageData, write: Callable[[str], object]) -> None:
    """Write the page piece by piece: the template around the data, the data one top-level value (and one relation)
    at a time, so that memory holds neither the page nor its JSON whole."""
    with collector_paused():  # a dict and a string per relation, no cycle: collections would only scan the heap
        payload = _payload(data)
        template = _environment().get_template("kg/template.html")
        slot = f"kg-data-{secrets.token_hex(16)}"  # where the data goes: a mark no title can hold
        html = template.render(title=data.title, cdn_resources="in_line", vis_library=_VIS_LIBRARY, vis_css=_VIS_CSS, kg_data=Markup(slot))
        head, _, tail = html.partition(slot)
        write(head)
        write("{")
        for n, (key, value) in enumerate(payload.items()):
            write(("," if n else "") + _script_json(key) + ":")
            if isinstance(value, Iterator):
                write("[")
                for i, item in enumerate(value):
                    write(("," if i else "") + _script_json(item))
                write("]")
            else:
                write(_script_json(value))
        write("}")
        write(tail)


def render_page(data: PageData) -> str:
    """The complete, self-contained HTML page for ``data`` (no external resource of any kind)."""
    parts: list[str] = []
    _write_page(data, parts.append)
    return "".join(parts)


def write_page(data: PageData, path: Path) -> None:
    """Write the page to ``path`` atomically (temporary file in the same directory, then renamed); creates the directory."""
    with atomic_write(Path(path)) as handle:
        _write_page(data, lambda text: handle.write(text.encode("utf-8")))
