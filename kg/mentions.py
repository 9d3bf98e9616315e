"""Mentions: the spans of a parsed article that may name an actor (gazetteer, NER, named agreements)."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.lexicon import load_lexicon
from kg.text import key

NER_LABELS = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Infrastructure", "NORP": None}


def kg_type(token) -> str:  # noqa: ANN001 - a spaCy Token
    """The entity type of a token: the gazetteer's type when kg.nlp's rulers named it (their ids are "Type|Label", or
    "surname|name" for a Person), else the NER label."""
    ent_id = token.ent_id_
    if not ent_id:
        return token.ent_type_
    kind = ent_id.partition("|")[0]
    return "Person" if kind == "surname" else kind


@dataclass(frozen=True)
class Span:
    """A candidate mention: where it is, what found it, and the gazetteer id when a ruler matched it."""

    start: int
    end: int
    text: str
    kind: str  # gazetteer | surname | ner | agreement | demonym
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
        spans.append(Span(start, end, text[start:end], "agreement", "Agreement", "quoted"))
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


def _demonym_spans(doc: Doc, demonyms: Mapping[str, str], covered: set[int]) -> list[Span]:
    """Demonyms standing for their state: "the Azerbaijani side", "Azerbaijani gas", "Serbian ammunition"."""
    spans: list[Span] = []
    for token in doc:
        if token.i in covered or not token.text[:1].isupper():
            continue
        label = demonyms.get(key(token.text))
        if label is not None and token.pos_ in {"ADJ", "PROPN", "NOUN"}:
            spans.append(Span(token.idx, token.idx + len(token.text), token.text, "demonym", "State", f"State|{label}"))
    return spans


def _proper_name(ent) -> bool:  # noqa: ANN001 - a spaCy Span
    return all(t.pos_ == "PROPN" or (t.is_punct and t.text in "-.'’") for t in ent)


_TITLE_PREPS = {"on", "between", "of", "for", "regarding", "concerning", "about", "in"}
_NOT_IN_TITLES = {"DATE", "TIME", "GPE", "LOC", "State", "Place", "CARDINAL", "MONEY", "QUANTITY"}
_TITLE_POS = {"ADP", "NOUN", "PROPN", "ADJ", "DET", "NUM"}


def _extend_by_parse(doc: Doc, span: Span, sentence_end: int) -> Span:
    """Extend an unquoted title over the noun phrase that continues it ("... on strengthening strategic partnership")."""
    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    if tokens is None or tokens.end >= len(doc) or doc[tokens.end].lower_ not in _TITLE_PREPS:
        return span
    last = tokens.end - 1
    i = tokens.end
    while i < sentence_end and i - tokens.end < 40:
        t = doc[i]
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        if kg_type(t) in _NOT_IN_TITLES or t.like_num:
            break
        if t.pos_ in _TITLE_POS or t.tag_ == "VBG" or t.text in {"-", "–"}:
            pass
        elif (t.pos_ == "CCONJ" or t.text == ",") and nxt is not None and (nxt.pos_ in {"NOUN", "PROPN"} or nxt.pos_ == "CCONJ"):
            pass
        else:
            break
        if t.pos_ not in {"ADP", "DET", "CCONJ", "PUNCT"} and t.text != ",":
            last = i
        i += 1
    end = doc[last].idx + len(doc[last].text)
    if end <= span.end or end - span.start > 300:
        return span
    return Span(span.start, end, doc.text[span.start : end], span.kind, span.label)


def _trim_setting(doc: Doc, span: Span) -> Span:
    """Cut a title before a trailing setting it swallowed: "... Pipeline in Dubrovnik on 26 August 2016"."""
    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    if tokens is None:
        return span
    for t in tokens[2:]:
        previous = doc[t.i - 1]
        if previous.lower_ in {"in", "on", "at"} and (kg_type(t) in _NOT_IN_TITLES - {"State"} or t.like_num):
            end = doc[previous.i - 1].idx + len(doc[previous.i - 1].text)
            return Span(span.start, end, doc.text[span.start : end], span.kind, span.label, span.ent_id)
    return span


def _headline(sent) -> bool:  # noqa: ANN001 - a spaCy Span
    words = [t for t in sent if t.is_alpha and len(t.text) > 3]
    if sent.text.rstrip().endswith((".", "!", "?", '"', "”", "’", "'")):
        return False  # a headline has no closing punctuation; a sentence dense with names does
    return len(words) >= 4 and sum(t.text[0].isupper() for t in words) >= 0.8 * len(words)


def find_spans(doc: Doc, demonyms: Mapping[str, str] | None = None) -> list[Span]:
    """Every candidate mention in a parsed article: named agreements, the entities (also inside titles), demonyms."""
    sentences = list(doc.sents)
    starts = [s.start for s in sentences]

    def sentence(i: int):  # noqa: ANN202 - a spaCy Span
        return sentences[bisect.bisect_right(starts, i) - 1]

    headlines = {s.start for s in sentences if _headline(s)}
    spans = []
    text = doc.text
    for s in agreement_spans(text):
        if s.ent_id != "quoted":
            s = _trim_setting(doc, s)
            first = doc.char_span(s.start, s.end, alignment_mode="expand")
            s = _extend_by_parse(doc, s, sentence(first.start).end) if first is not None else s
        spans.append(s)
    covered = {t.i for ent in doc.ents if ent.ent_id_ for t in ent}
    spans.extend(_demonym_spans(doc, demonyms or {}, covered))
    for ent in doc.ents:
        if ent.ent_id_:  # a gazetteer name
            kind = "surname" if ent.ent_id_.startswith("surname|") else "gazetteer"
            spans.append(Span(ent.start_char, ent.end_char, ent.text, kind, kg_type(ent[0]), ent.ent_id_))
        elif ent.label_ in NER_LABELS and not (ent.label_ == "PERSON" and not _proper_name(ent) or sentence(ent.start).start in headlines):
            spans.append(Span(ent.start_char, ent.end_char, ent.text, "ner", ent.label_))
    return sorted(spans, key=lambda s: (s.start, -s.end))
