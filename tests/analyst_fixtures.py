"""The analyst test graph: the articles of tests/data/analyst/ with the entities and relations they state, made into
quads with kg.rdf (no extraction involved), so that the saved-query tests do not depend on extraction quality.

Also a real build of the same articles, for the tests that need the whole pipeline (CLI, endpoint, rebuilds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Quad, Store

from kg import iris
from kg.events import event_quads, resolve_events
from kg.ingest import read_inputs
from kg.rdf import article_quads, entity_quads
from kg.records import Article, DateValue, Entity, Extraction, Mention, Relation
from kg.store import write_store

ROOT = Path(__file__).resolve().parent.parent
ANALYST = ROOT / "tests" / "data" / "analyst"

_LOCATED_IN = {"Belgrade": "Serbia", "Niš": "Serbia", "Sofia": "Bulgaria", "Novi Iskar": "Bulgaria", "Stara Zagora": "Bulgaria",
               "Komotini": "Greece", "Baku": "Azerbaijan"}
_ENTITIES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    # label: (type, Wikidata QID, other surface forms in the texts)
    "Azerbaijan": ("State", "Q227", ("Azerbaijani",)),
    "Serbia": ("State", "Q403", ("Serbian",)),
    "Bulgaria": ("State", "Q219", ("Bulgarian",)),
    "Greece": ("State", "Q41", ()),
    "Armenia": ("State", "Q399", ()),
    "Ilham Aliyev": ("Person", None, ("Aliyev",)),
    "Aleksandar Vučić": ("Person", None, ("Vučić",)),
    "Rumen Radev": ("Person", None, ()),
    "Khalaf Khalafov": ("Person", None, ()),
    "SOCAR": ("Organization", None, ()),
    "Srbijagas": ("Organization", None, ()),
    "Serbia-Bulgaria Gas Interconnector": ("Infrastructure", None, ("gas interconnector with Bulgaria", "Serbia-Bulgaria gas interconnector")),
    "Interconnector Greece-Bulgaria": ("Infrastructure", None, ()),
    "Southern Gas Corridor": ("Infrastructure", None, ()),
    "Declaration on Friendship and Strategic Partnership": ("Agreement", None, ()),
    "Belgrade": ("Place", "Q3711", ()),
    "Sofia": ("Place", "Q472", ()),
    "Baku": ("Place", "Q9248", ()),
    "Niš": ("Place", None, ()),
    "Novi Iskar": ("Place", None, ()),
    "Komotini": ("Place", None, ()),
    "Stara Zagora": ("Place", None, ()),
}

# file: [(subject, predicate, object, supporting span as it stands in the text, date or None, qualifiers)]
_RELATIONS: dict[str, list[tuple[str, str, str, str, str | None, dict[str, str]]]] = {
    "serbia-official-visit.txt": [
        ("Ilham Aliyev", "holdsOffice", "Azerbaijan", "Azerbaijani President Ilham Aliyev", None, {"role": "President"}),
        ("Aleksandar Vučić", "holdsOffice", "Serbia", "Serbian President Aleksandar Vučić", None, {"role": "President"}),
        ("Ilham Aliyev", "visited", "Serbia", "Ilham Aliyev visited Serbia on 23 November 2022", "2022-11-23", {}),
        ("Ilham Aliyev", "visited", "Belgrade", "Aliyev met Vučić in Belgrade on 23 November 2022", "2022-11-23", {}),
        ("Ilham Aliyev", "met", "Aleksandar Vučić", "Aliyev met Vučić in Belgrade on 23 November 2022", "2022-11-23", {}),
        ("Azerbaijan", "strategicPartnerOf", "Serbia", "called Azerbaijan and Serbia strategic partners", None, {}),
        ("Azerbaijan", "suppliesEnergyTo", "Serbia", "deliveries of Azerbaijani gas to Serbia", None, {"commodity": "gas"}),
    ],
    "ammunition-dispute.txt": [
        ("Azerbaijan", "accused", "Serbia", "On 20 July 2020 Azerbaijan accused Serbia", "2020-07-20", {}),
        ("Khalaf Khalafov", "holdsOffice", "Azerbaijan", "Deputy Foreign Minister Khalaf Khalafov", None, {"role": "Deputy Foreign Minister"}),
        ("Azerbaijan", "strategicPartnerOf", "Serbia", "the strategic partnership between Azerbaijan and Serbia", None, {}),
        ("Ilham Aliyev", "holdsOffice", "Azerbaijan", "Azerbaijani President Ilham Aliyev", None, {"role": "President"}),
        ("Aleksandar Vučić", "holdsOffice", "Serbia", "Serbian President Aleksandar Vučić", None, {"role": "President"}),
        ("Ilham Aliyev", "met", "Aleksandar Vučić", "Ilham Aliyev spoke with Serbian President Aleksandar Vučić by telephone on 7 August 2020", "2020-08-07", {}),
        ("Azerbaijan", "signed", "Declaration on Friendship and Strategic Partnership", "Azerbaijan and Serbia signed the Declaration on Friendship and Strategic Partnership in 2013", "2013", {}),
        ("Serbia", "signed", "Declaration on Friendship and Strategic Partnership", "Serbia signed the Declaration on Friendship and Strategic Partnership in 2013", "2013", {}),
        ("Azerbaijan", "partyTo", "Declaration on Friendship and Strategic Partnership", "Azerbaijan and Serbia signed the Declaration on Friendship and Strategic Partnership", None, {}),
        ("Serbia", "partyTo", "Declaration on Friendship and Strategic Partnership", "Serbia signed the Declaration on Friendship and Strategic Partnership", None, {}),
    ],
    "interconnector-nis.txt": [
        ("Ilham Aliyev", "holdsOffice", "Azerbaijan", "Azerbaijani President Ilham Aliyev", None, {"role": "President"}),
        ("Aleksandar Vučić", "holdsOffice", "Serbia", "Serbian President Aleksandar Vučić", None, {"role": "President"}),
        ("Rumen Radev", "holdsOffice", "Bulgaria", "Bulgarian President Rumen Radev", None, {"role": "President"}),
        ("Ilham Aliyev", "visited", "Niš", "a ceremony near Niš attended by Azerbaijani President Ilham Aliyev", "2023-12-10", {}),
        ("Serbia-Bulgaria Gas Interconnector", "connects", "Niš", "The interconnector connects Niš", None, {}),
        ("Serbia-Bulgaria Gas Interconnector", "connects", "Novi Iskar", "The interconnector connects Niš with Novi Iskar", None, {}),
        ("Serbia-Bulgaria Gas Interconnector", "connects", "Serbia", "Serbia-Bulgaria gas interconnector", None, {}),
        ("Serbia-Bulgaria Gas Interconnector", "connects", "Bulgaria", "Serbia-Bulgaria gas interconnector", None, {}),
        ("SOCAR", "suppliesEnergyTo", "Serbia", "SOCAR will supply up to 400 million cubic metres of gas a year to Serbia from 2024", "2024", {"commodity": "gas"}),
        ("Ilham Aliyev", "met", "Aleksandar Vučić", "Aliyev met Vučić near Niš on 10 December 2023", "2023-12-10", {}),
    ],
    "igb-sofia.txt": [
        ("Ilham Aliyev", "holdsOffice", "Azerbaijan", "Azerbaijani President Ilham Aliyev", None, {"role": "President"}),
        ("Rumen Radev", "holdsOffice", "Bulgaria", "Bulgarian President Rumen Radev", None, {"role": "President"}),
        ("Ilham Aliyev", "visited", "Bulgaria", "Ilham Aliyev visited Bulgaria on 1 October 2022", "2022-10-01", {}),
        ("Ilham Aliyev", "visited", "Sofia", "Rumen Radev met Aliyev in Sofia on 1 October 2022", "2022-10-01", {}),
        ("Rumen Radev", "met", "Ilham Aliyev", "Rumen Radev met Aliyev in Sofia on 1 October 2022", "2022-10-01", {}),
        ("Interconnector Greece-Bulgaria", "connects", "Komotini", "The Interconnector Greece-Bulgaria connects Komotini", None, {}),
        ("Interconnector Greece-Bulgaria", "connects", "Stara Zagora", "connects Komotini in Greece with Stara Zagora", None, {}),
        ("Interconnector Greece-Bulgaria", "connects", "Greece", "connects Komotini in Greece", None, {}),
        ("Interconnector Greece-Bulgaria", "connects", "Bulgaria", "Stara Zagora in Bulgaria", None, {}),
        ("Interconnector Greece-Bulgaria", "partOf", "Southern Gas Corridor", "is part of the Southern Gas Corridor", None, {}),
        ("Azerbaijan", "suppliesEnergyTo", "Bulgaria", "Azerbaijan has supplied gas to Bulgaria since 2013", "2013", {"commodity": "gas"}),
        ("Azerbaijan", "tradeTurnover", "Bulgaria", "Trade turnover between Azerbaijan and Bulgaria amounted to 72.6 million US dollars in 2021", "2021",
         {"value": "72.6 million US dollars", "period": "2021"}),
    ],
}


def entity(label: str) -> Entity:
    """The Entity record of a label of the analyst graph."""
    type_, qid, _ = _ENTITIES[label]
    return Entity(iri=iris.entity_iri(type_, label, qid), label=label, type=type_, wikidata=qid)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span: from after the previous '. ' or line break to the next one (inclusive of '.')."""
    begin = max(text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0, text.rfind("\n", 0, start) + 1)
    stops = [i for i in (text.find(". ", end), text.find(".\n", end)) if i >= 0]
    stop = min(stops) + 1 if stops else len(text.rstrip())
    return begin, stop


def _mentions(article: Article) -> tuple[Mention, ...]:
    found: dict[tuple[int, int], Mention] = {}
    for label, (_, _, aliases) in _ENTITIES.items():
        for surface in (label, *aliases):
            for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", article.text):
                found.setdefault((match.start(), match.end()), Mention(match.start(), match.end(), surface, entity(label)))
    spans = sorted(found)
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]  # longest wins
    return tuple(found[s] for s in kept)


def analyst_articles() -> dict[str, Article]:
    """The analyst test articles, read with kg's own reader (so their IRIs and texts are the build's)."""
    items = list(read_inputs([ANALYST]))
    return {a.source: a for a in items if isinstance(a, Article)}


def analyst_extractions() -> list[Extraction]:
    """What each analyst article states, as the pipeline's records."""
    out = []
    for source, article in sorted(analyst_articles().items()):
        relations = []
        for subject, predicate, obj, span_text, date, qualifiers in _RELATIONS[source]:
            start = article.text.index(span_text)
            end = start + len(span_text)
            begin, stop = _sentence(article.text, start, end)
            relations.append(
                Relation(
                    subject=entity(subject),
                    predicate=predicate,
                    object=entity(obj),
                    sentence_start=begin,
                    sentence_end=stop,
                    evidence=article.text[begin:stop],
                    span_start=start,
                    span_end=end,
                    date=DateValue(date, date) if date else None,
                    confidence=0.9 if date else 0.7,
                    rule="analyst-fixture",
                    qualifiers=tuple(sorted(qualifiers.items())),
                )
            )
        mentions = _mentions(article)
        entities = {m.entity.iri: m.entity for m in mentions} | {e.iri: e for r in relations for e in (r.subject, r.object)}
        out.append(Extraction(article=article, mentions=mentions, relations=tuple(relations), entities=tuple(entities.values())))
    return out


def analyst_quads() -> list[Quad]:
    """Every quad of the analyst graph: each article's named graph and the entities graph."""
    quads: list[Quad] = []
    entities: dict[str, Entity] = {}
    aliases: dict[str, set[str]] = {}
    for extraction in analyst_extractions():
        quads.extend(article_quads(extraction))
        for e in extraction.entities:
            entities.setdefault(e.iri, e)
        for m in extraction.mentions:
            aliases.setdefault(m.entity.iri, set()).add(m.text)
    for e_iri, e in sorted(entities.items()):
        state = _LOCATED_IN.get(e.label)
        quads.extend(entity_quads(e, aliases.get(e_iri, set()), entity(state).iri if state else None))
    memory = Store()
    memory.extend(quads)
    quads.extend(event_quads(resolve_events(memory)))
    return quads


def write_analyst_store(out_dir: Path) -> Path:
    """The analyst graph written as a kg store (`out_dir/store`), the way a build writes one."""
    return write_store(out_dir, analyst_quads())


@pytest.fixture(scope="session")
def analyst_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made analyst graph as a store; returns the `store` link."""
    return write_analyst_store(tmp_path_factory.mktemp("analyst") / "out")


@pytest.fixture(scope="session")
def analyst_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The analyst articles built by the real pipeline (library call); returns the output folder."""
    from kg import build

    out = tmp_path_factory.mktemp("analyst-build") / "out"
    report = build([ANALYST], out, page=False)
    assert report.articles == len(list(ANALYST.glob("*.txt")))
    return out
