"""Evaluation: kg's own scorer for gold annotations in the evaluation schema (entities, relations, dates)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.records import ENTITY_TYPES, SYMMETRIC


def _name(label: str | None) -> str:
    """The evaluation schema's name key: accents stripped, casefolded, punctuation as spaces, a leading "the" dropped."""
    text = unicodedata.normalize("NFKD", label or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D").casefold()
    text = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()
    return re.sub(r"^the ", "", text)


@dataclass
class Counts:
    """True positives, false positives and false negatives, with the derived scores."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        """Precision."""
        return round(self.tp / (self.tp + self.fp), 3) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        """Recall."""
        return round(self.tp / (self.tp + self.fn), 3) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (from unrounded values)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return round(2 * p * r / (p + r), 3) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The counts and scores as a plain dict."""
        return {"p": self.p, "r": self.r, "f1": self.f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Evaluation:
    """Scores of a prediction file against a gold folder."""

    articles: int = 0
    entities: Counts = field(default_factory=Counts)
    entities_by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})
    entities_untyped: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    relations_by_predicate: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    dated: int = 0
    dates_exact: int = 0
    dates_prefix: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def date_accuracy(self) -> float | None:
        """Share of matched dated gold relations whose predicted date is exactly the gold's."""
        return round(self.dates_exact / self.dated, 3) if self.dated else None

    def as_dict(self) -> dict:
        """The evaluation in the shape of score.py --json."""
        return {
            "articles": self.articles,
            "entities": self.entities.as_dict(),
            "entities_untyped": self.entities_untyped.as_dict(),
            "entities_by_type": {t: c.as_dict() for t, c in self.entities_by_type.items()},
            "relations": self.relations.as_dict(),
            "relations_by_predicate": {p: c.as_dict() for p, c in sorted(self.relations_by_predicate.items())},
            "date_accuracy": self.date_accuracy,
            "date_accuracy_prefix": round(self.dates_prefix / self.dated, 3) if self.dated else None,
            "dated_matched": self.dated,
        }


class _Gold:
    """One gold file, with its names resolved through its own aliases and the set's."""

    def __init__(self, data: dict, shared: dict[str, set[str]]) -> None:
        self.id = data["id"]
        self.shared = shared
        self.alias: dict[str, str] = {}
        types: dict[str, str] = {}
        for e in data["entities"]:
            name = _name(e["name"])
            types[name] = e["type"]
            for a in [e["name"], *e.get("aliases", [])]:
                self.alias.setdefault(_name(a), name)
        self.entities = {(t, n) for n, t in types.items()}
        self.relations: dict[tuple[str, str, str], str | None] = {}
        for r in data["relations"]:
            self.relations.setdefault(self.rkey(r["predicate"], self.key(r["subject"]), self.key(r["object"])), r.get("date"))

    def key(self, label: str) -> str:
        name = _name(label)
        if name in self.alias:
            return self.alias[name]
        names = self.shared.get(name, set())
        return next(iter(names)) if len(names) == 1 else name

    @staticmethod
    def rkey(predicate: str, s: str, o: str) -> tuple[str, str, str]:
        return (predicate, *sorted((s, o))) if predicate in SYMMETRIC else (predicate, s, o)  # type: ignore[return-value]


def _stem(source: str) -> str:
    return Path(str(source)).name.rsplit(".", 1)[0]


def evaluate(gold_dir: Path, predictions: Iterable[dict]) -> Evaluation:
    """Score prediction records (the JSONL export) against every gold file of a folder."""
    paths = sorted(Path(gold_dir).glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no gold files (*.json) in {gold_dir}")
    raw = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    shared: dict[str, set[str]] = defaultdict(set)
    for data in raw:
        for e in data["entities"]:
            for a in [e["name"], *e.get("aliases", [])]:
                shared[_name(a)].add(_name(e["name"]))
    golds = {g.id: g for g in (_Gold(d, shared) for d in raw)}
    predicted_entities: dict[str, set[tuple[str, str]]] = defaultdict(set)
    predicted_relations: dict[str, dict[tuple[str, str, str], set]] = defaultdict(dict)
    for record in predictions:
        gold = golds.get(_stem(record.get("source", "")))
        if gold is None:
            continue
        if record.get("kind") == "entity":
            predicted_entities[gold.id].add((record.get("type"), gold.key(record.get("label", ""))))
        elif record.get("kind") == "relation":
            k = gold.rkey(record.get("predicate"), gold.key(record.get("subject", "")), gold.key(record.get("object", "")))
            predicted_relations[gold.id].setdefault(k, set()).add(record.get("date"))
    result = Evaluation(articles=len(golds))
    for gid, gold in golds.items():
        predicted = predicted_entities[gid]
        for t in ENTITY_TYPES:
            g = {e for e in gold.entities if e[0] == t}
            p = {e for e in predicted if e[0] == t}
            c = result.entities_by_type[t]
            c.tp += len(g & p)
            c.fp += len(p - g)
            c.fn += len(g - p)
        gold_names, predicted_names = {e[1] for e in gold.entities}, {e[1] for e in predicted}
        result.entities_untyped.tp += len(gold_names & predicted_names)
        result.entities_untyped.fp += len(predicted_names - gold_names)
        result.entities_untyped.fn += len(gold_names - predicted_names)
        gk, pk = set(gold.relations), set(predicted_relations[gid])
        for k in sorted(gk | pk, key=str):
            c = result.relations_by_predicate[k[0]]
            if k in gk and k in pk:
                result.relations.tp += 1
                c.tp += 1
                gold_date = gold.relations[k]
                if gold_date:
                    dates = predicted_relations[gid][k]
                    result.dated += 1
                    result.dates_prefix += any(d and str(d).startswith(gold_date) for d in dates)
                    if any(d and str(d) == gold_date for d in dates):
                        result.dates_exact += 1
                    else:
                        result.errors.append(f"{gid} DATE {k} gold={gold_date} pred={sorted(map(str, dates))}")
            elif k in pk:
                result.relations.fp += 1
                c.fp += 1
                result.errors.append(f"{gid} FP {k}")
            else:
                result.relations.fn += 1
                c.fn += 1
                result.errors.append(f"{gid} FN {k}")
    for c in result.entities_by_type.values():
        result.entities.tp += c.tp
        result.entities.fp += c.fp
        result.entities.fn += c.fn
    return result
