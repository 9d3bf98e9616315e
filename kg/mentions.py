"""Mentions: the spans of a parsed article that may name an actor (gazetteer, NER, named agreements)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.lexicon import load_lexicon

NER_LABELS = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Infrastructure", "NORP": None}
GAZ_LABELS = {"State", "Person", "Organization", "Infrastructure", "Place"}


@dataclass(frozen=True)
class Span:
    """A candidate mention: where it is, what found it, and the gazetteer id when a ruler matched it."""

    start: int
    end: int
    text: str
    kind: str  # gazetteer | surname | ner | agreement
    label: str  # entity type, or the NER label
    ent_id: str = ""


@functools.cache
def _quoted_pattern() -> re.Pattern[str]:
    heads = "|".join(sorted((re.escape(h) for h in load_lexicon("agreements")["heads"]), key=len, reverse=True))
    return re.compile(rf"[\"“«]\s*((?:[\w-]+\s+){{0,6}}?(?:{heads})\b[^\"”»]{{3,300}}?)\s*[,.]?[\"”»]", re.IGNORECASE)


@functools.cache
def _head_pattern() -> re.Pattern[str]:
    heads = sorted(load_lexicon("agreements")["heads"], key=len, reverse=True)
    alternatives = "|".join(re.escape(h.title()).replace(r"\ ", r"\s+") for h in heads)
    return re.compile(rf"\b((?:[A-Z][\w-]*\s+){{0,3}}?)({alternatives})\b")


_WORD = re.compile(r"\s+([\w’'-]+)")


def _title_after(text: str, pos: int) -> int:
    """The end of a title that starts at `pos`: capitalised words, numbers and small linking words."""
    small = set(load_lexicon("agreements")["title_words"])
    dates = load_lexicon("dates")
    stops = set(dates["months"]) | set(dates["weekdays"])
    end, last_good = pos, pos
    while (m := _WORD.match(text, end)) is not None:
        word = m.group(1)
        if word.lower() in stops or re.fullmatch(r"(19|20)\d\d", word):
            break
        if word[0].isupper() or word[0].isdigit():
            last_good = m.end()
        elif word.lower() not in small:
            break
        end = m.end()
    return last_good


def agreement_spans(text: str) -> list[Span]:
    """Named documents: quoted titles, and capitalised heads with their title ("Memorandum of Understanding on ...")."""
    lex = load_lexicon("agreements")
    needs_title = set(lex["needs_title"])
    spans: list[Span] = []
    for m in _quoted_pattern().finditer(text):
        start, end = m.span(1)
        if text[start:end].startswith("The "):
            start += 4
        spans.append(Span(start, end, text[start:end], "agreement", "Agreement"))
    for m in _head_pattern().finditer(text):
        if any(s.start <= m.start(2) < s.end for s in spans):
            continue
        qualifier = m.group(1).strip()
        start = m.start(1) if qualifier and qualifier not in {"The", "This", "That", "A", "An"} else m.start(2)
        end = _title_after(text, m.end(2))
        head = re.sub(r"\s+", " ", m.group(2)).lower()
        if head in needs_title and end == m.end(2) and start == m.start(2):
            continue
        spans.append(Span(start, end, text[start:end], "agreement", "Agreement"))
    return spans


def find_spans(doc: Doc) -> list[Span]:
    """Every candidate mention in a parsed article: named agreements and the entities (also those inside titles)."""
    spans = agreement_spans(doc.text)
    for ent in doc.ents:
        if ent.label_ in GAZ_LABELS:
            kind = "surname" if ent.ent_id_.startswith("surname|") else "gazetteer"
            spans.append(Span(ent.start_char, ent.end_char, ent.text, kind, ent.label_, ent.ent_id_))
        elif ent.label_ in NER_LABELS:
            spans.append(Span(ent.start_char, ent.end_char, ent.text, "ner", ent.label_))
    return sorted(spans, key=lambda s: (s.start, -s.end))
