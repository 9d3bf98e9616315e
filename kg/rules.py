"""Relation rules read from `kg/data/rules/relations.yaml` and compiled into DependencyMatcher patterns."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from kg.lexicon import load_data

_STEP = re.compile(r"^([<>])([a-z:]*)(?:\[([^\]]*)\])?(?:\{([^}]*)\})?$", re.IGNORECASE)


@dataclass(frozen=True)
class DependencyRule:
    """A trigger with argument paths; compiled to one DependencyMatcher pattern per path."""

    id: str
    predicate: str
    lemmas: tuple[str, ...]
    pos: tuple[str, ...]
    subject: tuple[str, ...] = ()
    object: tuple[str, ...] = ()
    pair: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    confidence: float = 0.7


@dataclass(frozen=True)
class SentenceRule:
    """A sentence-level cue relating two entities of the allowed types."""

    id: str
    predicate: str
    cue: re.Pattern[str]
    needs_value: bool = False
    confidence: float = 0.5


@dataclass(frozen=True)
class RuleSet:
    """Every rule with the argument types of each predicate and the commodity words."""

    types: dict[str, dict[str, tuple[str, ...]]]
    dependency: tuple[DependencyRule, ...]
    sentence: tuple[SentenceRule, ...]
    commodities: dict[str, tuple[str, ...]]


def _steps(path: str, start: str, prefix: str) -> list[dict[str, Any]]:
    """DependencyMatcher nodes for one path, starting from the node `start`."""
    nodes: list[dict[str, Any]] = []
    left = start
    for i, step in enumerate(path.split()):
        match = _STEP.match(step)
        if not match:
            raise ValueError(f"bad rule path step {step!r} in {path!r}")
        op, label, words, lemmas = match.groups()
        attrs: dict[str, Any] = {}
        if op == ">" and label:
            attrs["DEP"] = label
        if op == "<" and label:
            raise ValueError(f"'<' takes a part of speech in brackets, not a label: {step!r}")
        if words:
            values = words.split("|")
            attrs["POS" if op == "<" else "LOWER"] = {"IN": values}
        if lemmas:
            attrs["LEMMA"] = {"IN": lemmas.split("|")}
        node_id = f"{prefix}{i}"
        nodes.append({"LEFT_ID": left, "REL_OP": op, "RIGHT_ID": node_id, "RIGHT_ATTRS": attrs})
        left = node_id
    return nodes


def compile_rule(rule: DependencyRule) -> dict[str, list[list[dict[str, Any]]]]:
    """Patterns keyed `RULE|ROLE|N`; the last node of each is the argument token."""
    trigger = {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": {"IN": list(rule.lemmas)}, "POS": {"IN": list(rule.pos)}}}
    required: list[dict[str, Any]] = []
    for n, path in enumerate(rule.require):
        required.extend(_steps(path, "trigger", f"req{n}_"))
    patterns: dict[str, list[list[dict[str, Any]]]] = {}
    for role in ("subject", "object", "pair"):
        for n, path in enumerate(getattr(rule, role)):
            patterns[f"{rule.id}|{role}|{n}"] = [[trigger, *required, *_steps(path, "trigger", "arg")]]
    if not patterns:
        patterns[f"{rule.id}|trigger|0"] = [[trigger, *required]]
    return patterns


def _tuple(raw: dict, name: str) -> tuple[str, ...]:
    return tuple(str(v) for v in raw.get(name) or ())


@functools.cache
def load_rules() -> RuleSet:
    """The package's relation rules."""
    raw = load_data("rules/relations.yaml")
    types = {p: {k: tuple(v) for k, v in spec.items()} for p, spec in raw["types"].items()}
    dependency = tuple(
        DependencyRule(
            id=r["id"],
            predicate=r["predicate"],
            lemmas=_tuple(r["trigger"], "lemma"),
            pos=_tuple(r["trigger"], "pos"),
            subject=_tuple(r, "subject"),
            object=_tuple(r, "object"),
            pair=_tuple(r, "pair"),
            require=_tuple(r, "require"),
            confidence=float(r.get("confidence", 0.7)),
        )
        for r in raw["dependency"]
    )
    sentence = tuple(
        SentenceRule(
            id=r["id"],
            predicate=r["predicate"],
            cue=re.compile(r["cue"], re.IGNORECASE),
            needs_value=bool(r.get("needs_value")),
            confidence=float(r.get("confidence", 0.5)),
        )
        for r in raw["sentence"]
    )
    for rule in (*dependency, *sentence):
        if rule.predicate not in types:
            raise ValueError(f"rule {rule.id}: unknown predicate {rule.predicate}")
    commodities = {k: tuple(v) for k, v in raw["commodities"].items()}
    return RuleSet(types, dependency, sentence, commodities)
