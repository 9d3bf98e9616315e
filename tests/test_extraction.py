"""Extraction on our own test articles: the actors, relations and dates each mechanism must produce (and must not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.records import Article
from tests.conftest import records


@pytest.fixture(scope="module")
def recs(articles_build: Path) -> list[dict]:
    return records(articles_build)


def relations(recs: list[dict], source: str) -> set[tuple[str, str, str, str | None]]:
    return {(r["subject"], r["predicate"], r["object"], r["date"]) for r in recs if r["kind"] == "relation" and r["source"] == source}


def entities(recs: list[dict], source: str) -> set[tuple[str, str]]:
    return {(r["label"], r["type"]) for r in recs if r["kind"] == "entity" and r["source"] == source}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def extract(extractor: Extractor, text: str, published: str | None = "2023-11-16") -> set[tuple[str, str, str, str | None]]:
    result = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published=published))
    return {(r.subject.label, r.predicate, r.object.label, r.date.value if r.date else None) for r in result.relations}


def test_visit_meetings_offices_and_weekday_dates(recs: list[dict]) -> None:
    got = relations(recs, "albania-visit.txt")
    assert {
        ("Ilham Aliyev", "holdsOffice", "Azerbaijan", None),
        ("Bajram Begaj", "holdsOffice", "Albania", None),
        ("Edi Rama", "holdsOffice", "Albania", None),
        ("Ilham Aliyev", "visited", "Albania", "2022-11-15"),
        ("Bajram Begaj", "met", "Ilham Aliyev", "2022-11-15"),
        ("Azerbaijan", "signed", "Memorandum of Understanding on a Strategic Partnership in the Field of Energy", "2022-07"),
        ("European Union", "signed", "Memorandum of Understanding on a Strategic Partnership in the Field of Energy", "2022-07"),
        ("Azerbaijan", "partyTo", "Memorandum of Understanding on a Strategic Partnership in the Field of Energy", None),
    } <= got
    assert not any(p == "visited" and s in {"Bajram Begaj", "Edi Rama"} for s, p, _, _ in got)  # at home
    assert not any(d == "2027" for *_, d in got)  # "by 2027" is a target, not a date of the relation
    assert ("Memorandum of Understanding on a Strategic Partnership in the Field of Energy", "Agreement") in entities(recs, "albania-visit.txt")


def test_coordinated_signatories_and_trimmed_titles(recs: list[dict]) -> None:
    got = relations(recs, "macedonia-montenegro.txt")
    title = "Memorandum of Understanding on the Ionian Adriatic Pipeline"
    for party in ("Albania", "Montenegro", "Bosnia and Herzegovina", "Croatia", "SOCAR"):
        assert (party, "signed", title, "2016-08-26") in got
        assert (party, "partyTo", title, None) in got
    assert ("Jeyhun Bayramov", "holdsOffice", "Azerbaijan", None) in got
    assert ("Bujar Osmani", "holdsOffice", "North Macedonia", None) in got
    assert ("Bujar Osmani", "met", "Jeyhun Bayramov", "2022-05") in got  # "earlier this month"
    assert not any(p == "partOf" for _, p, _, _ in got)


def test_infrastructure_endpoints_parts_and_trade(recs: list[dict]) -> None:
    got = relations(recs, "bulgaria-gas.txt")
    for endpoint in ("Greece", "Bulgaria", "Komotini", "Stara Zagora"):
        assert ("Interconnector Greece-Bulgaria", "connects", endpoint, None) in got
    assert ("Interconnector Greece-Bulgaria", "partOf", "Southern Gas Corridor", None) in got
    trade = [r for r in recs if r["source"] == "bulgaria-gas.txt" and r["kind"] == "relation" and r["predicate"] == "tradeTurnover"]
    assert len(trade) == 1 and trade[0]["date"] == "2023" and trade[0]["qualifiers"]["period"] == "2023"
    assert "511" in trade[0]["qualifiers"]["value"]
    assert ("Interconnector Greece-Bulgaria", "Infrastructure") in entities(recs, "bulgaria-gas.txt")


def test_no_published_date_keeps_absolute_dates_and_refuses_relative_ones(recs: list[dict]) -> None:
    got = relations(recs, "no-header.txt")
    title = "Agreement on Strategic Partnership in the Field of Green Energy Development and Transmission"
    for state in ("Azerbaijan", "Georgia", "Romania", "Hungary"):
        assert (state, "signed", title, "2022-12-17") in got
    for person, state in (("Irakli Garibashvili", "Georgia"), ("Nicolae Ciucă", "Romania"), ("Viktor Orbán", "Hungary")):
        assert (person, "holdsOffice", state, None) in got
    supply = [r for r in recs if r["source"] == "no-header.txt" and r["kind"] == "relation" and r["predicate"] == "suppliesEnergyTo"]
    assert supply and all(r["date"] is None and "yesterday" in r["undated_reason"] for r in supply)
    assert supply[0]["qualifiers"] == {"commodity": "gas"}


def test_html_meetings_with_many_leaders(recs: list[dict]) -> None:
    got = relations(recs, "moldova-croatia.html")
    for other in ("Maia Sandu", "Nikol Pashinyan", "Charles Michel", "Emmanuel Macron", "Olaf Scholz"):
        assert any({s, o} == {"Ilham Aliyev", other} and p == "met" and d == "2023-06-01" for s, p, o, d in got), other
    assert ("Charles Michel", "holdsOffice", "European Council", None) in got
    assert ("Olaf Scholz", "holdsOffice", "Germany", None) in got
    assert not any(s == "Maia Sandu" and p == "visited" for s, p, _, _ in got)


def test_jsonl_lines_are_their_own_articles(recs: list[dict]) -> None:
    assert ("Ilham Aliyev", "visited", "Bosnia and Herzegovina", "2023-04-13") in relations(recs, "batch.jsonl#2")
    assert ("Interconnector Greece-Bulgaria", "connects", "Greece", None) in relations(recs, "batch.jsonl#1")


def test_surname_diacritics_and_transliterations_merge(extractor: Extractor) -> None:
    text = (
        "Serbian President Alexander Vucic received Azerbaijani President Ilham Aliyev in Belgrade on Wednesday. "
        "Vučić said Aliyev was a reliable partner."
    )
    result = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published="2022-11-24"))
    people = {m.entity.label for m in result.mentions if m.entity.type == "Person"}
    assert people == {"Aleksandar Vučić", "Ilham Aliyev"}
    assert len({m.entity.iri for m in result.mentions if m.entity.label == "Aleksandar Vučić"}) == 1


def test_titles_after_names_and_of_forms(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "Kyriakos Mitsotakis, Prime Minister of the Hellenic Republic, held talks with Rovnag Abdullayev, SOCAR President, "
        "and with the Prime Minister of Montenegro Dritan Abazović.",
        published="2022-06-01",
    )
    assert ("Kyriakos Mitsotakis", "holdsOffice", "Greece", None) in got
    assert ("Rovnag Abdullayev", "holdsOffice", "SOCAR", None) in got
    assert ("Dritan Abazović", "holdsOffice", "Montenegro", None) in got


def test_state_sides_accusations_and_demonym_suppliers(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "In July 2020, the Azerbaijani side accused Serbia of selling ammunition to Armenia. "
        "Croatia expects to receive Azerbaijani gas through the Krk terminal.",
    )
    assert ("Azerbaijan", "accused", "Serbia", "2020-07") in got
    assert any(s == "Azerbaijan" and p == "suppliesEnergyTo" and o == "Croatia" for s, p, o, _ in got)


def test_date_of_the_clause_not_the_first_date(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "Bulgaria and Azerbaijan have been strategic partners since 2015, President Rumen Radev said after meeting "
        "Ilham Aliyev in Baku on Wednesday.",
        published="2024-05-09",
    )
    assert ("Azerbaijan", "strategicPartnerOf", "Bulgaria", "2015") in got or ("Bulgaria", "strategicPartnerOf", "Azerbaijan", "2015") in got
    met = [d for s, p, o, d in got if p == "met"]
    assert met and all(d in {"2024-05-08", None} for d in met) and "2015" not in met


def test_two_countries_resolves_to_the_dyad(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "Greece and Azerbaijan discussed energy. Greek officials praised Azerbaijan. "
        "The trade turnover between the two countries amounted to $435.7 million in 2021.",
    )
    assert any(p == "tradeTurnover" and {s, o} == {"Greece", "Azerbaijan"} and d == "2021" for s, p, o, d in got)


def test_named_endpoints_of_an_interconnector(extractor: Extractor) -> None:
    got = extract(extractor, "The Serbia-Bulgaria gas interconnector will connect Niš and Sofia.")
    assert {("Serbia-Bulgaria Gas Interconnector", "connects", x, None) for x in ("Serbia", "Bulgaria")} <= got


def test_investment_from_shareholding_and_funding(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "The Trans Adriatic Pipeline was built by a consortium. SOCAR, a shareholder in the Trans Adriatic Pipeline, "
        "welcomed the decision. The European Investment Bank allocated 1.5 billion euros to support the construction of the pipeline.",
    )
    assert ("SOCAR", "investsIn", "Trans Adriatic Pipeline", None) in got
    assert ("European Investment Bank", "investsIn", "Trans Adriatic Pipeline", None) in got


def test_an_event_continued_in_the_next_sentence_keeps_its_date(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "Today, Belgrade and Baku opened a new chapter by signing a gas contract. "
        "The ministers spoke after the signing of a Memorandum of Understanding on Energy Cooperation between Serbia and Azerbaijan.\n\n"
        "Serbia signed the Memorandum of Understanding on Energy Cooperation with pleasure.",
        published="2023-11-15",
    )
    title = "Memorandum of Understanding on Energy Cooperation between Serbia and Azerbaijan"
    assert ("Serbia", "signed", title, "2023-11-15") in got and ("Azerbaijan", "signed", title, "2023-11-15") in got
    # a new paragraph does not inherit
    assert any(s == "Serbia" and p == "signed" and d is None for s, p, o, d in got)


def test_title_only_mentions_resolve_to_the_office_holder_of_the_day(extractor: Extractor) -> None:
    text = (
        "Several documents were signed during the visit of the President of the Republic of Bulgaria to Azerbaijan today. "
        "President Ilham Aliyev said in a joint press conference with President of Bulgaria Rumen Radev that ties were strong."
    )
    result = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published="2024-05-08"))
    got = {(r.subject.label, r.predicate, r.object.label, r.date.value if r.date else None) for r in result.relations}
    assert ("Rumen Radev", "visited", "Azerbaijan", "2024-05-08") in got
    assert not any(s == "Bulgaria" and p == "visited" for s, p, _, _ in got)
    # the meeting has no date of its own: it took place during the dated visit of one side to the other's country
    assert ("Ilham Aliyev", "met", "Rumen Radev", "2024-05-08") in got or ("Rumen Radev", "met", "Ilham Aliyev", "2024-05-08") in got
    title = [m for m in result.mentions if m.how == "title"]
    assert [m.entity.label for m in title] == ["Rumen Radev"]
    # the same title years earlier is someone else, and without a published date nobody
    earlier = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published="2012-05-08"))
    assert [m.entity.label for m in earlier.mentions if m.how == "title"] == ["Rosen Plevneliev"]
    undated = extractor.extract(Article(source="t.txt", path="t.txt", text=text))
    assert [m for m in undated.mentions if m.how == "title"] == []


def test_partners_listed_after_alongside(extractor: Extractor) -> None:
    got = extract(
        extractor,
        "Montenegro counts Azerbaijan among its friends; Montenegro has a strategic partnership with several states, "
        "alongside Turkey, Croatia and Hungary.",
    )
    partners = {frozenset((s, o)) for s, p, o, _ in got if p == "strategicPartnerOf"}
    assert {frozenset(("Montenegro", x)) for x in ("Turkey", "Croatia", "Hungary")} <= partners


def test_a_misspelt_surname_links_to_the_one_known_person(extractor: Extractor) -> None:
    text = "Serbian President Aleksandar Vucic met his Azerbaijani counterpart Ilham Iliyev in Belgrade on Wednesday."
    result = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published="2022-11-24"))
    assert {m.entity.label for m in result.mentions if m.entity.type == "Person"} == {"Aleksandar Vučić", "Ilham Aliyev"}
    unrelated = extractor.extract(Article(source="t.txt", path="t.txt", text="Ilham Petrov spoke in Sofia.", published="2022-11-24"))
    assert "Ilham Aliyev" not in {m.entity.label for m in unrelated.mentions}


def test_a_narrative_in_a_past_year_dates_its_months_and_undated_events(extractor: Extractor) -> None:
    text = (
        "Relations between Croatia and Serbia soured in 2016. In August 2016, protests broke out over a war-crimes law. "
        "Eventually, Croatia accused Serbia of meddling in its courts.\n\n"
        "In October, the dispute widened. The Croatian Foreign Ministry summoned Serbia's ambassador in Zagreb.\n\n"
        "Ilham Aliyev visited Belgrade on 23 November 2022. The trip came on the heels of President Aliyev's recent visits "
        "to Albania and Bulgaria.\n\nIlham Aliyev visited Tirana on 14 March 2023. Aliyev visited Sofia too."
    )
    got = extract(extractor, text, published="2023-03-01")
    assert ("Croatia", "accused", "Serbia", "2016") in got  # "Eventually": after August, so only the year
    assert ("Ministry of Foreign and European Affairs of Croatia", "accused", "Serbia", "2016-10") in got or (
        "Croatia", "accused", "Serbia", "2016-10") in got  # "In October" read in the narrative's year, not 2022
    assert ("Ilham Aliyev", "visited", "Belgrade", "2022-11-23") in got
    assert ("Ilham Aliyev", "visited", "Albania", None) in got  # "recent visits": another time, never the context's date
    assert ("Ilham Aliyev", "visited", "Sofia", None) in got  # after a dated visit, another visit is another occasion


def test_context_dates_are_marked_and_cost_confidence(extractor: Extractor) -> None:
    text = "In May 2021, a gas row broke out. Albania accused Montenegro of blocking the pipeline route."
    result = extractor.extract(Article(source="t.txt", path="t.txt", text=text, published="2023-01-10"))
    (accusation,) = [r for r in result.relations if r.predicate == "accused"]
    assert accusation.date is not None and (accusation.date.value, accusation.date.source) == ("2021-05", "context")
    assert accusation.confidence < 0.8
    alone = extractor.extract(Article(source="t.txt", path="t.txt", text="Albania accused Montenegro of blocking the pipeline route.", published="2023-01-10"))
    assert all(r.date is None for r in alone.relations if r.predicate == "accused")


def test_supply_begun_or_agreed_keeps_its_supplier(extractor: Extractor) -> None:
    got = extract(extractor, "SOCAR started to supply natural gas to Bulgargaz on 1 January 2023. Azerbaijan agreed to supply gas to Albania.")
    assert ("SOCAR", "suppliesEnergyTo", "Bulgargaz", "2023-01-01") in got
    assert ("Azerbaijan", "suppliesEnergyTo", "Albania", None) in got
    asked = extract(extractor, "Serbia asked Azerbaijan to supply more gas to Srbijagas.")
    assert not any(s == "Serbia" and p == "suppliesEnergyTo" for s, p, _, _ in asked)  # the asker is not the supplier


def test_the_guest_met_in_a_city_visited_it_and_a_state_visits_no_place_of_its_own(extractor: Extractor) -> None:
    got = extract(extractor, "Serbian President Aleksandar Vucic met Ilham Aliyev in Belgrade on 3 March 2024.")
    assert ("Ilham Aliyev", "visited", "Belgrade", "2024-03-03") in got  # the one met, away from home
    assert not any(s == "Aleksandar Vučić" and p == "visited" for s, p, _, _ in got)  # the host, at home
    abroad = extract(extractor, "Ilham Aliyev met Kyriakos Mitsotakis in New York on 23 September 2024.")
    assert {("Ilham Aliyev", "visited", "New York", "2024-09-23"), ("Kyriakos Mitsotakis", "visited", "New York", "2024-09-23")} <= abroad
    at_home = extract(extractor, "Bulgarian ministers attended the summit in Sofia. Azerbaijan's delegation arrived in Sofia on Monday.")
    assert not any(s == "Bulgaria" and p == "visited" for s, p, _, _ in at_home)
    assert any(s == "Azerbaijan" and p == "visited" and o == "Sofia" for s, p, o, _ in at_home)
