"""Write a synthetic news corpus for the benchmark: N articles from our own sentence templates and the gazetteer.

    python bench/generate.py --articles 10000 --out /tmp/corpus [--seed 0]

Every article is a `.txt` file with the kg header (url, outlet, published, title, blank line, text) and a body of
several paragraphs (about 250-500 words) about two states: visits, meetings and phone calls, signed named agreements,
strategic partnerships, gas/electricity/oil supply, pipelines connecting states, investment, trade turnover and
accusations, with the people who held the offices on the day (from the gazetteer's terms), event dates at every
precision (day, month, year, weekday, day without year) and published dates spread over 2005-2025.

The output is deterministic per seed, and article i depends only on (seed, i): `generate(1000, ...)` writes the same
first 1,000 files as `generate(10000, ...)`.  The sentences are our own; no text is copied from any source.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.gazetteer import Entry, Gazetteer, default_gazetteer

FIRST_DAY = dt.date(2005, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
MIN_WORDS, MAX_WORDS = 250, 500
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# The states the corpus is about (the first domain: Azerbaijan and South-East Europe), and partners seen less often.
FOCUS = "Azerbaijan"
REGION = [
    "Serbia", "Bulgaria", "Romania", "Greece", "Albania", "North Macedonia", "Montenegro", "Croatia", "Slovenia",
    "Bosnia and Herzegovina", "Kosovo", "Moldova", "Hungary", "Georgia", "Turkey", "Italy",
]
OTHERS = ["Armenia", "Russia", "Iran", "Ukraine", "United States", "United Kingdom", "Kazakhstan", "Turkmenistan", "Israel", "Poland"]
LEADER_ROLES = ("President", "Prime Minister")
MINISTER_ROLES = ("Foreign Minister", "Energy Minister", "Economy Minister", "Deputy Prime Minister")
SUPPLIERS = ["Azerbaijan", "Azerbaijan", "Azerbaijan", "Russia", "Turkmenistan", "Kazakhstan", "Romania", "Greece", "Turkey"]

FIELDS = [
    "Energy", "Renewable Energy", "Education", "Culture", "Tourism", "Agriculture", "Transport", "Healthcare",
    "Information and Communication Technologies", "Emergency Situations", "Youth and Sports", "Science and Technology",
    "Customs Matters", "Digital Development", "Environmental Protection", "Defence Industry", "Water Management",
    "Geology and Mining", "Civil Aviation", "Standardisation",
]
TOPICS = [
    "Mutual Protection of Investments", "Avoidance of Double Taxation", "International Road Transport",
    "Visa Exemption for Holders of Diplomatic Passports", "Economic Cooperation", "Air Services",
    "Cooperation in Combating Organised Crime", "Mutual Legal Assistance in Criminal Matters", "Social Security",
    "Cooperation in the Gas Sector", "Electricity Interconnection", "Military-Technical Cooperation",
]
ISSUES = [
    "energy security", "the connectivity of the Black Sea region", "transport corridors", "regional stability",
    "the green transition", "investment in infrastructure", "the diversification of gas supplies",
    "cooperation in international organisations", "tourism and direct flights", "the training of diplomats",
]
OUTLETS = [
    ("Caspian Ledger", "caspianledger"), ("Adriatic Dispatch", "adriaticdispatch"), ("Danube Observer", "danubeobserver"),
    ("Black Sea Courier", "blackseacourier"), ("Balkan Energy Letter", "balkanenergyletter"), ("Aegean Wire", "aegeanwire"),
    ("Southern Corridor Review", "southerncorridor"), ("Transcaspian Times", "transcaspiantimes"),
    ("Pannonian Post", "pannonianpost"), ("Morava Daily", "moravadaily"),
]
SECTIONS = ["politics", "energy", "economy", "diplomacy", "region"]
PREDICATES = (
    "holdsOffice", "visited", "met", "signed", "partyTo", "suppliesEnergyTo", "connects", "partOf",
    "strategicPartnerOf", "accused", "investsIn", "tradeTurnover",
)


# -- the gazetteer, indexed once -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Index:
    gazetteer: Gazetteer
    states: dict[str, Entry]
    people: dict[tuple[str, str], list[Entry]]  # (role, of) -> persons who ever held it
    companies: dict[str, list[str]]  # state -> company labels
    ministries: dict[str, list[str]]  # state -> ministry labels
    banks: tuple[str, ...]
    infrastructure: tuple[Entry, ...]  # entries connecting at least two endpoints
    parts: tuple[Entry, ...]  # entries that are part of another
    places: dict[str, list[str]]  # state -> city and town labels


@functools.cache
def index() -> Index:
    g = default_gazetteer()
    states = {e.label: e for e in g.entries if e.type == "State"}
    people: dict[tuple[str, str], list[Entry]] = {}
    companies: dict[str, list[str]] = {}
    ministries: dict[str, list[str]] = {}
    places: dict[str, list[str]] = {}
    banks = []
    for e in g.entries:
        if e.type == "Person":
            for o in e.offices:
                people.setdefault((o.role, o.of), []).append(e)
        elif e.type == "Organization" and e.kind == "company" and e.state:
            companies.setdefault(e.state, []).append(e.label)
        elif e.type == "Organization" and e.kind == "ministry" and e.state:
            ministries.setdefault(e.state, []).append(e.label)
        elif e.type == "Organization" and e.kind == "bank" and not e.state:
            banks.append(e.label)
        elif e.type == "Place" and e.kind in {"city", "town"} and e.state:
            places.setdefault(e.state, []).append(e.label)
    infra = tuple(e for e in g.entries if e.type == "Infrastructure" and sum(c in states for c in e.connects) >= 2)
    parts = tuple(e for e in g.entries if e.type == "Infrastructure" and e.part_of)
    return Index(g, states, people, companies, ministries, tuple(banks), infra, parts, places)


# -- one article's world: its states, people and dates -------------------------------------------------------------
@dataclass
class Person:
    name: str
    role: str
    state: str
    introduced: bool = False

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


class World:
    """The random choices of one article: the dyad, the day, the people in office that day, and a sentence log."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ix = index()
        span = (LAST_DAY - FIRST_DAY).days
        self.published = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        self.event = self.published - dt.timedelta(days=rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 6, 9, 14]))
        self.people: dict[tuple[str, str], Person | None] = {}
        # Most dyads are Azerbaijan and a state of the region; states whose leaders are known on the day come first.
        staffed = {s for s in (FOCUS, *REGION, *OTHERS) if self.holder(LEADER_ROLES, s)}
        a = FOCUS if rng.random() < 0.6 else rng.choice([s for s in REGION if s in staffed] or REGION)
        pool = [s for s in (REGION + OTHERS if rng.random() < 0.85 else OTHERS) if s != a]
        b = rng.choice([s for s in pool if s in staffed] or pool)
        self.a, self.b = (a, b) if rng.random() < 0.5 else (b, a)

    # states ---------------------------------------------------------------------------------------------------
    def state(self, label: str) -> Entry:
        return self.ix.states[label]

    def demonym(self, label: str) -> str:
        return self.state(label).demonyms[0]

    def capital(self, label: str) -> str:
        return self.state(label).capital or label

    def city(self, label: str) -> str:
        cities = self.ix.places.get(label) or [self.capital(label)]
        return self.rng.choice(cities) if self.rng.random() < 0.3 else self.capital(label)

    # people ---------------------------------------------------------------------------------------------------
    def holder(self, roles: tuple[str, ...], state: str, day: dt.date | None = None) -> Person | None:
        """Someone holding one of `roles` of `state` on `day` (the event day), the same person within an article."""
        iso = (day or self.event).isoformat()
        for role in roles:
            key = (role, state)
            if key not in self.people:
                holders = [e for e in self.ix.people.get(key, []) if any(o.role == role and o.of == state and o.held_on(iso) for o in e.offices)]
                self.people[key] = Person(holders[0].label, role, state) if holders else None
            if self.people[key]:
                return self.people[key]
        return None

    def leader(self, state: str) -> Person | None:
        roles = list(LEADER_ROLES)
        self.rng.shuffle(roles)
        return self.holder(tuple(roles), state)

    def minister(self, state: str) -> Person | None:
        return self.holder(MINISTER_ROLES, state)

    def named(self, p: Person) -> str:
        """The person's first mention with title, later ones by surname."""
        if p.introduced:
            return p.surname if self.rng.random() < 0.7 else p.name
        p.introduced = True
        forms = [
            f"{self.demonym(p.state)} {p.role} {p.name}",
            f"{p.role} of {p.state} {p.name}",
            f"{self.demonym(p.state)} {p.role} {p.name}",
        ]
        return self.rng.choice(forms)

    def actor(self, state: str, minister: bool = False) -> str:
        """A person of `state` when one is known for the day, else the state's government."""
        p = self.minister(state) if minister else self.leader(state)
        if p is None and minister:
            p = self.leader(state)
        if p is None:
            return self.rng.choice([f"the government of {state}", f"a delegation from {state}", state])
        return self.named(p)

    # organisations and infrastructure --------------------------------------------------------------------------
    def company(self, state: str) -> str | None:
        names = self.ix.companies.get(state)
        return self.rng.choice(names) if names else None

    def ministry(self, state: str) -> str:
        names = [m for m in self.ix.ministries.get(state, []) if "Foreign" in m]
        return names[0] if names else f"the Foreign Ministry of {state}"

    def infrastructure(self, *states: str, kinds: tuple[str, ...] = ()) -> Entry:
        pool = [e for e in self.ix.infrastructure if (not kinds or e.kind in kinds)]
        fitting = [e for e in pool if all(s in e.connects for s in states)] or [e for e in pool if any(s in e.connects for s in states)]
        return self.rng.choice(fitting or pool)

    # dates ----------------------------------------------------------------------------------------------------
    def day_text(self, d: dt.date, year: bool = True) -> str:
        if self.rng.random() < 0.5:
            return f"{d.day} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")
        return f"{MONTHS[d.month - 1]} {d.day}" + (f", {d.year}" if year else "")

    def when(self, d: dt.date | None = None) -> str:
        """An event date at a varied precision: full day, day without year, weekday, month or year."""
        d = d or self.event
        ago = (self.published - d).days
        choices = ["full", "full", "month", "year"]
        if d.year == self.published.year:
            choices += ["noyear", "noyear"]
        if 0 < ago < 7:
            choices += ["weekday", "weekday", "weekday"]
        if ago == 1:
            choices.append("yesterday")
        if ago == 0:
            choices += ["today", "noyear"]
        kind = self.rng.choice(choices)
        if kind == "full":
            return "on " + self.day_text(d)
        if kind == "noyear":
            return "on " + self.day_text(d, year=False)
        if kind == "weekday":
            return "on " + WEEKDAYS[d.weekday()]
        if kind == "yesterday":
            return "yesterday"
        if kind == "today":
            return "today"
        if kind == "month":
            return f"in {MONTHS[d.month - 1]} {d.year}"
        return f"in {d.year}"

    def past(self, years: tuple[int, int] = (1, 8)) -> dt.date:
        """An earlier day, for the background paragraphs."""
        back = self.rng.randint(years[0] * 365, years[1] * 365)
        return self.published - dt.timedelta(days=back)

    def money(self) -> str:
        n = self.rng.choice([12, 35, 40, 75, 120, 150, 230, 300, 450, 600, 850])
        unit = self.rng.choice(["million euros", "million US dollars", "million dollars"])
        if self.rng.random() < 0.25:
            return f"€{n} million" if self.rng.random() < 0.5 else f"${n} million"
        if self.rng.random() < 0.1:
            return f"{self.rng.choice(['1.2', '2.5', '3.4'])} billion euros"
        return f"{n} {unit}"

    def period(self) -> str:
        year = self.published.year - (1 if self.published.month < 4 else 0)
        return self.rng.choice([
            f"in {year}", "last year" if year < self.published.year else f"in {year}",
            f"in the first half of {year}", f"in the first nine months of {year}", f"between January and June {year}",
        ])


# -- sentence templates, one family per predicate (our own sentences) ----------------------------------------------
Template = Callable[[World], str]


def _pick(w: World, *options: Template) -> str:
    return w.rng.choice(options)(w)


def t_holds_office(w: World) -> str:
    p = w.leader(w.b) or w.minister(w.b)
    if p is None:
        return f"The government of {w.b} has repeatedly said that ties with {w.a} remain a priority."
    p.introduced = True
    return _pick(
        w,
        lambda w: f"{p.name}, who serves as {p.role} of {p.state}, said the talks had opened a new chapter.",
        lambda w: f"{p.name} is the {p.role} of {p.state} and has met counterparts from the region several times.",
        lambda w: f"As {p.role} of {p.state}, {p.name} has made relations with {w.a} a priority.",
    )


def t_visited(w: World) -> str:
    who = w.actor(w.a)
    return _pick(
        w,
        lambda w: f"{who} paid an official visit to {w.b} {w.when()}.",
        lambda w: f"{who} arrived in {w.capital(w.b)} {w.when()} for a two-day visit to {w.b}.",
        lambda w: f"{who} visited {w.b} {w.when()}, the first such trip in several years.",
        lambda w: f"{who} travelled to {w.city(w.b)} {w.when()} to open a business forum.",
        lambda w: f"During his visit to {w.b} {w.when()}, {who} laid a wreath at a memorial in {w.capital(w.b)}.",
    )


def t_met(w: World) -> str:
    x, y = w.actor(w.a), w.actor(w.b)
    return _pick(
        w,
        lambda w: f"{x} met {y} in {w.capital(w.b)} {w.when()}.",
        lambda w: f"{x} held talks with {y} {w.when()} on {w.rng.choice(ISSUES)}.",
        lambda w: f"{x} spoke by telephone with {y} {w.when()}, the two offices said.",
        lambda w: f"{y} received {x} {w.when()} and discussed {w.rng.choice(ISSUES)}.",
        lambda w: f"In a telephone conversation with {y} {w.when()}, {x} praised the pace of joint projects.",
    )


def _agreement(w: World) -> str:
    field = w.rng.choice(FIELDS)
    y = w.event.year
    return w.rng.choice([
        f"Memorandum of Understanding on Cooperation in the Field of {field}",
        f"Agreement between the Government of {w.a} and the Government of {w.b} on {w.rng.choice(TOPICS)}",
        f"Protocol on Cooperation in the Field of {field}",
        f"Joint Declaration on Strategic Partnership between {w.a} and {w.b}",
        f"Action Plan on Cooperation in the Field of {field} for {y}-{y + 2}",
        f"Intergovernmental Agreement on {w.rng.choice(TOPICS)}",
    ])


def t_signed(w: World) -> str:
    doc = _agreement(w)
    x, y = w.actor(w.a, minister=True), w.actor(w.b, minister=True)
    return _pick(
        w,
        lambda w: f"{x} and {y} signed the {doc} {w.when()}.",
        lambda w: f"The {doc} was signed {w.when()} by {x} and {y}.",
        lambda w: f"{w.a} and {w.b} signed a {doc} {w.when()}, bringing the number of bilateral documents to {w.rng.randint(20, 140)}.",
    )


def t_party_to(w: World) -> str:
    doc = _agreement(w)
    return _pick(
        w,
        lambda w: f"Both {w.a} and {w.b} are parties to the {doc}, which entered into force {w.when(w.past((1, 3)))}.",
        lambda w: f"Under the {doc}, {w.a} and {w.b} agreed to set up a joint working group.",
        lambda w: f"The {doc} commits {w.a} and {w.b} to annual consultations.",
    )


def _commodity(w: World) -> tuple[str, str]:
    return w.rng.choice([("natural gas", "gas"), ("gas", "gas"), ("electricity", "electricity"), ("green electricity", "electricity"), ("crude oil", "oil"), ("oil", "oil")])


def t_supplies(w: World) -> str:
    supplier = w.a if w.a in SUPPLIERS else w.rng.choice(SUPPLIERS)
    buyer = w.b if w.b != supplier else w.a
    noun, commodity = _commodity(w)
    kinds = {"gas": ("pipeline", "interconnector", "corridor"), "oil": ("pipeline",), "electricity": ("cable", "corridor")}[commodity]
    routes = [e.label for e in w.ix.infrastructure if e.kind in kinds and buyer in e.connects]
    company = w.company(supplier) or supplier
    volume = w.rng.choice(["one billion cubic metres", "400 million cubic metres", "1.5 billion cubic metres", "2.6 billion cubic metres"])
    if commodity == "electricity":
        volume = w.rng.choice(["300 megawatts", "one gigawatt", "500 megawatts"])
    if routes and w.rng.random() < 0.4:
        return f"{supplier} supplies {noun} to {buyer} through the {w.rng.choice(routes)}."
    return _pick(
        w,
        lambda w: f"{company} began deliveries of {noun} to {buyer} {w.when()}.",
        lambda w: f"{supplier} will deliver {volume} of {noun} to {buyer} under a contract that runs until {w.published.year + 10}.",
        lambda w: f"{buyer} has been buying {noun} from {supplier} since {w.past((1, 6)).year}.",
        lambda w: f"Exports of {noun} from {supplier} to {buyer} rose by a third {w.period()}.",
    )


def t_connects(w: World) -> str:
    e = w.infrastructure(w.a, w.b)
    ends = [c for c in e.connects if c in w.ix.states] or list(e.connects)
    x, y = (ends + ends)[:2] if len(ends) >= 2 else (e.connects[0], e.connects[-1])
    return _pick(
        w,
        lambda w: f"The {e.label} connects {x} with {y}.",
        lambda w: f"The {e.label} runs from {x} to {y}.",
        lambda w: f"The {e.label}, which links {x} and {y}, is due to be expanded by {w.published.year + 3}.",
    )


def t_part_of(w: World) -> str:
    e = w.rng.choice(w.ix.parts)
    whole = e.part_of[0]
    return _pick(
        w,
        lambda w: f"The {e.label} is part of the {whole}.",
        lambda w: f"The {e.label} forms a part of the {whole}, officials noted.",
        lambda w: f"Engineers described the {e.label} as a key segment of the {whole}.",
    )


def t_partner(w: World) -> str:
    return _pick(
        w,
        lambda w: f"{w.a} and {w.b} are strategic partners, {w.actor(w.a)} said.",
        lambda w: f"The strategic partnership between {w.a} and {w.b} was sealed {w.when(w.past((2, 9)))}.",
        lambda w: f"{w.actor(w.b)} called {w.a} a strategic partner of {w.b} in the region.",
        lambda w: f"{w.b} regards {w.a} as a strategic ally, the statement said.",
    )


def t_accused(w: World) -> str:
    ministry = w.ministry(w.a)
    return _pick(
        w,
        lambda w: f"The {ministry} accused {w.b} of breaching earlier commitments {w.when()}.",
        lambda w: f"{w.a} summoned the ambassador of {w.b} {w.when()} over remarks made in {w.capital(w.b)}.",
        lambda w: f"{w.actor(w.a)} criticised {w.b} for its arms sales to a third country.",
        lambda w: f"{w.a} accused {w.b} of blocking a joint statement {w.when()}.",
    )


def t_invests(w: World) -> str:
    investor = w.company(w.a) or w.a
    bank = "the " + w.rng.choice(w.ix.banks) if w.ix.banks else investor
    infra = w.infrastructure(w.b).label
    return _pick(
        w,
        lambda w: f"{investor} invested {w.money()} in {w.b} {w.when(w.past((1, 4)))}.",
        lambda w: f"{investor} holds a {w.rng.choice([10, 20, 25, 33, 50])} percent stake in the {infra}.",
        lambda w: f"{bank} will lend {w.money()} for the {infra}.",
        lambda w: f"{w.a} plans to invest {w.money()} in the {infra} over the next five years.",
    )


def t_trade(w: World) -> str:
    return _pick(
        w,
        lambda w: f"Trade turnover between {w.a} and {w.b} reached {w.money()} {w.period()}.",
        lambda w: f"Bilateral trade between {w.a} and {w.b} amounted to {w.money()} {w.period()}, up from a year earlier.",
        lambda w: f"The volume of trade between {w.a} and {w.b} stood at {w.money()} {w.period()}.",
    )


TEMPLATES: dict[str, Template] = {
    "holdsOffice": t_holds_office,
    "visited": t_visited,
    "met": t_met,
    "signed": t_signed,
    "partyTo": t_party_to,
    "suppliesEnergyTo": t_supplies,
    "connects": t_connects,
    "partOf": t_part_of,
    "strategicPartnerOf": t_partner,
    "accused": t_accused,
    "investsIn": t_invests,
    "tradeTurnover": t_trade,
}

FILLERS: tuple[Template, ...] = (
    lambda w: f"The talks also covered {w.rng.choice(ISSUES)} and {w.rng.choice(ISSUES)}.",
    lambda w: "Officials on both sides described the atmosphere as constructive and businesslike.",
    lambda w: f"Analysts in {w.capital(w.b)} said the meeting reflected a broader effort to diversify the country's partners.",
    lambda w: "A joint commission is expected to review progress on the agreed projects before the end of the year.",
    lambda w: f"The two sides agreed to hold the next round of consultations in {w.capital(w.a)}.",
    lambda w: "Several business associations welcomed the decisions and called for simpler customs procedures.",
    lambda w: "Opposition politicians asked the government to publish the full texts of the documents.",
    lambda w: f"Direct flights between {w.capital(w.a)} and {w.capital(w.b)} resumed after a break of several years.",
    lambda w: "The statement gave no figures for the cost of the planned works.",
    lambda w: f"Students from {w.b} will receive scholarships to study at universities in {w.a}, the ministries said.",
    lambda w: "Experts expect demand for energy in the region to keep growing over the next decade.",
    lambda w: "The press service released photographs of the ceremony but took no questions from reporters.",
)

# The story each article leads with: its title and the predicates of its first paragraph.
STORIES: dict[str, tuple[tuple[str, ...], tuple[Callable[[World], str], ...]]] = {
    "visit": (("visited", "met", "holdsOffice"), (
        lambda w: f"{w.demonym(w.a)} leader visits {w.b} as ties deepen",
        lambda w: f"{w.capital(w.b)} hosts {w.demonym(w.a)} delegation for talks on {w.rng.choice(ISSUES)}",
    )),
    "call": (("met", "strategicPartnerOf", "holdsOffice"), (
        lambda w: f"{w.demonym(w.a)} and {w.demonym(w.b)} leaders discuss {w.rng.choice(ISSUES)} by phone",
        lambda w: f"Phone call between {w.capital(w.a)} and {w.capital(w.b)} focuses on {w.rng.choice(ISSUES)}",
    )),
    "agreement": (("signed", "partyTo", "met"), (
        lambda w: f"{w.a} and {w.b} sign new documents on {w.rng.choice(FIELDS).lower()}",
        lambda w: f"{w.capital(w.a)} and {w.capital(w.b)} expand legal framework of cooperation",
    )),
    "energy": (("suppliesEnergyTo", "connects", "partOf"), (
        lambda w: f"{w.a}-{w.b} energy links: new supplies on the way",
        lambda w: f"Pipeline and power plans top the {w.demonym(w.a)}-{w.demonym(w.b)} agenda",
    )),
    "economy": (("tradeTurnover", "investsIn", "met"), (
        lambda w: f"Trade between {w.a} and {w.b} keeps growing",
        lambda w: f"{w.demonym(w.a)} investors look to {w.b}",
    )),
    "dispute": (("accused", "met", "strategicPartnerOf"), (
        lambda w: f"{w.a} protests to {w.b} over {w.rng.choice(['arms sales', 'remarks by officials', 'a border incident'])}",
        lambda w: f"Diplomatic row between {w.capital(w.a)} and {w.capital(w.b)}",
    )),
}


class _Deck:
    """Draw items in a shuffled order without repeats; start over with a fresh shuffle of `refill` when empty."""

    def __init__(self, rng: random.Random, first, refill=None) -> None:  # noqa: ANN001 - sequences
        self.rng = rng
        self.refill = list(refill if refill is not None else first)
        self.items = list(first)
        rng.shuffle(self.items)

    def draw(self):  # noqa: ANN201 - an item
        if not self.items:
            self.items = list(self.refill)
            self.rng.shuffle(self.items)
        return self.items.pop()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _words(text: str) -> int:
    return len(text.split())


def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


def article(i: int, seed: int = 0) -> tuple[str, str]:
    """Article number i of the corpus of `seed`: (file name, file text)."""
    rng = random.Random(f"kg-bench/{seed}/{i}")
    w = World(rng)
    story = rng.choice(list(STORIES))
    lead_predicates, titles = STORIES[story]
    title = rng.choice(titles)(w)
    target = rng.randint(MIN_WORDS + 20, MAX_WORDS - 40)

    host = w.b if story in {"visit", "agreement"} else w.a
    dateline = f"{w.capital(host).upper()}, {w.published.day} {MONTHS[w.published.month - 1]} – "
    lead = [_sentence(TEMPLATES[p](w)) for p in lead_predicates]
    paragraphs = [dateline + " ".join(lead)]
    relations = _Deck(rng, [p for p in PREDICATES if p not in lead_predicates], PREDICATES)
    fillers = _Deck(rng, FILLERS)
    count = _words(paragraphs[0])
    while count < target:
        sentences = [TEMPLATES[relations.draw()](w)]
        if rng.random() < 0.5:
            sentences.append(TEMPLATES[relations.draw()](w))
        sentences += [fillers.draw()(w) for _ in range(rng.randint(1, 2))]
        paragraph = " ".join(_sentence(x) for x in sentences)
        if count + _words(paragraph) > MAX_WORDS - 10:
            break
        paragraphs.append(paragraph)
        count += _words(paragraph)
    while count < MIN_WORDS:  # short by a few words: pad the last paragraph with filler sentences
        sentence = _sentence(fillers.draw()(w))
        paragraphs[-1] += " " + sentence
        count += _words(sentence)

    outlet, domain = rng.choice(OUTLETS)
    p = w.published
    slug = slugify(title)
    url = f"https://www.{domain}.example/{rng.choice(SECTIONS)}/{p.year}/{p.month:02d}/{p.day:02d}/{slug}-{seed}-{i}"
    header = f"url: {url}\noutlet: {outlet}\npublished: {p.isoformat()}\ntitle: {title}\n"
    return f"{i:06d}-{slug[:40].rstrip('-')}.txt", header + "\n" + "\n\n".join(paragraphs) + "\n"


def generate(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write articles 0..n-1 of the corpus of `seed` into `out` (created); returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, text = article(i, seed)
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", "-n", type=int, required=True, help="how many articles to write")
    parser.add_argument("--out", "-o", type=Path, required=True, help="the folder to write them into")
    parser.add_argument("--seed", type=int, default=0, help="the corpus seed (default 0)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    paths = generate(args.articles, args.out, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split("\n\n", 1)[1].split()) for p in paths)
    print(f"wrote {len(paths)} articles ({words} words in their bodies) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
