"""The gazetteer: known actors with Wikidata ids, aliases, demonyms, offices and terms, read from data files."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from kg.text import fold, key

FILES = {
    "states.yaml": "State",
    "persons.yaml": "Person",
    "organizations.yaml": "Organization",
    "infrastructure.yaml": "Infrastructure",
    "places.yaml": "Place",
}


@dataclass(frozen=True)
class Office:
    """A post held by a person over a term."""

    role: str
    of: str
    start: str | None = None
    end: str | None = None
    to: str | None = None

    def held_on(self, day: str) -> bool:
        """Whether the term covers an ISO date (partial dates compare by their prefix)."""
        return (self.start is None or self.start[: len(day)] <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry."""

    label: str
    type: str
    qid: str | None = None
    checked: bool = False
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capital: str | None = None
    state: str | None = None  # the state a place lies in, or an organisation's country
    metonym_of: str | None = None
    kind: str | None = None
    offices: tuple[Office, ...] = ()
    connects: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The label and aliases, each also without diacritics."""
        forms = dict.fromkeys([self.label, *self.aliases])
        forms.update(dict.fromkeys(fold(f) for f in list(forms)))
        return tuple(forms)

    @property
    def surname(self) -> str | None:
        """A person's family name (the last word of the label)."""
        return fold(self.label.split()[-1]) if self.type == "Person" and " " in self.label else None


@dataclass
class Gazetteer:
    """All entries with look-ups by surface form, demonym and office."""

    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_key: dict[str, list[Entry]] = defaultdict(list)
        self.by_label: dict[tuple[str, str], Entry] = {}
        self.demonyms: dict[str, Entry] = {}
        self.by_surname: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            self.by_label[(entry.type, entry.label)] = entry
            for form in entry.surface_forms:
                if entry not in self.by_key[key(form)]:
                    self.by_key[key(form)].append(entry)
            for demonym in entry.demonyms:
                self.demonyms.setdefault(key(demonym), entry)
            if entry.surname:
                self.by_surname[key(entry.surname)].append(entry)

    @property
    def demonym_labels(self) -> dict[str, str]:
        """Demonym key -> the label of its state."""
        return {k: e.label for k, e in self.demonyms.items()}

    def get(self, type_: str, label: str) -> Entry | None:
        """The entry of a type with this exact canonical label."""
        return self.by_label.get((type_, label))

    def lookup(self, surface: str) -> list[Entry]:
        """Entries any of whose surface forms equals `surface` (accent- and case-insensitive)."""
        return self.by_key.get(key(surface), [])

    def state(self, label: str) -> Entry | None:
        """A State entry by canonical label."""
        return self.by_label.get(("State", label))

    def holders(self, role: str, of: str, day: str | None) -> list[Entry]:
        """Persons holding `role` of `of` on `day` (any time when day is None)."""
        return [
            e
            for e in self.entries
            if e.type == "Person"
            and any(o.role == role and o.of == of and (day is None or o.held_on(day)) for o in e.offices)
        ]


def _entry(raw: dict, type_: str) -> Entry:
    def strings(name: str) -> tuple[str, ...]:
        return tuple(str(v) for v in raw.get(name) or ())

    offices = tuple(
        Office(
            role=str(o["role"]),
            of=str(o["of"]),
            start=str(o["start"]) if o.get("start") else None,
            end=str(o["end"]) if o.get("end") else None,
            to=str(o["to"]) if o.get("to") else None,
        )
        for o in raw.get("offices") or ()
    )
    return Entry(
        label=str(raw["label"]),
        type=type_,
        qid=raw.get("qid") or None,
        checked=bool(raw.get("checked")),
        aliases=strings("aliases") + strings("official_names"),
        demonyms=strings("demonyms"),
        capital=raw.get("capital"),
        state=raw.get("state") or raw.get("country"),
        metonym_of=raw.get("metonym_of"),
        kind=raw.get("kind"),
        offices=offices,
        connects=strings("connects"),
        part_of=strings("part_of"),
        parent=raw.get("parent"),
    )


def read_gazetteer(folder: Path | None = None) -> Gazetteer:
    """Read the five gazetteer files from `folder` (default: the package's data)."""
    base = resources.files("kg").joinpath("data/gazetteer") if folder is None else folder
    entries: list[Entry] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name, type_ in FILES.items():
        path = base.joinpath(name)
        if not path.is_file():
            continue
        for raw in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            entries.append(_entry(raw, type_))
    return Gazetteer(entries)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The package's gazetteer, read once per process."""
    return read_gazetteer()
