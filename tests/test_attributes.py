"""kg's attribute-rule evaluator leaves every token exactly as the model's own attribute_ruler does."""

from __future__ import annotations

import pytest

from kg.attributes import FastAttributeRuler, UnsupportedRule, use_fast_attribute_ruler
from kg.ingest import read_inputs
from kg.nlp import build_pipeline, load_model
from tests.conftest import ARTICLES, ROOT

# Our own sentences for the rules ordinary news rarely reaches: contractions, two-token rules, whitespace tokens,
# pronoun case, determiners used as pronouns, auxiliaries used as main verbs, negation.
ODD = (
    "I ain't gonna sign it, y'all said. Let's go! C'mon, we gotta leave.\n\n  There is nothin' doin' here; "
    "it's 'em again.  I did. Did you? It was I who saw it, and that is that.\n \t Those were the days; "
    "she hasn't got a clue, 'nuff said. He'll be there, won't he? Ol' Baku gets busy."
)


def _tokens(nlp, texts: list[str]) -> list[tuple]:  # noqa: ANN001 - spacy.language.Language
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_)
        for doc in nlp.pipe(texts)
        for t in doc
    ]


def test_same_tokens_as_the_shipped_attribute_ruler() -> None:
    shipped, fast = load_model(), load_model()
    assert use_fast_attribute_ruler(fast)
    assert "attribute_ruler" not in fast.pipe_names
    assert fast.pipe_names.index("kg_attribute_ruler") == shipped.pipe_names.index("attribute_ruler")
    texts = [a.text for a in read_inputs([ARTICLES, ROOT / "corpus"]) if hasattr(a, "text")] + [ODD]
    theirs, ours = _tokens(shipped, texts), _tokens(fast, texts)
    assert len(ours) > 3_000
    assert ours == theirs
    # the rules did work: "gonna" is two tokens with the lemmas "go" and "to", whitespace is SPACE
    odd = {(t[0], t[4]) for t in ours[-len(_tokens(fast, [ODD])):]}
    assert {("gon", "go"), ("na", "to"), ("'em", "them")} <= odd


def test_kg_pipeline_uses_it() -> None:
    assert "kg_attribute_ruler" in build_pipeline().pipe_names


def test_a_rule_it_cannot_reproduce_keeps_the_shipped_ruler() -> None:
    nlp = load_model()
    nlp.get_pipe("attribute_ruler").add([[{"LOWER": "very", "OP": "+"}]], {"LEMMA": "very"})
    assert not use_fast_attribute_ruler(nlp)
    assert "attribute_ruler" in nlp.pipe_names and "kg_attribute_ruler" not in nlp.pipe_names
    with pytest.raises(UnsupportedRule, match="OP"):
        FastAttributeRuler(nlp.vocab, nlp.get_pipe("attribute_ruler"))
