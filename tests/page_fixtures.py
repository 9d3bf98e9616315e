"""Helpers for the graph-page tests: a synthetic PageData, a corpus of event reports, and expectations helpers."""

from __future__ import annotations

from kg.page import PageData, PageEvent, PageNode, PageRelation, PageSource

BASE = "https://kg.example.org/"

HOSTILE_LABEL = "<script>window.__pwned=1</script>Energy"
HOSTILE_EVIDENCE = (
    'Officials said <img src=x onerror="window.__pwned=2"> the deal </script><b>bold</b> '
    "was signed & sealed\u2028in Baku."
)
HOSTILE_SPAN = "the deal </script><b>bold</b>"


def iri(kind: str, name: str) -> str:
    return f"{BASE}{kind}/{name}"


def E(name: str) -> str:  # noqa: N802 - short on purpose
    return iri("entity", name)


NODES: tuple[PageNode, ...] = (
    PageNode(E("azerbaijan"), "Azerbaijan", "State", "Q227"),
    PageNode(E("serbia"), "Serbia", "State", "Q403"),
    PageNode(E("bulgaria"), "Bulgaria", "State", "Q219"),
    PageNode(E("aliyev"), "Ilham Aliyev", "Person", None),
    PageNode(E("vucic"), "Aleksandar Vučić", "Person", None),
    PageNode(E("socar"), "SOCAR", "Organization", None),
    PageNode(E("igb"), "Interconnector Greece–Bulgaria", "Infrastructure", None),
    PageNode(E("spd"), "Strategic Partnership Declaration", "Agreement", None),
    PageNode(E("belgrade"), "Belgrade", "Place", None),
    PageNode(E("hostile"), HOSTILE_LABEL, "Organization", None),
)

_ARTICLES = {
    "a1": PageSource(iri("article", "a1"), "Trend", "Aliyev visits Belgrade", "2022-06-15", "https://trend.az/news/1"),
    "a2": PageSource(iri("article", "a2"), "Tanjug", "Serbia and Azerbaijan deepen ties", "2023-11-20", "http://tanjug.rs/a2"),
    "a3": PageSource(iri("article", "a3"), "APA", None, "2020-03-02", None),
    "a4": PageSource(iri("article", "a4"), "Evil <b>Outlet</b>", "<i>title</i>", "2021-01-01", "javascript:window.__pwned=3"),
}


def _rel(n: int, s: str, p: str, o: str, date: str | None, conf: float, evidence: str, span: str,
         qualifiers: dict[str, str] | None = None, article: str = "a1") -> PageRelation:
    start = evidence.index(span)
    return PageRelation(
        id=iri("statement", f"s{n}"),
        subject=E(s),
        predicate=p,
        object=E(o),
        date=date,
        confidence=conf,
        evidence=evidence,
        span_start=start,
        span_end=start + len(span),
        qualifiers=dict(qualifiers or {}),
        source=_ARTICLES[article],
    )


RELATIONS: tuple[PageRelation, ...] = (
    # three relations between Azerbaijan and Serbia, both directions
    _rel(1, "azerbaijan", "strategicPartnerOf", "serbia", "2013", 0.9,
         "Azerbaijan and Serbia became strategic partners in 2013.", "strategic partners", article="a2"),
    _rel(2, "azerbaijan", "suppliesEnergyTo", "serbia", "2023-11", 0.95,
         "Azerbaijan started supplying gas to Serbia in November 2023.", "supplying gas to Serbia",
         {"commodity": "gas"}, article="a2"),
    _rel(3, "serbia", "tradeTurnover", "azerbaijan", "2020", 0.6,
         "Trade between Serbia and Azerbaijan reached $9 million in 2020.", "reached $9 million",
         {"value": "$9 million", "period": "2020"}, article="a3"),
    _rel(4, "aliyev", "holdsOffice", "azerbaijan", None, 0.99,
         "President Ilham Aliyev of Azerbaijan spoke.", "President Ilham Aliyev of Azerbaijan",
         {"role": "President"}),
    _rel(5, "vucic", "holdsOffice", "serbia", None, 0.97,
         "Serbian President Aleksandar Vučić welcomed him.", "Serbian President Aleksandar Vučić",
         {"role": "President"}),
    _rel(6, "aliyev", "visited", "belgrade", "2022-06-15", 0.92,
         "Ilham Aliyev arrived in Belgrade on 15 June 2022.", "arrived in Belgrade"),
    _rel(7, "aliyev", "met", "vucic", "2022-06-15", 0.88,
         "Aliyev met Vučić in Belgrade.", "met Vučić"),
    _rel(8, "belgrade", "partOf", "serbia", None, 0.8,
         "Belgrade, the capital of Serbia, hosted the talks.", "the capital of Serbia"),
    _rel(9, "socar", "partOf", "azerbaijan", None, 0.7,
         "SOCAR, Azerbaijan's state oil company, ...", "Azerbaijan's state oil company"),
    _rel(10, "socar", "investsIn", "serbia", "2023", 0.55,
         "SOCAR plans to invest in a gas power plant in Serbia.", "invest in a gas power plant",
         {"value": "€400 million"}, article="a2"),
    _rel(11, "igb", "connects", "bulgaria", "2022-10", 0.85,
         "The IGB pipeline connects Greece and Bulgaria since October 2022.", "connects Greece and Bulgaria"),
    _rel(12, "azerbaijan", "suppliesEnergyTo", "bulgaria", "2021-01", 0.9,
         "Azerbaijani gas reached Bulgaria in January 2021.", "Azerbaijani gas reached Bulgaria",
         {"commodity": "gas"}, article="a3"),
    _rel(13, "azerbaijan", "signed", "spd", "2013-11-13", 0.75,
         "Azerbaijan signed the Strategic Partnership Declaration.", "signed the Strategic Partnership Declaration"),
    _rel(14, "serbia", "partyTo", "spd", "2013-11", 0.7,
         "Serbia is a party to the declaration.", "a party to the declaration"),
    _rel(15, "hostile", "accused", "socar", "2021", 0.35,
         HOSTILE_EVIDENCE, HOSTILE_SPAN, {"<q>": "<img src=x onerror=\"window.__pwned=4\">"}, article="a4"),
    _rel(16, "bulgaria", "met", "serbia", "2019-05", 0.65,
         "Bulgaria met Serbia for talks in May 2019.", "met Serbia"),
)


# The hostile accusation as an event two outlets report, one of them outside the page (a selection dropped it).
EVENTS: tuple[PageEvent, ...] = (
    PageEvent(iri("event", "v1"), "accused", HOSTILE_LABEL, "SOCAR", "2021", ("2021", "2022"), True, 2, 0.61,
              (iri("statement", "s15"), iri("statement", "s99"))),
)


def sample_page_data() -> PageData:
    """10 nodes (all six types), 16 relations (3 between Azerbaijan and Serbia), dated at all precisions, 1 event."""
    return PageData(nodes=NODES, relations=RELATIONS, title="Azerbaijan – Balkans test graph", events=EVENTS)


# Header articles {file: (outlet, published, text)}: two outlets report one visit to Serbia on the same day; two
# report a visit to Bulgaria a day apart (one of them as an arrival in Sofia, a place read as Bulgaria by the event);
# one outlet alone reports a visit to Albania; "Azerbaijani President" gives a relation outside any event.
EVENT_ARTICLES: dict[str, tuple[str, str, str]] = {
    "visit-a.txt": ("Balkan Wire", "2022-11-24", "Azerbaijani President Ilham Aliyev visited Serbia on 23 November 2022."),
    "visit-b.txt": ("Caspian Daily", "2022-11-25", "Ilham Aliyev paid an official visit to Serbia on 23 November 2022."),
    "sofia-a.txt": ("Sofia Monitor", "2023-03-12", "Ilham Aliyev visited Bulgaria on 10 March 2023."),
    "sofia-b.txt": ("Danube Review", "2023-03-13", "Ilham Aliyev arrived in Sofia on 11 March 2023, the presidency said."),
    "tirana.txt": ("Adriatic Post", "2023-05-02", "Ilham Aliyev visited Albania on 1 May 2023."),
}


def pair_count(data: PageData) -> int:
    """Number of drawn edges: distinct unordered pairs of related entities."""
    return len({frozenset((r.subject, r.object)) for r in data.relations})


def node_count(data: PageData) -> int:
    """Number of drawn nodes: nodes with at least one relation, plus nodes without any in the data."""
    related = {r.subject for r in data.relations} | {r.object for r in data.relations}
    return len(related | {n.id for n in data.nodes if not any(n.id in (r.subject, r.object) for r in data.relations)})


def counts(data: PageData) -> tuple[int, int]:
    return node_count(data), pair_count(data)


def node_id(data: PageData, label: str) -> str:
    return next(n.id for n in data.nodes if n.label == label)
