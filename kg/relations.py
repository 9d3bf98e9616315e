"""Relations: dependency-pattern and sentence-cue rules over a parsed article, each dated from its own clause."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from dataclasses import replace
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from kg.dates import DateExpr, find_dates
from kg.gazetteer import Gazetteer
from kg.lexicon import load_data, load_lexicon
from kg.linking import entity_of
from kg.matcher import PatternMatcher
from kg.offices import OfficeReader
from kg.records import SYMMETRIC, Article, DateValue, Entity, Mention, Relation
from kg.rules import RuleSet, compile_rule

_NP_DEPS = {"compound", "amod", "appos", "poss", "nmod", "flat", "npadvmod", "nummod"}
_MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d.,]*\s*(?:million|billion|thousand|mln|bln|bn|m\b)?|\d[\d.,]*\s*(?:million|billion|thousand|mln|bn)\s*"
    r"(?:US\s*)?(?:dollars|euros|USD|EUR|manats|AZN))",
    re.IGNORECASE,
)

_ROUTE_CUE = re.compile(r"\b(connect|link|run|cross|pass|stretch|reach|transport|carr|deliver|bring|brought|route|land|via|through|from|between|entry point|exit point)\w*", re.IGNORECASE)
_DYAD_CUE = re.compile(r"\b(?:the two|both|our two) (?:countries|states|nations|sides|republics)\b|\bbilateral\b|\bour (?:countries|states)\b", re.IGNORECASE)
_INFRA_NOUNS = {"pipeline", "interconnector", "cable", "corridor", "terminal", "link", "interconnection"}
_LIST_CUE = re.compile(r"\b(?:alongside|along with|including|such as|namely|as well as with)\b", re.IGNORECASE)
_DOCUMENT_NOUNS = {"document", "agreement", "memorandum", "declaration", "deal", "treaty", "accord", "statement", "protocol", "contract"}
_TIMELESS = {"holdsOffice", "partyTo", "connects", "partOf", "strategicPartnerOf"}
_EVENTS = frozenset(load_data("rules/events.yaml")["predicates"])  # the relations that are events, dated in time
_SEQUENCE_CUE = re.compile(r"\b(?:" + "|".join(map(re.escape, load_lexicon("dates")["sequence_cues"])) + r")\b", re.IGNORECASE)
_OTHER_TIME_CUE = re.compile(r"\b(?:" + "|".join(map(re.escape, load_lexicon("dates")["other_time_cues"])) + r")\b", re.IGNORECASE)
_EVENT_CUE = re.compile(r"\b(during|after|following|at|on the sidelines of|in the course of|as part of|within the framework of)\b[^.;]{0,60}?\b(visit|meeting|talks|summit|trip|ceremony)\b", re.IGNORECASE)


class RelationExtractor:
    """Finds the relations of one parsed article among its linked mentions."""

    def __init__(self, vocab, rules: RuleSet, gazetteer: Gazetteer) -> None:  # noqa: ANN001 - spaCy Vocab
        self.rules = rules
        self.gazetteer = gazetteer
        self.by_id = {r.id: r for r in rules.dependency}
        self.matcher = PatternMatcher(vocab)
        for rule in rules.dependency:
            for name, patterns in compile_rule(rule).items():
                self.matcher.add(name, patterns)
        self.offices = OfficeReader(gazetteer)

    # -- arguments ---------------------------------------------------------------------------------------
    def _mentions_at(self, token: Token, index: dict[int, list[Mention]], depth: int = 3) -> list[Mention]:
        if token.i in index:
            return index[token.i]
        if token.lemma_.lower() in _INFRA_NOUNS and any(c.lower_ in {"the", "this", "that"} for c in token.children):
            return self._infrastructure_named(token, index)
        found: list[Mention] = []
        if depth:
            for child in token.children:
                if child.dep_ in _NP_DEPS or (child.dep_ == "prep" and child.lower_ == "of"):
                    nxt = [g for g in child.children if g.dep_ == "pobj"] if child.dep_ == "prep" else [child]
                    for n in nxt:
                        for t in (n, *n.conjuncts) if child.dep_ == "prep" else (n,):
                            found.extend(m for m in self._mentions_at(t, index, depth - 1) if m not in found)
        return found

    @staticmethod
    def _infrastructure_named(token: Token, index: dict[int, list[Mention]]) -> list[Mention]:
        """ "the cable" -> the last infrastructure named before it whose name contains that word."""
        noun = token.lemma_.lower()
        named = {m for ms in index.values() for m in ms if m.entity.type == "Infrastructure" and m.end <= token.idx}
        fitting = [m for m in named if noun in m.entity.label.lower() or noun in m.text.lower()]
        return sorted(fitting, key=lambda m: m.start)[-1:]

    def _arguments(self, token: Token, index: dict[int, list[Mention]]) -> list[Mention]:
        out: list[Mention] = []
        for t in (token, *token.conjuncts):
            for m in self._mentions_at(t, index):
                if m not in out:
                    out.append(m)
        return out

    def _fit(self, entity: Entity, allowed: Iterable[str]) -> Entity | None:
        allowed = tuple(allowed)
        if entity.type in allowed:
            return entity
        if entity.type == "Place" and "State" in allowed:
            entry = self.gazetteer.get("Place", entity.label)
            if entry is not None and entry.metonym_of and (state := self.gazetteer.state(entry.metonym_of)):
                return entity_of(state)
        return None

    # -- dates -------------------------------------------------------------------------------------------
    @staticmethod
    def _distance(a: Token, b: Token) -> int:
        path_a = [a, *a.ancestors]
        path_b = [b, *b.ancestors]
        common = next((t for t in path_a if t in path_b), None)
        if common is None:
            return 99
        return path_a.index(common) + path_b.index(common)

    def _clause(self, token: Token) -> Token:
        """The verb heading the clause a token belongs to (the sentence root when there is none)."""
        for t in (token, *token.ancestors):
            if t.pos_ in {"VERB", "AUX"} or t.dep_ == "ROOT":
                return t
        return self._sentence(token.i).root

    def _date(self, doc: Doc, trigger: Token, dates: list[DateExpr], exclude: list[tuple[int, int]], stative: bool) -> DateExpr | None:
        """The date of the trigger's own clause (or a clause above it); another clause's date only when it is the sentence's only one."""
        clause = self._clause(trigger)
        above = {clause, *clause.ancestors}
        candidates: list[tuple[bool, int, int, DateExpr]] = []
        for d in dates:
            if any(s <= d.start < e for s, e in exclude):
                continue
            span = doc.char_span(d.start, d.end, alignment_mode="expand")
            if span is None:
                continue
            before = self._text[max(0, d.start - 7) : d.start].strip().lower()
            if before.endswith(("by", "until", "till", "before")) and not before.endswith("nearby"):
                continue  # a deadline or target, not when the relation happened
            if before.endswith(("since", "from")) and not stative:
                continue
            own = self._clause(span.root) in above
            candidates.append((not own, self._distance(span.root, trigger), abs(span.root.i - trigger.i), d))
        if not candidates:
            return None
        best = min(candidates, key=lambda c: c[:3])
        if best[0] and len(candidates) > 1:
            return None  # several dates, none in this clause: do not guess
        return best[3]

    # -- building relations ------------------------------------------------------------------------------
    def _relation(
        self,
        sent: Span,
        predicate: str,
        subj: Mention,
        obj: Mention,
        rule: str,
        confidence: float,
        date: DateExpr | None,
        anchor: tuple[int, int],
        qualifiers: tuple[tuple[str, str], ...] = (),
    ) -> Relation | None:
        types = self.rules.types[predicate]
        s = self._fit(subj.entity, types["subject"])
        o = self._fit(obj.entity, types["object"])
        if s is None or o is None or s.iri == o.iri:
            return None
        if predicate in SYMMETRIC and o.iri < s.iri:
            s, o = o, s
        if predicate == "suppliesEnergyTo" and not any(k == "commodity" for k, _ in qualifiers):
            return None
        inside = [(a, b) for a, b in ((subj.start, subj.end), (obj.start, obj.end), anchor) if sent.start_char <= a and b <= sent.end_char]
        start = min((a for a, _ in inside), default=sent.start_char)
        evidence = self._said(sent).rstrip()
        end = min(max((b for _, b in inside), default=sent.end_char), sent.start_char + len(evidence))
        return Relation(
            subject=s,
            predicate=predicate,
            object=o,
            sentence_start=sent.start_char,
            sentence_end=sent.start_char + len(evidence),
            evidence=evidence,
            span_start=start,
            span_end=end,
            date=date.value if date else None,
            undated_reason=date.reason if date else None,
            confidence=round(confidence, 3),
            rule=rule,
            qualifiers=qualifiers,
        )

    def _commodity(self, text: str, near: int) -> tuple[tuple[str, str], ...]:
        lowered = text.lower()
        best: tuple[int, str] | None = None
        for commodity, words in self.rules.commodities.items():
            for w in words:
                for m in re.finditer(rf"\b{re.escape(w)}\b", lowered):
                    dist = abs(m.start() - near)
                    if best is None or dist < best[0]:
                        best = (dist, commodity)
        return (("commodity", best[1]),) if best else ()

    def _said(self, sent: Span) -> str:
        """The text of a sentence of the document (sliced once per document: Span.text joins its tokens each time)."""
        return self._texts[sent.start]

    def _sentence(self, i: int) -> Span:
        """The sentence of token i (from the sentences listed once per document)."""
        return self._sents[bisect.bisect_right(self._starts, i) - 1]

    def extract(self, doc: Doc, article: Article, mentions: list[Mention]) -> list[Relation]:
        """Every relation the rules find, deduplicated by (subject, predicate, object, sentence)."""
        self._sents = list(doc.sents)
        self._text = article.text
        self._starts = [s.start for s in self._sents]
        self._texts = {s.start: article.text[s.start_char : s.end_char] for s in self._sents}
        index: dict[int, list[Mention]] = defaultdict(list)
        for m in mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                index[span.root.i].append(m)
                for t in span:
                    if t.i not in index:
                        index[t.i].append(m)
        self._breaks = [m.end() for m in re.finditer(r"\n\s*", article.text)]
        sent_dates = self._sentence_dates(article)
        mention_spans = [(m.start, m.end) for m in mentions]
        relations: list[Relation] = []
        relations.extend(self._dependency(doc, index, sent_dates, mention_spans))
        relations.extend(self._offices(doc, article, mentions))
        relations.extend(self._sentences(doc, mentions, sent_dates))
        relations.extend(self._agreement_parties(doc, index))
        relations.extend(self._infrastructure(doc, mentions))
        relations.extend(self._signatories_are_parties(relations))
        relations = self._event_dates(doc, relations, index)
        relations = self._not_at_home(relations, article)
        relations = self._meetings_during_visits(relations, article)
        relations = self._context_dates(relations, sent_dates)
        seen: dict[tuple[str, str, str, int], Relation] = {}
        for r in relations:
            k = (r.subject.iri, r.predicate, r.object.iri, r.sentence_start)
            if k not in seen or (r.date and not seen[k].date) or r.confidence > seen[k].confidence and bool(r.date) == bool(seen[k].date):
                seen[k] = r
        return sorted(seen.values(), key=lambda r: (r.sentence_start, r.span_start, r.predicate, r.subject.label, r.object.label))

    def _paragraph(self, char: int) -> int:
        """The index of the paragraph (line) a character offset lies in."""
        return bisect.bisect_right(self._breaks, char)

    def _sentence_dates(self, article: Article) -> dict[int, list[DateExpr]]:
        """The date expressions of each sentence (by first token). A month or day without its year is read in the year
        the narrative is in (the last year written out in this paragraph or the one before, when it is before the
        published year: "In August 2020 ... In July, ..."), else against the published date."""
        published_year = int(article.published[:4]) if article.published else None
        narrative: tuple[int, int] | None = None  # (year, paragraph)
        out: dict[int, list[DateExpr]] = {}
        for sent in self._sents:
            paragraph = self._paragraph(sent.start_char)
            year = None
            if narrative and published_year and narrative[0] < published_year and narrative[1] >= paragraph - 1:
                year = narrative[0]
            future = any(t.lower_ in {"will", "shall"} and t.tag_ == "MD" for t in sent)
            out[sent.start] = find_dates(self._said(sent), article.published, sent.start_char, future, year)
            written = [d for d in out[sent.start] if d.value is not None and d.value.source == "text"]
            if written:
                narrative = (int(written[-1].value.value[:4]), paragraph)  # type: ignore[union-attr]
        return out

    def _context_dates(self, relations: list[Relation], sent_dates: dict[int, list[DateExpr]]) -> list[Relation]:
        """An undated event in a sentence without any date or word of another time ("recent", "earlier") takes the one
        date of the nearest sentence before it in its paragraph that has dates, unless that sentence dates an event of
        the same kind (only the year after "eventually", "later" and the like); dateSource "context"."""
        starts = [s.start_char for s in self._sents]
        out: list[Relation] = []
        for r in relations:
            i = bisect.bisect_right(starts, r.sentence_start) - 1
            if (r.date is not None or r.undated_reason or r.predicate not in _EVENTS or i < 0 or sent_dates[self._sents[i].start]
                    or _OTHER_TIME_CUE.search(r.evidence)):
                out.append(r)
                continue
            paragraph = self._paragraph(r.sentence_start)
            values: set[tuple[str, str]] = set()
            for previous in reversed(self._sents[:i]):
                if self._paragraph(previous.start_char) != paragraph:
                    break
                values = {(d.value.value, d.value.text) for d in sent_dates[previous.start] if d.value is not None}
                if values:
                    break
            if len({v for v, _ in values}) != 1 or any(
                o.predicate == r.predicate and o.date is not None and o.sentence_start == previous.start_char for o in relations
            ):  # a dated event of the same kind just before: this one is another occasion, on a date the text does not give
                out.append(r)
                continue
            value, text = next(iter(values))
            if _SEQUENCE_CUE.search(r.evidence):
                value = value[:4]
            out.append(replace(r, date=DateValue(value, text, "context"), confidence=round(r.confidence * 0.8, 3)))
        return out

    def _dependency(self, doc: Doc, index, sent_dates, mention_spans) -> list[Relation]:  # noqa: ANN001
        found: dict[tuple[str, int], dict[str, list[Mention]]] = defaultdict(lambda: defaultdict(list))
        for match_id, token_ids in self.matcher(doc):
            rule_id, role, _ = doc.vocab.strings[match_id].split("|")
            trigger = token_ids[0]
            slot = found[(rule_id, trigger)]
            if role == "trigger":
                continue
            for m in self._arguments(doc[token_ids[-1]], index):
                if m not in slot[role]:
                    slot[role].append(m)
        out: list[Relation] = []
        trigger_dates: dict[tuple[int, str], DateExpr] = {}
        for (rule_id, trigger_i), slots in sorted(found.items(), key=lambda kv: kv[0][1]):
            rule = self.by_id[rule_id]
            trigger = doc[trigger_i]
            sent = self._sentence(trigger.i)
            date = self._date(doc, trigger, sent_dates[sent.start], mention_spans, rule.predicate in _TIMELESS | {"suppliesEnergyTo"})
            if date is not None and date.value is not None:
                trigger_dates[(sent.start, rule.predicate)] = date
            elif date is None and rule.predicate not in _TIMELESS and any(c.lower_ in {"the", "this", "that"} for c in trigger.children):
                date = self._inherited(doc, sent, rule.predicate, trigger_dates)  # "the signing" refers back
            anchor = (trigger.idx, trigger.idx + len(trigger.text))
            quals = self._commodity(self._said(sent), trigger.idx - sent.start_char) if rule.predicate == "suppliesEnergyTo" else ()
            if rule.predicate == "signed":
                self._signing_fallbacks(doc, sent, slots, index)
            pairs: list[tuple[Mention, Mention]] = list(itertools.product(slots["subject"], slots["object"]))
            pairs += list(itertools.combinations(slots["pair"], 2))
            for subj, obj in pairs:
                rel = self._relation(sent, rule.predicate, subj, obj, rule.id, rule.confidence, date, anchor, quals)
                if rel is not None:
                    out.append(rel)
        return out

    def _inherited(self, doc: Doc, sent: Span, predicate: str, trigger_dates: dict[tuple[int, str], DateExpr]) -> DateExpr | None:
        """The date of the same kind of event in the sentence just before, in the same paragraph ("... by signing a
        contract today. ... after the signing of a memorandum")."""
        if sent.start == 0:
            return None
        previous = self._sentence(sent.start - 1)
        if "\n" in self._text[previous.end_char : sent.start_char]:
            return None
        date = trigger_dates.get((previous.start, predicate))
        if date is None or date.value is None:
            return None
        return DateExpr(date.start, date.end, date.text, DateValue(date.value.value, date.value.text, "event"))

    def _signing_fallbacks(self, doc: Doc, sent: Span, slots: dict[str, list[Mention]], index) -> None:  # noqa: ANN001
        """Signing without a parsed object takes the sentence's named agreements; without a signer, their parties."""
        agreements = [m for m in slots["object"] if m.entity.type == "Agreement"]
        if not agreements:
            agreements = self._in_sentence(sent, index, {"Agreement"})
        if not agreements and any(t.lemma_ in _DOCUMENT_NOUNS and t.dep_ in {"nsubjpass", "dobj"} and any(c.lower_ in {"the", "this", "that"} for c in t.children) for t in sent):
            earlier = sorted({m for ms in index.values() for m in ms if m.entity.type == "Agreement" and m.end <= sent.start_char}, key=lambda m: m.start)
            agreements = earlier[-1:]
        slots["object"].extend(a for a in agreements if a not in slots["object"])
        if not any(m.entity.type in {"Person", "State", "Organization"} for m in slots["subject"]):
            for agreement in agreements:
                slots["subject"].extend(self._parties(self._text, agreement, index))

    @staticmethod
    def _in_sentence(sent: Span, index, types: set[str]) -> list[Mention]:  # noqa: ANN001
        seen: list[Mention] = []
        for token in sent:
            for m in index.get(token.i, ()):
                if m.entity.type in types and m not in seen:
                    seen.append(m)
        return seen

    @staticmethod
    def _parties(text: str, agreement: Mention, index) -> list[Mention]:  # noqa: ANN001
        """The states and organisations an agreement's title names after "between"."""
        between = agreement.text.find(" between ")
        if between < 0:
            return []
        rest = re.search(r" (?:on|for|regarding|concerning|in the field|between|to) ", agreement.text[between + 9 :])
        stop = agreement.start + between + 9 + rest.start() if rest else agreement.end
        found: list[Mention] = []
        for mentions in index.values():
            for m in mentions:
                if agreement.start + between < m.start and m.end <= stop and m.entity.type in {"State", "Organization"} and m not in found:
                    found.append(m)
        return sorted(found, key=lambda m: m.start)

    def _offices(self, doc: Doc, article: Article, mentions: list[Mention]) -> list[Relation]:
        """holdsOffice from a title before a name ("Serbian President Aleksandar Vučić") or an apposition after it."""
        out: list[Relation] = []
        sentences = [(s.start_char, s.end_char) for s in self._sents]
        for office in self.offices.read(self._text, sentences, article, mentions):
            span = doc.char_span(office.person.start, office.person.end, alignment_mode="expand")
            if span is None:
                continue
            holder = Mention(office.start, office.end, office.holder.label, office.holder, office.how)
            confidence = 0.9 if office.how == "text" else 0.75
            rel = self._relation(
                self._sentence(span.start), "holdsOffice", office.person, holder, f"holdsOffice.{office.how}", confidence, None,
                (office.start, office.end), (("role", office.role),),
            )
            if rel is not None:
                out.append(rel)
        return out

    @staticmethod
    def _dyad(mentions: list[Mention]) -> tuple[Entity, Entity] | None:
        """The article's pair of states: the two clearly most-mentioned ones."""
        counts: dict[str, int] = defaultdict(int)
        by_iri: dict[str, Entity] = {}
        for m in mentions:
            if m.entity.type == "State":
                counts[m.entity.iri] += 1
                by_iri[m.entity.iri] = m.entity
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) < 2 or ranked[1][1] < 2 or (len(ranked) > 2 and ranked[2][1] >= ranked[1][1]):
            return None
        return by_iri[ranked[0][0]], by_iri[ranked[1][0]]

    def _pair(self, sent: Span, mentions: list[Mention], types: tuple[str, ...]) -> list[tuple[Mention, Mention]]:
        inside = [m for m in mentions if sent.start_char <= m.start < sent.end_char and m.entity.type in types]
        between = re.search(r"\bbetween\s+(?:the\s+)?", self._said(sent))
        if between:
            after = [m for m in inside if m.start >= sent.start_char + between.end()][:2]
            if len(after) == 2 and after[0].entity.iri != after[1].entity.iri:
                return [(after[0], after[1])]
        distinct = {m.entity.iri: m for m in inside}
        if len(distinct) == 2:
            return [tuple(distinct.values())]  # type: ignore[list-item]
        reference = _DYAD_CUE.search(self._said(sent))
        dyad = self._dyad(mentions) if reference and "State" in types else None
        if dyad is None or len(distinct) > 2 or any(iri not in {dyad[0].iri, dyad[1].iri} for iri in distinct):
            return []
        start, end = sent.start_char + reference.start(), sent.start_char + reference.end()
        return [(Mention(start, end, reference.group(0), dyad[0], "dyad"), Mention(start, end, reference.group(0), dyad[1], "dyad"))]

    @staticmethod
    def _listed(sent: Span, mentions: list[Mention], types: tuple[str, ...], cue: int) -> list[tuple[Mention, Mention]]:
        """ "X has a strategic partnership ..., alongside A, B and C": X with each listed one."""
        listing = _LIST_CUE.search(sent.text, cue)
        if listing is None:
            return []
        inside = [m for m in mentions if sent.start_char <= m.start < sent.end_char and m.entity.type in types and m.how != "demonym"]
        before = [m for m in inside if m.start < sent.start_char + cue]
        listed = [m for m in inside if m.start >= sent.start_char + listing.end()]
        if not before or not listed:
            return []
        return [(before[-1], m) for m in listed if m.entity.iri != before[-1].entity.iri]

    def _sentences(self, doc: Doc, mentions: list[Mention], sent_dates) -> list[Relation]:  # noqa: ANN001
        out: list[Relation] = []
        for sent in self._sents:
            text = self._said(sent)
            for rule in self.rules.sentence:
                cue = rule.cue.search(text)
                if cue is None:
                    continue
                quals: tuple[tuple[str, str], ...] = ()
                date = None
                anchor = (sent.start_char + cue.start(), sent.start_char + cue.end())
                if rule.needs_value:
                    monies = list(_MONEY.finditer(text))
                    if not monies:
                        continue
                    between = re.search(r"\bbetween\b", text)
                    focus = between.start() if between else cue.end()
                    money = min(monies, key=lambda m: (abs(m.start() - focus), m.start()))
                    quals = (("value", money.group(0).strip()),)
                    dated = [d for d in sent_dates[sent.start] if d.value]
                    if dated:
                        date = min(dated, key=lambda d: abs(d.start - (sent.start_char + (money.start() + focus) // 2)))
                        quals += (("period", date.text),)
                    anchor = (anchor[0], max(anchor[1], sent.start_char + money.end()))
                types = self.rules.types[rule.predicate]["subject"]
                pairs = self._listed(sent, mentions, types, cue.start()) or self._pair(sent, mentions, types)
                for subj, obj in pairs:
                    rel = self._relation(sent, rule.predicate, subj, obj, rule.id, rule.confidence, date, anchor, quals)
                    if rel is not None:
                        out.append(rel)
        return out

    def _agreement_parties(self, doc: Doc, index) -> list[Relation]:  # noqa: ANN001
        """partyTo from the parties an agreement's own title names ("... between the Republic of A and B")."""
        out: list[Relation] = []
        agreements = {m for mentions in index.values() for m in mentions if m.entity.type == "Agreement"}
        for agreement in sorted(agreements, key=lambda m: m.start):
            span = doc.char_span(agreement.start, agreement.end, alignment_mode="expand")
            if span is None:
                continue
            for party in self._parties(self._text, agreement, index):
                rel = self._relation(self._sentence(span.start), "partyTo", party, agreement, "partyTo.title", 0.85, None, (agreement.start, agreement.end))
                if rel is not None:
                    out.append(rel)
        return out

    def _infrastructure(self, doc: Doc, mentions: list[Mention]) -> list[Relation]:
        """connects and partOf that a name states ("Greece-Bulgaria") or that the gazetteer confirms within one sentence."""
        out: list[Relation] = []
        for infra in (m for m in mentions if m.entity.type == "Infrastructure"):
            span = doc.char_span(infra.start, infra.end, alignment_mode="expand")
            if span is None:
                continue
            sent = self._sentence(span.start)
            entry = self.gazetteer.get("Infrastructure", infra.entity.label)
            for label in self._named_endpoints(f"{infra.entity.label} {infra.text}"):
                target = self.gazetteer.state(label) or self.gazetteer.get("Place", label)
                if target is not None:
                    endpoint = Mention(infra.start, infra.end, infra.text, entity_of(target), "name")
                    rel = self._relation(sent, "connects", infra, endpoint, "connects.name", 0.8, None, (infra.start, infra.end))
                    if rel is not None:
                        out.append(rel)
            if entry is None or not _ROUTE_CUE.search(self._said(sent)) or entry.kind in {"field", "power-plant", "storage"}:
                continue
            for other in mentions:
                if not (sent.start_char <= other.start < sent.end_char) or other is infra:
                    continue
                if other.entity.type in {"State", "Place"} and other.entity.label in entry.connects and other.how != "demonym":
                    predicate, rule = "connects", "connects.gazetteer"
                else:
                    continue
                rel = self._relation(sent, predicate, infra, other, rule, 0.7, None, (min(infra.start, other.start), max(infra.end, other.end)))
                if rel is not None:
                    out.append(rel)
        return out

    def _named_endpoints(self, name: str) -> list[str]:
        """States and places a name is made of: "Interconnector Greece-Bulgaria" -> Greece, Bulgaria."""
        words = re.findall(r"[A-Za-zÀ-ÿĀ-ž]+", name)
        found: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                chunk = " ".join(words[i : i + n])
                hits = [e for e in self.gazetteer.lookup(chunk) if e.type == "State" or (e.type == "Place" and e.label == chunk)]
                hits = hits if chunk[:1].isupper() else []
                if hits:
                    if hits[0].label not in found:
                        found.append(hits[0].label)
                    i += n
                    break
            else:
                i += 1
        return found

    def _home_states(self, relations: list[Relation], article: Article) -> dict[str, set[str]]:
        """Each person's own state(s): from holdsOffice in this article, else offices held on the published date."""
        homes: dict[str, set[str]] = defaultdict(set)
        for r in relations:
            if r.predicate == "holdsOffice" and r.object.type == "State":
                homes[r.subject.iri].add(r.object.label)
        for r in relations:
            if r.subject.type == "Person" and r.subject.iri not in homes:
                for entry in self.gazetteer.lookup(r.subject.label):
                    if entry.type == "Person":
                        homes[r.subject.iri] |= {
                            o.of for o in entry.offices if self.gazetteer.state(o.of) and (article.published is None or o.held_on(article.published))
                        }
        return homes

    def _not_at_home(self, relations: list[Relation], article: Article) -> list[Relation]:
        """A person in their own country is not visiting it (nor a place in it), and a state visits no place of its own."""
        homes = self._home_states(relations, article)
        kept: list[Relation] = []
        for r in relations:
            if r.predicate == "visited" and r.subject.type in {"Person", "State"}:
                home = {r.subject.label} if r.subject.type == "State" else homes.get(r.subject.iri, set())
                where = r.object.label if r.object.type == "State" else r.object.located_in
                if where is not None and where in home:
                    continue
            kept.append(r)
        return kept

    @staticmethod
    def _signatories_are_parties(relations: list[Relation]) -> list[Relation]:
        """A state or organisation that signed an agreement is a party to it."""
        return [
            replace(r, predicate="partyTo", date=None, undated_reason=None, rule="partyTo.signatory", confidence=round(r.confidence * 0.95, 3))
            for r in relations
            if r.predicate == "signed" and r.subject.type in {"State", "Organization"}
        ]

    def _meetings_during_visits(self, relations: list[Relation], article: Article) -> list[Relation]:
        """An undated meeting of A and B takes the date of the article's one dated visit of A to B's country."""
        homes = self._home_states(relations, article)
        visits = [r for r in relations if r.predicate == "visited" and r.date is not None and r.subject.type == "Person"]
        out: list[Relation] = []
        for r in relations:
            if r.predicate == "met" and r.date is None and not r.undated_reason:
                matching = {
                    v.date.value: v
                    for v in visits
                    for guest, host in ((r.subject, r.object), (r.object, r.subject))
                    if v.subject.iri == guest.iri and (v.object.label if v.object.type == "State" else v.object.located_in) in homes.get(host.iri, set())
                }
                if len(matching) > 1 and article.published in matching:
                    matching = {article.published: matching[article.published]}  # the story's own visit
                if len(matching) == 1:
                    visit = next(iter(matching.values()))
                    assert visit.date is not None
                    r = replace(r, date=DateValue(visit.date.value, visit.date.text, "event"), confidence=round(r.confidence * 0.9, 3))
            out.append(r)
        return out

    def _event_dates(self, doc: Doc, relations: list[Relation], index) -> list[Relation]:  # noqa: ANN001
        """An undated relation whose clause refers to a dated visit or meeting of the article takes that date."""
        dated = [r for r in relations if r.date is not None and r.predicate in {"visited", "met"}]
        out: list[Relation] = []
        for r in relations:
            if r.date is not None or r.undated_reason or r.predicate in _TIMELESS:
                out.append(r)
                continue
            sent = doc.char_span(r.sentence_start, r.sentence_end, alignment_mode="expand")
            cue = _EVENT_CUE.search(r.evidence)
            if sent is None or cue is None:
                out.append(r)
                continue
            named = {m.entity.iri for t in sent for m in index.get(t.i, ())}
            source = next((d for d in dated if d.sentence_start != r.sentence_start and (d.subject.iri in named and d.object.iri in named)), None)
            source = source or next((d for d in dated if d.sentence_start != r.sentence_start and (d.subject.iri in named or d.object.iri in named)), None)
            if source is None or source.date is None:
                out.append(r)
                continue
            event_date = DateValue(source.date.value, source.date.text, "event")
            out.append(replace(r, date=event_date, confidence=round(r.confidence * 0.9, 3)))
        return out
