"""kg's pattern matcher gives exactly spaCy's DependencyMatcher matches for the compiled relation rules."""

from __future__ import annotations


import pytest
from spacy.matcher import DependencyMatcher

from kg.extract import Extractor
from kg.ingest import read_inputs
from kg.matcher import PatternMatcher
from kg.rules import compile_rule, load_rules
from tests.conftest import ARTICLES, ROOT


def test_same_matches_as_spacy_dependency_matcher() -> None:
    extractor = Extractor()
    ours, theirs = PatternMatcher(extractor.nlp.vocab), DependencyMatcher(extractor.nlp.vocab)
    for rule in load_rules().dependency:
        for key, patterns in compile_rule(rule).items():
            ours.add(key, patterns)
            theirs.add(key, patterns)
    texts = [a.text for a in read_inputs([ARTICLES, ROOT / "corpus"]) if hasattr(a, "text")]
    total = 0
    for doc in extractor.nlp.pipe(texts):
        a = sorted((k, tuple(ids)) for k, ids in ours(doc))
        b = sorted((k, tuple(ids)) for k, ids in theirs(doc))
        assert a == b
        total += len(a)
    assert total > 200


def test_unsupported_patterns_are_refused() -> None:
    matcher = PatternMatcher(Extractor().nlp.vocab)
    with pytest.raises(ValueError, match="operator"):
        matcher.add("x", [[{"RIGHT_ID": "t", "RIGHT_ATTRS": {"LEMMA": "visit"}}, {"LEFT_ID": "t", "REL_OP": ">>", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}]])
    with pytest.raises(ValueError, match="LEMMA"):
        matcher.add("y", [[{"RIGHT_ID": "t", "RIGHT_ATTRS": {"POS": "VERB"}}]])
