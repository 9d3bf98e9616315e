"""A fast evaluator of the model's own attribute rules (its `attribute_ruler`: tag map, morph rules, exceptions).

The English model maps each fine-grained tag to a coarse POS and morphology, and fixes a few lemmas, with about two
hundred Matcher patterns of one or two tokens on TAG, LOWER, DEP and IS_SPACE. spaCy's Matcher runs every pattern's
state machine over every token, which costs about a sixth of the whole parse. The rules depend only on a token's
(tag, lower, dep, is-space) and, for the two-token ones, its neighbour's, so this component evaluates each distinct
combination once, remembers the answer, and applies the same attribute values in the same order as spaCy's
AttributeRuler (later rules win). tests/test_attributes.py checks that every token comes out identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs
from spacy.vocab import Vocab

_ATTRS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}  # the token attributes the rules may test
_ARRAY = list(_ATTRS.values())  # the columns of a token's row, in this order
_COLUMNS = {name: column for column, name in enumerate(_ATTRS)}
_CACHE_LIMIT = 200_000

Test = Callable[[tuple[int, int, int, int]], bool]


class UnsupportedRule(ValueError):
    """A rule this evaluator cannot reproduce exactly (the shipped AttributeRuler is kept then)."""


def _test(vocab: Vocab, attr: str, spec: Any) -> Test:
    """One token attribute's predicate, over a row of (tag, lower, dep, is_space) values."""
    if attr not in _COLUMNS:
        raise UnsupportedRule(f"attribute {attr!r}")
    column = _COLUMNS[attr]
    if attr == "IS_SPACE":
        if not isinstance(spec, bool):
            raise UnsupportedRule(f"IS_SPACE predicate {spec!r}")
        return lambda row: bool(row[column]) == spec
    if isinstance(spec, str):
        value = vocab.strings.add(spec)
        return lambda row: row[column] == value
    if isinstance(spec, dict) and len(spec) == 1:
        (op, arg), = spec.items()
        if op in {"IN", "NOT_IN"} and isinstance(arg, list):
            values = frozenset(vocab.strings.add(v) for v in arg)
            return (lambda row: row[column] in values) if op == "IN" else (lambda row: row[column] not in values)
        if op == "REGEX" and isinstance(arg, str):
            regex = re.compile(arg)
            return lambda row: bool(regex.search(vocab.strings[row[column]]))
    raise UnsupportedRule(f"{attr} predicate {spec!r}")


def _token_test(vocab: Vocab, token: dict) -> Test:
    tests = [_test(vocab, attr, spec) for attr, spec in token.items()]
    return lambda row: all(test(row) for test in tests)


class FastAttributeRuler:
    """Applies an AttributeRuler's rules with the same result, evaluating each distinct token context once."""

    def __init__(self, vocab: Vocab, ruler: AttributeRuler) -> None:
        self.attrs = list(ruler.attrs)
        self.single: list[tuple[int, Test]] = []  # (rule id, test)
        self.double: list[tuple[int, Test, Test, int]] = []  # (rule id, first test, second test, index in the pair)
        for rule, entry in enumerate(ruler.patterns):
            index = ruler.indices[rule]
            for pattern in entry["patterns"]:
                if any(set(token) & {"OP", "_"} for token in pattern) or len(pattern) not in (1, 2):
                    raise UnsupportedRule(f"pattern {pattern!r}")
                if not -len(pattern) <= index < len(pattern):
                    raise UnsupportedRule(f"index {index} outside pattern {pattern!r}")
                tests = [_token_test(vocab, token) for token in pattern]
                if len(tests) == 1:
                    self.single.append((rule, tests[0]))
                else:
                    self.double.append((rule, tests[0], tests[1], index % 2))
        self._cache: dict[tuple[int, int, int, int], tuple[tuple[int, ...], frozenset[int], frozenset[int]]] = {}

    def _context(self, row: tuple[int, int, int, int]) -> tuple[tuple[int, ...], frozenset[int], frozenset[int]]:
        """(single-token rules that match, pair rules whose first token matches, pair rules whose second matches)."""
        found = self._cache.get(row)
        if found is None:
            found = (
                tuple(rule for rule, test in self.single if test(row)),
                frozenset(n for n, (_rule, first, _second, _i) in enumerate(self.double) if first(row)),
                frozenset(n for n, (_rule, _first, second, _i) in enumerate(self.double) if second(row)),
            )
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[row] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        """Set POS, MORPH, LEMMA (and the rest the rules name) on every token, as spaCy's AttributeRuler does."""
        contexts = [self._context(tuple(row)) for row in doc.to_array(_ARRAY).tolist()]
        matches: list[tuple[int, int, int]] = []  # (rule id, start, token index): spaCy's order
        for i, (single, firsts, _seconds) in enumerate(contexts):
            matches.extend((rule, i, i) for rule in single)
            if firsts and i + 1 < len(contexts):
                for n in firsts & contexts[i + 1][2]:
                    rule, _first, _second, index = self.double[n]
                    matches.append((rule, i, i + index))
        matches.sort()
        for rule, _start, i in matches:
            set_token_attrs(doc[i], self.attrs[rule])
        return doc


@Language.factory("kg_attribute_ruler")
def make_fast_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    """FastAttributeRuler with the rules of the pipeline's `attribute_ruler` (added beside it, which it then replaces)."""
    return FastAttributeRuler(nlp.vocab, nlp.get_pipe("attribute_ruler"))


def use_fast_attribute_ruler(nlp: Language) -> bool:
    """Replace the model's attribute_ruler by FastAttributeRuler with its rules; False (nothing changed) when the
    model has no attribute_ruler or a rule this evaluator cannot reproduce exactly."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    try:
        nlp.add_pipe("kg_attribute_ruler", after="attribute_ruler")
    except UnsupportedRule:
        return False
    nlp.remove_pipe("attribute_ruler")
    return True
