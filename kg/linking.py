"""Linking: candidate mentions resolved to entities (gazetteer, surnames by context and term of office, NER)."""

from __future__ import annotations

import re

from kg.gazetteer import Entry, Gazetteer
from kg.iris import entity_iri
from kg.lexicon import load_lexicon
from kg.mentions import Span
from kg.records import Article, Entity, Mention
from kg.text import fold, key

_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÝĀ-Ž][\w'’.-]*$")


def entity_of(entry: Entry) -> Entity:
    """The Entity record of a gazetteer entry."""
    return Entity(
        iri=entity_iri(entry.type, entry.label, entry.qid),
        label=entry.label,
        type=entry.type,
        wikidata=entry.qid,
        located_in=entry.state if entry.type in {"Place", "Organization"} else None,
    )


def new_entity(type_: str, label: str) -> Entity:
    """An Entity the gazetteer does not know, minted from its type and label."""
    return Entity(iri=entity_iri(type_, label), label=label, type=type_)


def _strip(text: str) -> str:
    text = re.sub(r"[’']s$", "", text.strip())
    return re.sub(r"^(?:the|The)\s+", "", text).strip(" ,.;:\"“”'")


def _one_edit(a: str, b: str) -> bool:
    """Whether two different words are one substitution, insertion or deletion apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class Linker:
    """Resolves the candidate spans of one article to entities."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.org_words = set(load_lexicon("organizations")["keywords"])
        self.org_stop = {key(w) for w in load_lexicon("organizations")["stop"]}
        self.not_places = {key(w) for w in load_lexicon("places")["not_places"]}

    def _entry(self, ent_id: str) -> Entry | None:
        type_, _, label = ent_id.partition("|")
        return self.gazetteer.get(type_, label)

    def _surname(self, span: Span, article: Article, people: list[tuple[int, Entity]]) -> Entity | None:
        surname = span.ent_id.partition("|")[2]
        named = [e for pos, e in people if pos < span.start and key(fold(e.label.split()[-1])) == surname]
        if not named:
            named = [e for _, e in people if key(fold(e.label.split()[-1])) == surname]
        if named:
            return named[-1]
        candidates = self.gazetteer.by_surname.get(surname, [])
        if article.published:
            in_office = [c for c in candidates if any(o.held_on(article.published) for o in c.offices)]
            if len(in_office) == 1:
                return entity_of(in_office[0])
        return entity_of(candidates[0]) if len(candidates) == 1 else None

    def _ner(self, span: Span, people: list[tuple[int, Entity]]) -> Entity | None:
        text = _strip(span.text)
        if not text or key(text) in self.org_stop:
            return None
        known = self.gazetteer.lookup(text)
        if known:
            return entity_of(known[0])
        words = text.split()
        if span.label == "PERSON" and len(words) >= 2 and (near := self._misspelt(words)) is not None:
            return entity_of(near)
        if span.label == "PERSON":
            if len(words) == 1:
                folded = key(words[0])
                match = [e for _, e in people if key(e.label.split()[-1]) == folded]
                return match[-1] if match else None
            if all(_NAME_TOKEN.match(w) for w in words) and len(words) <= 4:
                return new_entity("Person", text)
            return None
        if span.label == "ORG":
            lowered = {w.lower().strip(".,") for w in words}
            if lowered & self.org_words or (len(words) == 1 and text.isupper() and 2 < len(text) <= 8):
                return new_entity("Organization", text)
            return None
        if span.label in {"GPE", "LOC"}:
            if key(text) in self.not_places or key(text) in self.gazetteer.demonyms or not text[0].isupper():
                return None
            return new_entity("Place", text) if len(words) <= 3 else None
        if span.label == "FAC":
            lowered = text.lower()
            if any(w in lowered for w in ("pipeline", "interconnector", "cable", "corridor", "terminal", "plant", "field")):
                return new_entity("Infrastructure", text)
        return None

    def _misspelt(self, words: list[str]) -> Entry | None:
        """The one known person with this first name whose surname differs by a single letter ("Ilham Iliyev")."""
        first, last = key(words[0]), key(words[-1])
        if len(last) < 5:
            return None
        found = [
            e
            for surname, entries in self.gazetteer.by_surname.items()
            if abs(len(surname) - len(last)) <= 1 and _one_edit(surname, last)
            for e in entries
            if key(e.label.split()[0]) == first
        ]
        return found[0] if len(found) == 1 else None

    def link(self, spans: list[Span], article: Article) -> list[Mention]:
        """Mentions with their entities, in text order; spans that resolve to nothing are dropped."""
        mentions: list[Mention] = []
        people: list[tuple[int, Entity]] = []
        for span in spans:
            if span.kind in {"gazetteer", "demonym"} and (entry := self._entry(span.ent_id)) is not None:
                entity = entity_of(entry)
                if entity.type == "Person":
                    people.append((span.start, entity))
                mentions.append(Mention(span.start, span.end, span.text, entity, span.kind))
        for span in spans:
            entity, how = None, span.kind
            if span.kind == "surname":
                entity = self._surname(span, article, people)
            elif span.kind == "agreement":
                entity = new_entity("Agreement", span.text)
            elif span.kind == "ner":
                entity = self._ner(span, people)
                if entity is not None and entity.type == "Person" and " " in entity.label:
                    people.append((span.start, entity))
            if entity is not None:
                mentions.append(Mention(span.start, span.end, span.text, entity, how))
        return sorted(mentions, key=lambda m: (m.start, -m.end))
