"""Briefs: a dyad's history as dated lines, each footnoted to the sentences and outlets it rests on."""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Store

from kg.errors import QueryError
from kg.query import run_query


@dataclass(frozen=True)
class Source:
    """One report behind a line: the sentence and where it was published."""

    evidence: str
    outlet: str | None
    title: str | None
    published: str | None
    url: str | None


@dataclass
class Line:
    """One line of a brief, with its footnoted sources."""

    date: str | None
    text: str
    sources: list[Source] = field(default_factory=list)
    note: str = ""


@dataclass
class Brief:
    """A dyad's brief: the timeline, agreements, infrastructure and trade."""

    a: str
    b: str
    timeline: list[Line]
    agreements: list[Line]
    infrastructure: list[Line]
    trade: list[Line]


_STATE = "SELECT ?e ?l ?name WHERE { ?e a kg:State ; rdfs:label ?l . FILTER(LCASE(STR(?l)) = LCASE(STR(?name))) }"
_ACTORS = """SELECT DISTINCT ?x ?state WHERE { { ?x kg:holdsOffice ?state } UNION { ?x kg:locatedIn ?state } }"""
_EVENTS = """
SELECT ?e ?type ?agent ?target ?al ?tl ?date ?n ?conflict WHERE {
  ?e a kg:Event ; kg:eventType ?type ; kg:agent ?agent ; kg:target ?target ; kg:corroboration ?n .
  OPTIONAL { ?e kg:date ?date } OPTIONAL { ?e kg:dateConflict ?conflict }
  ?agent rdfs:label ?al . ?target rdfs:label ?tl }
"""
_REPORTS = """
SELECT ?e ?ev ?outlet ?title ?pub ?url WHERE { ?e kg:reportedIn ?st . GRAPH ?a { ?st kg:evidence ?ev .
  OPTIONAL { ?a kg:outlet ?outlet } OPTIONAL { ?a schema:headline ?title } OPTIONAL { ?a schema:datePublished ?pub }
  OPTIONAL { ?a schema:url ?url } } } ORDER BY ?pub ?outlet
"""
_STATEMENTS = """
SELECT ?s ?p ?o ?ev ?date ?outlet ?title ?pub ?url ?value ?period ?commodity WHERE { GRAPH ?art { ?st a kg:Statement ;
  rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?ev . OPTIONAL { ?st kg:date ?date }
  OPTIONAL { ?st kg:value ?value } OPTIONAL { ?st kg:period ?period } OPTIONAL { ?st kg:commodity ?commodity }
  OPTIONAL { ?art kg:outlet ?outlet } OPTIONAL { ?art schema:headline ?title }
  OPTIONAL { ?art schema:datePublished ?pub } OPTIONAL { ?art schema:url ?url } } } ORDER BY ?date ?pub
"""
_LABEL = "SELECT ?e ?l WHERE { ?e rdfs:label ?l }"
_LINKS = """
SELECT DISTINCT ?a ?b ?i ?il WHERE { ?i a kg:Infrastructure ; rdfs:label ?il ; kg:connects ?x ; kg:connects ?y .
  { ?x kg:locatedIn ?a } UNION { FILTER(?x = ?a) } { ?y kg:locatedIn ?b } UNION { FILTER(?y = ?b) } }
"""
_VERBS = {"visited": "visited", "met": "met", "signed": "signed", "accused": "accused"}


def _rows(store: Store, sparql: str, **params: object) -> list[dict[str, str | None]]:
    result = run_query(store, sparql, params)
    return [dict(zip(result.variables, row)) for row in result.rows]


def _state(store: Store, name: str):  # noqa: ANN202 - (a pyoxigraph NamedNode, the canonical label)
    from pyoxigraph import NamedNode

    rows = _rows(store, _STATE, name=name)
    if not rows:
        raise QueryError(f"no state labelled {name!r} in the graph")
    return NamedNode(rows[0]["e"]), rows[0]["l"]


def _in_range(date: str | None, since: str | None, until: str | None) -> bool:
    if date is None:
        return since is None and until is None
    return (since is None or date[: len(since)] >= since[: len(date)]) and (until is None or date[: len(until)] <= until)


def _sources(rows: list[dict[str, str | None]]) -> list[Source]:
    return list(dict.fromkeys(Source(r["ev"] or "", r.get("outlet"), r.get("title"), r.get("pub"), r.get("url")) for r in rows))


def make_brief(store: Store, a: str, b: str, since: str | None = None, until: str | None = None) -> Brief:
    """The brief of the dyad A-B: events between their states and people, agreements, infrastructure, trade."""
    from pyoxigraph import NamedNode

    (sa, a), (sb, b) = _state(store, a), _state(store, b)
    actors_a = {sa.value} | {r["x"] for r in _rows(store, _ACTORS, state=sa)}
    actors_b = {sb.value} | {r["x"] for r in _rows(store, _ACTORS, state=sb)}
    timeline: list[Line] = []
    for e in _rows(store, _EVENTS):
        agent, target = e["agent"], e["target"]
        pair = (agent in actors_a and target in actors_b) or (agent in actors_b and target in actors_a)
        if not pair or not _in_range(e["date"], since, until):
            continue
        verb = e["type"].rsplit("#", 1)[-1]  # type: ignore[union-attr]
        note = f"reported by {e['n']} outlet(s)" + ("; the reports disagree on the date" if e["conflict"] else "")
        sources = _sources(_rows(store, _REPORTS, e=NamedNode(e["e"])))  # type: ignore[arg-type]
        timeline.append(Line(e["date"], f"{e['al']} {_VERBS[verb]} {e['tl']}", sources, note))
    timeline += _supplies(store, actors_a, actors_b, since, until)
    agreements = []
    for g in _rows(store, "SELECT DISTINCT ?g ?gl WHERE { ?g a kg:Agreement ; rdfs:label ?gl }"):
        parties = {r["p"] for r in _rows(store, "SELECT DISTINCT ?g ?p WHERE { ?p kg:partyTo ?g }", g=NamedNode(g["g"]))}  # type: ignore[arg-type]
        if parties & actors_a and parties & actors_b:
            rows = _rows(store, _STATEMENTS, p=NamedNode("https://w3id.org/kg-balkans/ontology#partyTo"), o=NamedNode(g["g"]))  # type: ignore[arg-type]
            agreements.append(Line(None, g["gl"] or "", _sources(rows)))
    infrastructure = [
        Line(None, r["il"] or "", _sources(_rows(store, _STATEMENTS, s=NamedNode(r["i"]), p=NamedNode("https://w3id.org/kg-balkans/ontology#connects"))))  # type: ignore[arg-type]
        for r in _rows(store, _LINKS, a=sa, b=sb)
    ]
    trade = []
    for s, o in ((sa, sb), (sb, sa)):
        for r in _rows(store, _STATEMENTS, s=s, p=NamedNode("https://w3id.org/kg-balkans/ontology#tradeTurnover"), o=o):
            if _in_range(r["date"], since, until):
                trade.append(Line(r["date"], f"trade turnover {r['value'] or ''}" + (f" ({r['period']})" if r["period"] else ""), _sources([r])))
    key = lambda line: (line.date is None, line.date or "", line.text)  # noqa: E731
    return Brief(a, b, sorted(timeline, key=key), agreements, infrastructure, sorted(trade, key=key))


def _supplies(store: Store, actors_a: set[str | None], actors_b: set[str | None], since: str | None, until: str | None) -> list[Line]:
    """Energy supply between the two sides (their states, people, companies), one line per supplier, receiver, commodity
    and date, footnoted to every report of it."""
    from pyoxigraph import NamedNode

    groups: dict[tuple, list[dict[str, str | None]]] = defaultdict(list)
    for r in _rows(store, _STATEMENTS, p=NamedNode("https://w3id.org/kg-balkans/ontology#suppliesEnergyTo")):
        crosses = (r["s"] in actors_a and r["o"] in actors_b) or (r["s"] in actors_b and r["o"] in actors_a)
        if crosses and _in_range(r["date"], since, until):
            groups[(r["date"], r["s"], r["o"], r["commodity"])].append(r)
    lines = []
    for (date, s, o, commodity), rows in groups.items():
        supplier, receiver = (_rows(store, _LABEL, e=NamedNode(x))[0]["l"] for x in (s, o))  # type: ignore[arg-type]
        outlets = len({r["outlet"] or r["ev"] for r in rows})
        lines.append(Line(date, f"{supplier} supplies {commodity or 'energy'} to {receiver}", _sources(rows), f"reported by {outlets} outlet(s)"))
    return lines


def _footnoted(lines: list[Line], notes: list[Source]) -> list[tuple[Line, list[int]]]:
    out = []
    for line in lines:
        numbers = []
        for source in line.sources:
            notes.append(source)
            numbers.append(len(notes))
        out.append((line, numbers))
    return out


def _sections(brief: Brief) -> tuple[list[tuple[str, list[tuple[Line, list[int]]]]], list[Source]]:
    notes: list[Source] = []
    sections = [
        ("Timeline", _footnoted(brief.timeline, notes)),
        ("Agreements between them", _footnoted(brief.agreements, notes)),
        ("Infrastructure linking them", _footnoted(brief.infrastructure, notes)),
        ("Trade", _footnoted(brief.trade, notes)),
    ]
    return sections, notes


def _source_text(s: Source) -> str:
    where = ", ".join(x for x in (s.outlet, f"“{s.title}”" if s.title else None, s.published) if x)
    return f"{where}: “{s.evidence}”" + (f" <{s.url}>" if s.url else "")


def to_markdown(brief: Brief) -> str:
    """The brief as Markdown, every line footnoted."""
    sections, notes = _sections(brief)
    out = [f"# {brief.a} – {brief.b}: brief", ""]
    for title, lines in sections:
        out += [f"## {title}", ""]
        if not lines:
            out += ["_Nothing in the graph._", ""]
            continue
        for line, numbers in lines:
            refs = "".join(f"[^{n}]" for n in numbers)
            date = f"**{line.date}** " if line.date else ""
            note = f" ({line.note})" if line.note else ""
            out.append(f"- {date}{line.text}{note}{refs}")
        out.append("")
    out += [f"[^{i}]: {_source_text(s)}" for i, s in enumerate(notes, 1)]
    return "\n".join(out) + "\n"


def _figure(brief: Brief) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import datetime as dt

    points = [(line.date, line.text) for line in brief.timeline + brief.trade if line.date]
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.25 * len(points)))
    for i, (date, text) in enumerate(points):
        day = dt.date(int(date[:4]), int(date[5:7]) if len(date) >= 7 else 7, int(date[8:10]) if len(date) == 10 else 1)
        ax.plot([day], [i], "o", color="#2563eb")
        ax.annotate(text, (mdates.date2num(day), i), xytext=(6, -3), textcoords="offset points", fontsize=8)
    ax.set_yticks([])
    ax.set_title(f"{brief.a} – {brief.b}")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def to_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page with a timeline figure; all article text escaped."""
    sections, notes = _sections(brief)
    esc = html.escape
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>" + esc(f"{brief.a} – {brief.b}: brief") + "</title>",
        "<link rel='icon' href='data:,'><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.5}"
        "sup{font-size:.7em}ol.notes{font-size:.85em;color:#444}</style></head><body>",
        f"<h1>{esc(brief.a)} – {esc(brief.b)}: brief</h1>",
        f"<img alt='timeline' src='data:image/png;base64,{_figure(brief)}' style='max-width:100%'>",
    ]
    for title, lines in sections:
        out.append(f"<h2>{esc(title)}</h2><ul>")
        for line, numbers in lines:
            refs = "".join(f"<sup><a href='#n{n}'>{n}</a></sup>" for n in numbers)
            date = f"<b>{esc(line.date)}</b> " if line.date else ""
            note = f" <i>({esc(line.note)})</i>" if line.note else ""
            out.append(f"<li>{date}{esc(line.text)}{note}{refs}</li>")
        out.append("</ul>" if lines else "<p><i>Nothing in the graph.</i></p></ul>")
    out.append("<ol class='notes'>" + "".join(f"<li id='n{i}'>{esc(_source_text(s))}</li>" for i, s in enumerate(notes, 1)) + "</ol>")
    return "".join(out) + "</body></html>"
