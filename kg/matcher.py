"""A fast evaluator of the DependencyMatcher patterns kg's rules compile to.

The relation rules are kept as spaCy DependencyMatcher patterns (kg/rules.py compiles them from the data file),
but they only use the `>` (child) and `<` (head) operators and the LEMMA, POS, DEP and LOWER attributes. For that
subset this matcher gives the same matches as spaCy's DependencyMatcher (tests/test_matcher.py checks it on real
articles) at a fraction of the cost: it starts only from tokens whose lemma is a trigger and walks the parse
directly, where spaCy's matcher first runs a token matcher for every node of every pattern over the whole document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token

_ATTRS = {"LEMMA": "lemma_", "POS": "pos_", "DEP": "dep_", "LOWER": "lower_"}


def _allowed(spec: Any) -> frozenset[str]:
    if isinstance(spec, dict):
        if set(spec) != {"IN"}:
            raise ValueError(f"unsupported attribute predicate {spec!r} (only IN)")
        return frozenset(spec["IN"])
    return frozenset([spec])


class _Node:
    __slots__ = ("attrs", "left", "op")

    def __init__(self, node: dict[str, Any], ids: dict[str, int]) -> None:
        unknown = set(node.get("RIGHT_ATTRS", {})) - set(_ATTRS)
        if unknown:
            raise ValueError(f"unsupported attributes {sorted(unknown)}")
        self.attrs = tuple((_ATTRS[k], _allowed(v)) for k, v in node.get("RIGHT_ATTRS", {}).items())
        self.op = node.get("REL_OP")
        if self.op not in {None, ">", "<"}:
            raise ValueError(f"unsupported operator {self.op!r} (only > and <)")
        self.left = ids[node["LEFT_ID"]] if "LEFT_ID" in node else None

    def fits(self, token: Token) -> bool:
        return all(getattr(token, attr) in values for attr, values in self.attrs)


class PatternMatcher:
    """Matches DependencyMatcher-style patterns (`>` and `<`, LEMMA/POS/DEP/LOWER) on parsed documents."""

    def __init__(self, vocab) -> None:  # noqa: ANN001 - spacy.vocab.Vocab
        self.vocab = vocab
        self._patterns: list[tuple[int, list[_Node]]] = []
        self._by_lemma: dict[str, list[int]] = defaultdict(list)
        self._lemma_ids: set[int] = set()

    def add(self, key: str, patterns: list[list[dict[str, Any]]]) -> None:
        """Add patterns under a key; the first node of each must constrain LEMMA."""
        key_id = self.vocab.strings.add(key)
        for pattern in patterns:
            ids = {node["RIGHT_ID"]: i for i, node in enumerate(pattern)}
            nodes = [_Node(node, ids) for node in pattern]
            lemmas = dict(nodes[0].attrs).get("lemma_")
            if lemmas is None:
                raise ValueError(f"pattern {key!r}: its first node must constrain LEMMA")
            index = len(self._patterns)
            self._patterns.append((key_id, nodes))
            for lemma in lemmas:
                self._by_lemma[lemma].append(index)
                self._lemma_ids.add(self.vocab.strings.add(lemma))

    def _bind(self, nodes: list[_Node], bound: list[Token]) -> Iterator[list[Token]]:
        if len(bound) == len(nodes):
            yield list(bound)
            return
        node = nodes[len(bound)]
        anchor = bound[node.left]  # type: ignore[index]
        candidates = anchor.children if node.op == ">" else ([anchor.head] if anchor.head.i != anchor.i else [])
        for token in candidates:
            if node.fits(token):
                bound.append(token)
                yield from self._bind(nodes, bound)
                bound.pop()

    def __call__(self, doc: Doc) -> list[tuple[int, list[int]]]:
        """(key id, token indices in node order) for every match, like spaCy's DependencyMatcher."""
        matches: list[tuple[int, list[int]]] = []
        strings = self.vocab.strings
        for i, lemma in enumerate(doc.to_array(LEMMA).tolist()):
            candidates = self._by_lemma.get(strings[lemma]) if lemma in self._lemma_ids else None
            if not candidates:
                continue
            token = doc[i]
            for index in candidates:
                key_id, nodes = self._patterns[index]
                if nodes[0].fits(token):
                    matches.extend((key_id, [t.i for t in binding]) for binding in self._bind(nodes, [token]))
        return matches
