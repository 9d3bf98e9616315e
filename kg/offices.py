"""Offices: the titles around a person's name ("Serbian President Aleksandar Vučić", "X, Prime Minister of Greece")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.gazetteer import Gazetteer
from kg.lexicon import load_lexicon
from kg.linking import entity_of
from kg.records import Article, Entity, Mention
from kg.text import key

_HOLDER_TYPES = {"State", "Organization"}


@dataclass(frozen=True)
class Office:
    """A person's title found in text, with the state or organisation it is held in."""

    person: Mention
    holder: Entity
    role: str
    start: int  # the span of title, holder and name
    end: int
    how: str  # text | demonym | gazetteer


class OfficeReader:
    """Reads titles next to person mentions and resolves whose office they are."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        lex = load_lexicon("roles")
        self.canonical = {form: role for role, forms in lex["roles"].items() for form in forms}
        known = "|".join(re.escape(f) for f in sorted(self.canonical, key=len, reverse=True))
        generic = "|".join(f"(?:{g})" for g in lex["generic_titles"])
        mods = "|".join(lex["title_modifiers"])
        title = rf"(?:(?:{mods})[\s-]+)*(?:{generic}|(?i:{known}))"
        self.title = title
        self.before = re.compile(rf"\b(?P<title>{title})(?:\s+(?:of|of the)\s+(?P<of>[^,;]{{2,90}}?))?[\s,]*$")
        self.title_only = [
            re.compile(rf"\b(?:[Tt]he\s+)?(?P<title>{title})\s+of\s+(?:the\s+)?(?P<of>[A-Z][\w-]*(?:\s+(?:of\s+|and\s+)?[A-Z][\w-]*){{0,4}})"),
            re.compile(rf"\b(?:[Tt]he\s+)?(?P<of>[A-Z][a-z]+)\s+(?P<title>{title})\b"),
            re.compile(rf"\b(?P<of>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)['’]s\s+(?P<title>{title})\b"),
        ]
        self.after = re.compile(rf"^\s*,\s*(?:the\s+|a\s+|an\s+)?(?P<pre>[\w’'.-]+(?:\s+[\w’'.-]+){{0,3}}?\s+)?(?P<title>{title})\b(?:\s+(?:of|of the|to)\s+(?P<of>[^,;.()]{{2,90}}))?")

    def title_mentions(self, text: str, mentions: list[Mention], article: Article) -> list[Mention]:
        """Titles standing for a named person ("the President of the Republic of Bulgaria", "the Serbian President"),
        resolved to whoever held that office on the published date, when exactly one person did."""
        if not article.published:
            return []
        people = [m for m in mentions if m.entity.type == "Person"]
        found: list[Mention] = []
        for pattern in self.title_only:
            for hit in pattern.finditer(text):
                start, end = hit.span()
                if any(p.start < end and start < p.end for p in people) or any(f.start < end and start < f.end for f in found):
                    continue
                if any(0 <= p.start - end <= 2 for p in people):
                    continue  # a title right before a name is that person's title, not a stand-in
                holder = self._holder_in(hit.group("of"), hit.start("of"), mentions)
                if holder is None:
                    continue
                role = self._role(hit.group("title"))
                holders = self.gazetteer.holders(role, holder.label, article.published)
                if len(holders) == 1:
                    found.append(Mention(start, end, text[start:end], entity_of(holders[0]), "title"))
        return found

    def _role(self, title: str) -> str:
        bare = re.sub(r"\s+", " ", title).strip()
        words = bare.split()
        mods = set(load_lexicon("roles")["title_modifiers"])
        head = " ".join(w for w in words if w.lower() not in mods or w[0].isupper() and w.lower() not in mods)
        canonical = self.canonical.get(bare.lower()) or self.canonical.get(head.lower())
        if canonical and canonical != "Minister":
            return canonical if bare.lower() == head.lower() else bare
        return bare[0].upper() + bare[1:]

    def _holder_in(self, text: str, start: int, mentions: list[Mention]) -> Entity | None:
        """A state or organisation named in `text` (which starts at `start`): a mention, else a demonym."""
        end = start + len(text)
        inside = [m for m in mentions if start <= m.start and m.end <= end and m.entity.type in _HOLDER_TYPES | {"Place"}]
        for m in sorted(inside, key=lambda m: m.start):
            holder = self._as_holder(m.entity)
            if holder is not None:
                return holder
        for word in re.findall(r"[A-Z][\w’'-]+", text):
            entry = self.gazetteer.demonyms.get(key(re.sub(r"[’']s$", "", word)))
            if entry is not None:
                return entity_of(entry)
        return None

    def _as_holder(self, entity: Entity) -> Entity | None:
        if entity.type in _HOLDER_TYPES:
            return entity
        entry = self.gazetteer.get("Place", entity.label)
        if entry is not None and entry.metonym_of:
            target = self.gazetteer.state(entry.metonym_of) or self.gazetteer.get("Organization", entry.metonym_of)
            return entity_of(target) if target else None
        return None

    def _known_holders(self, person: Entity) -> set[str]:
        entries = [e for e in self.gazetteer.lookup(person.label) if e.type == "Person"]
        return {o.of for o in entries[0].offices} | {o.to for o in entries[0].offices if o.to} if entries else set()

    def _from_gazetteer(self, person: Entity, role: str, day: str | None) -> Entity | None:
        entries = [e for e in self.gazetteer.lookup(person.label) if e.type == "Person"]
        if not entries or day is None:
            return None
        held = [o for o in entries[0].offices if o.held_on(day)]
        matching = [o for o in held if o.role == role] or (held if len(held) == 1 else [])
        if not matching:
            return None
        target = self.gazetteer.state(matching[0].of) or self.gazetteer.get("Organization", matching[0].of)
        return entity_of(target) if target else None

    def read(self, text: str, sentences: list[tuple[int, int]], article: Article, mentions: list[Mention]) -> list[Office]:
        """Every title next to a person mention, with its holder."""
        found: list[Office] = []
        for m in mentions:
            if m.entity.type != "Person":
                continue
            s_start, s_end = next(((a, b) for a, b in sentences if a <= m.start < b), (0, len(text)))
            lo = max(s_start, m.start - 140)
            before = text[lo : m.start]
            office = None
            if (hit := self.before.search(before)) is not None:
                title, of = hit.group("title"), hit.group("of")
                t_start = lo + hit.start("title")
                holder = None
                if of:
                    holder = self._holder_in(of, lo + hit.start("of"), mentions)
                if holder is None:
                    pre_lo = max(s_start, t_start - 60)
                    pre = text[pre_lo:t_start]
                    adjacent = re.search(r"([\w’'.-]+(?:\s+[\w’'.-]+){0,5}?)(?:’s|'s)?\s*$", pre)
                    if adjacent:
                        holder = self._holder_in(pre[adjacent.start() :], pre_lo + adjacent.start(), mentions)
                office = (title, holder, t_start, m.end)
            elif (hit := self.after.search(text[m.end : min(s_end, m.end + 140)])) is not None:
                title = hit.group("title")
                holder = None
                if hit.group("of"):
                    holder = self._holder_in(hit.group("of"), m.end + hit.start("of"), mentions)
                if holder is None and hit.group("pre"):
                    holder = self._holder_in(hit.group("pre"), m.end + hit.start("pre"), mentions)
                office = (title, holder, m.start, m.end + hit.end())
            if office is None:
                continue
            title, holder, start, end = office
            first, _, rest = title.partition(" ")
            if rest and key(first) in self.gazetteer.demonyms:
                holder = holder or entity_of(self.gazetteer.demonyms[key(first)])
                title = rest + (f" of {hit.group('of')}" if hit.group("of") and rest.lower() == "minister" else "")
            role = self._role(title)
            how = "text"
            known = self._known_holders(m.entity)
            if holder is not None and known and holder.label not in known:
                holder = None  # the gazetteer knows this person's offices, and this is none of them
            if holder is None:
                holder = self._from_gazetteer(m.entity, role, article.published)
                how = "gazetteer"
            if holder is not None:
                found.append(Office(m, holder, role, start, end, how))
        return found
