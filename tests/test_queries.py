"""Saved queries, parameters bound as RDF terms, and `kg query` / `kg queries` with every output format.

The row-level assertions run on the hand-made analyst graph (tests/analyst_fixtures.py: what the articles of
tests/data/analyst/ state, as quads), so they test the queries, not the extraction; every saved query also runs on
a real build of the same articles.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Store

from kg import QueryError, iris, open_store, run_query
from kg.query import (
    PARAM_TYPES,
    Param,
    bind_value,
    format_result,
    load_saved,
    parse_params,
    parse_saved,
    prepare,
    saved_queries,
)
from kg.records import PREDICATES
from kg.text import key
from tests.analyst_fixtures import ANALYST, analyst_articles, analyst_build, analyst_store  # noqa: F401 - fixtures
from tests.conftest import run_kg

NAMES = {
    "accusations", "agreements", "dyad-timeline", "edge-evidence", "energy-supply", "entities", "entity-profile",
    "infrastructure", "most-connected", "relations", "strategic-partners", "visits-meetings",
}
EXAMPLES: dict[str, dict[str, str]] = {
    "accusations": {},
    "agreements": {},
    "date-conflicts": {},
    "dyad-events": {"a": "Azerbaijan", "b": "Serbia"},
    "single-source-events": {},
    "dyad-timeline": {"a": "Azerbaijan", "b": "Serbia"},
    "edge-evidence": {"subject": "Ilham Aliyev", "object": "Aleksandar Vučić"},
    "energy-supply": {},
    "entities": {},
    "entity-profile": {"name": "Ilham Aliyev"},
    "infrastructure": {},
    "most-connected": {},
    "relations": {},
    "strategic-partners": {"state": "Azerbaijan"},
    "visits-meetings": {"person": "Ilham Aliyev"},
}


@pytest.fixture(scope="module")
def store(analyst_store: Path) -> Store:  # noqa: F811 - the fixture of tests.analyst_fixtures
    return open_store(analyst_store)


def rows(store: Store, query: str, /, **params: str) -> list[dict[str, str | None]]:
    result = load_saved(query).run(store, params)
    return [dict(zip(result.variables, row)) for row in result.rows]


# ---------------------------------------------------------------- the saved queries themselves


def test_every_saved_query_is_documented() -> None:
    queries = {q.name: q for q in saved_queries()}
    assert set(queries) >= NAMES and set(EXAMPLES) == set(queries)
    for q in queries.values():
        assert q.title and q.title != q.name and len(q.description) > 40, q.name
        assert q.examples and all(e.startswith("kg query --saved " + q.name) for e in q.examples), q.name
        for p in q.params:
            assert p.type in PARAM_TYPES and p.description, (q.name, p.name)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_saved_query_runs_on_the_fixture_and_on_a_real_build(name: str, store: Store, analyst_build: Path) -> None:  # noqa: F811
    query = load_saved(name)
    on_fixture = query.run(store, EXAMPLES[name])
    # the analyst articles report no event twice with different dates; tests/test_events.py checks date-conflicts
    assert on_fixture.rows or name == "date-conflicts", f"{name} found nothing in the analyst graph"
    assert not {p.name for p in query.params} & set(on_fixture.variables)  # parameter columns are left out
    built = query.run(open_store(analyst_build / "store"), EXAMPLES[name])
    assert built.variables == on_fixture.variables


def test_dyad_timeline(store: Store) -> None:
    got = rows(store, "dyad-timeline", a="azerbaijan", b="SERBIA")
    assert [(r["date"], r["subject"], r["relation"], r["object"]) for r in got] == [
        ("2013", "Azerbaijan", "signed", "Declaration on Friendship and Strategic Partnership"),
        ("2013", "Serbia", "signed", "Declaration on Friendship and Strategic Partnership"),
        ("2020-07-20", "Azerbaijan", "accused", "Serbia"),
        ("2020-08-07", "Ilham Aliyev", "met", "Aleksandar Vučić"),
        ("2022-11-23", "Ilham Aliyev", "met", "Aleksandar Vučić"),
        ("2022-11-23", "Ilham Aliyev", "visited", "Belgrade"),  # a place in Serbia (kg:locatedIn)
        ("2022-11-23", "Ilham Aliyev", "visited", "Serbia"),
        ("2023-12-10", "Ilham Aliyev", "met", "Aleksandar Vučić"),
        ("2023-12-10", "Ilham Aliyev", "visited", "Niš"),
    ]
    assert all(r["url"].startswith("https://www.analystdesk.example/") and r["outlet"] and r["evidence"] for r in got)
    # the order of the two states does not matter; a range keeps what overlaps it, at the date's precision
    assert [r["statement"] for r in rows(store, "dyad-timeline", a="Serbia", b="Azerbaijan")] == [r["statement"] for r in got]
    assert [r["date"] for r in rows(store, "dyad-timeline", a="Azerbaijan", b="Serbia", since="2022")] == ["2022-11-23"] * 3 + ["2023-12-10"] * 2
    assert [r["date"] for r in rows(store, "dyad-timeline", a="Azerbaijan", b="Serbia", until="2020-07")] == ["2013", "2013", "2020-07-20"]
    assert [r["date"] for r in rows(store, "dyad-timeline", a="Azerbaijan", b="Serbia", since="2013-06-01", until="2013-06-30")] == ["2013", "2013"]
    # Bulgaria's dyad is another set of relations
    bulgaria = rows(store, "dyad-timeline", a="Azerbaijan", b="Bulgaria")
    assert {(r["subject"], r["relation"], r["object"]) for r in bulgaria} == {
        ("Azerbaijan", "suppliesEnergyTo", "Bulgaria"), ("Azerbaijan", "tradeTurnover", "Bulgaria"),
        ("Ilham Aliyev", "visited", "Bulgaria"), ("Ilham Aliyev", "visited", "Sofia"), ("Rumen Radev", "met", "Ilham Aliyev"),
    }
    assert {r["detail"] for r in bulgaria if r["relation"] == "tradeTurnover"} == {"72.6 million US dollars (2021)"}


def test_visits_and_meetings_of_a_person(store: Store) -> None:
    got = rows(store, "visits-meetings", person="aliyev")  # an alias, lower case
    assert [(r["date"], r["relation"], r["other"]) for r in got] == [
        ("2020-08-07", "met", "Aleksandar Vučić"),
        ("2022-10-01", "met", "Rumen Radev"),
        ("2022-10-01", "visited", "Bulgaria"),
        ("2022-10-01", "visited", "Sofia"),
        ("2022-11-23", "met", "Aleksandar Vučić"),
        ("2022-11-23", "visited", "Belgrade"),
        ("2022-11-23", "visited", "Serbia"),
        ("2023-12-10", "met", "Aleksandar Vučić"),
        ("2023-12-10", "visited", "Niš"),
    ]
    assert {r["other_type"] for r in got} == {"Person", "State", "Place"}
    assert {r["other"]: r["other_state"] for r in got if r["other_type"] == "Place"} == {"Sofia": "Bulgaria", "Belgrade": "Serbia", "Niš": "Serbia"}
    # a meeting is found from either side; accents do not matter
    assert [(r["date"], r["other"]) for r in rows(store, "visits-meetings", person="Aleksandar Vucic", since="2022-11")] == [
        ("2022-11-23", "Ilham Aliyev"), ("2023-12-10", "Ilham Aliyev"),
    ]
    assert rows(store, "visits-meetings", person="Nobody At All") == []


def test_agreements(store: Store) -> None:
    (row,) = rows(store, "agreements")
    assert row["agreement"] == "Declaration on Friendship and Strategic Partnership" and row["signed"] == "2013"
    assert set(row["parties"].split("; ")) == set(row["signers"].split("; ")) == {"Azerbaijan", "Serbia"}
    assert row["articles"] == "1"
    assert len(rows(store, "agreements", party="serbia")) == 1
    assert rows(store, "agreements", party="Bulgaria") == []


def test_energy_supply_network(store: Store) -> None:
    got = rows(store, "energy-supply")
    assert [(r["from"], r["to"], r["energy"], r["since"]) for r in got] == [
        ("Azerbaijan", "Bulgaria", "gas", "2013"), ("Azerbaijan", "Serbia", "gas", None), ("SOCAR", "Serbia", "gas", "2024"),
    ]
    assert [r["from"] for r in rows(store, "energy-supply", commodity="GAS", recipient="serbia")] == ["Azerbaijan", "SOCAR"]
    assert [r["to"] for r in rows(store, "energy-supply", supplier="socar")] == ["Serbia"]
    assert rows(store, "energy-supply", commodity="electricity") == []


def test_infrastructure_and_what_it_connects(store: Store) -> None:
    got = {r["infrastructure"]: r for r in rows(store, "infrastructure")}
    assert set(got) == {"Interconnector Greece-Bulgaria", "Serbia-Bulgaria Gas Interconnector", "Southern Gas Corridor"}
    igb = got["Interconnector Greece-Bulgaria"]
    assert set(igb["connects"].split("; ")) == {"Komotini", "Stara Zagora", "Greece", "Bulgaria"}
    assert igb["part_of"] == "Southern Gas Corridor" and got["Southern Gas Corridor"]["parts"] == "Interconnector Greece-Bulgaria"
    assert set(got["Serbia-Bulgaria Gas Interconnector"]["connects"].split("; ")) == {"Niš", "Novi Iskar", "Serbia", "Bulgaria"}
    (one,) = rows(store, "infrastructure", name="serbia-bulgaria gas interconnector")  # punctuation and case ignored
    assert one["infrastructure"] == "Serbia-Bulgaria Gas Interconnector"


def test_strategic_partners(store: Store) -> None:
    (row,) = rows(store, "strategic-partners", state="Serbia")
    assert row["partner"] == "Azerbaijan" and row["partner_type"] == "State" and row["statements"] == "2"
    assert "strateg" in row["evidence"]
    assert [r["partner"] for r in rows(store, "strategic-partners", state="Azerbaijan")] == ["Serbia"]
    assert rows(store, "strategic-partners", state="Bulgaria") == []


def test_accusations(store: Store) -> None:
    (row,) = rows(store, "accusations")
    assert (row["date"], row["by"], row["against"]) == ("2020-07-20", "Azerbaijan", "Serbia")
    assert "accused Serbia" in row["evidence"] and row["outlet"] == "Analyst Desk"
    assert len(rows(store, "accusations", accused="serbia", since="2020-07-20", until="2020-07-20")) == 1
    assert rows(store, "accusations", accuser="Serbia") == []
    assert rows(store, "accusations", since="2021") == []


def test_edge_evidence_points_at_the_exact_text(store: Store) -> None:
    got = rows(store, "edge-evidence", subject="Vučić", predicate="met", object="Ilham Aliyev")  # stored the other way round
    assert [r["date"] for r in got] == ["2020-08-07", "2022-11-23", "2023-12-10"]
    texts = {a.url: a.text for a in analyst_articles().values()}
    for r in got:
        text = texts[r["url"]]
        begin, end, sb, se = (int(r[k]) for k in ("begin", "end", "span_begin", "span_end"))
        assert text[begin:end] == r["evidence"] and text[sb:se] == r["span"] and begin <= sb < se <= end
        assert r["outlet"] and r["headline"] and r["published"] and r["confidence"] == "0.9"
    assert {r["relation"] for r in rows(store, "edge-evidence", subject="Aliyev", object="Azerbaijan")} == {"holdsOffice"}
    assert rows(store, "edge-evidence", subject="Serbia", predicate="accused", object="Azerbaijan") == []  # not symmetric


def test_entity_profile(store: Store) -> None:
    got = rows(store, "entity-profile", name="vucic")
    assert {r["label"] for r in got} == {"Aleksandar Vučić"} and {r["type"] for r in got} == {"Person"}
    assert got[0]["offices"] == "President of Serbia" and got[0]["aliases"] == "Vučić"
    assert {(r["direction"], r["relation"], r["other"], r["first"], r["last"], r["statements"]) for r in got} == {
        ("out", "holdsOffice", "Serbia", None, None, "3"),
        ("in", "met", "Ilham Aliyev", "2020-08-07", "2023-12-10", "3"),
    }
    (serbia,) = {r["wikidata"] for r in rows(store, "entity-profile", name="Serbia")}
    assert serbia == "Q403"
    assert {r["located_in"] for r in rows(store, "entity-profile", name="Nis")} == {"Serbia"}
    (alone,) = rows(store, "entity-profile", name="Srbijagas")  # no relation: one row all the same
    assert alone["type"] == "Organization" and alone["relation"] is None


def test_most_connected(store: Store) -> None:
    got = rows(store, "most-connected")
    assert got[0]["actor"] == "Ilham Aliyev" and got[0]["neighbours"] == "8"
    ranks = [(-int(r["neighbours"]), -int(r["statements"]), r["actor"]) for r in got]
    assert ranks == sorted(ranks)
    people_2022 = rows(store, "most-connected", since="2022", until="2022", type="person")
    assert [(r["actor"], r["neighbours"]) for r in people_2022] == [("Ilham Aliyev", "6"), ("Aleksandar Vučić", "1"), ("Rumen Radev", "1")]
    assert all(r["actor_type"] == "Person" for r in people_2022)


def test_relations_and_entities(store: Store) -> None:
    everything = rows(store, "relations")
    assert len(everything) == 39 and len({r["statement"] for r in everything}) == 39
    dated_2023 = rows(store, "relations", since="2023", min_confidence="0.8")
    assert {(r["subject_label"], r["relation"], r["object_label"], r["date"]) for r in dated_2023} == {
        ("Ilham Aliyev", "met", "Aleksandar Vučić", "2023-12-10"), ("Ilham Aliyev", "visited", "Niš", "2023-12-10"),
        ("SOCAR", "suppliesEnergyTo", "Serbia", "2024"),
    }
    assert rows(store, "relations", min_confidence="0.95") == []
    people = rows(store, "entities", type="Person")
    assert {r["label"] for r in people} == {"Ilham Aliyev", "Aleksandar Vučić", "Rumen Radev", "Khalaf Khalafov"}
    assert [r["label"] for r in rows(store, "entities", name="vuc")] == ["Aleksandar Vučić"]


def test_entities_carry_the_comparison_key_of_each_name(store: Store) -> None:
    got = run_query(store, "SELECT ?k ?name WHERE { ?e rdfs:label ?name ; kg:nameKey ?k }", {"name": "Aleksandar Vučić"})
    assert {k for k, _ in got.rows} == {"aleksandar vucic", "vucic"}


@pytest.mark.parametrize(("name", "given", "variant"), [
    ("visits-meetings", {"person": "Ilham Aliyev"}, {"person": "ILHAM  ALIYEV"}),
    ("entity-profile", {"name": "Aleksandar Vučić"}, {"name": "aleksandar vucic"}),
    ("edge-evidence", {"subject": "Ilham Aliyev", "object": "Vučić"}, {"subject": "ilham aliyev", "object": "VUCIC"}),
    ("strategic-partners", {"state": "Serbia"}, {"state": "serbia"}),
    ("dyad-timeline", {"a": "Azerbaijan", "b": "Serbia"}, {"a": "AZERBAIJAN", "b": "serbia"}),
    ("dyad-events", {"a": "Azerbaijan", "b": "Serbia"}, {"a": "azerbaijan", "b": "SERBIA"}),
    ("accusations", {"accuser": "Azerbaijan", "accused": "Serbia"}, {"accuser": "azerbaijan", "accused": "SERBIA"}),
    ("agreements", {"party": "Serbia"}, {"party": "serbia"}),
    ("energy-supply", {"supplier": "SOCAR", "recipient": "Serbia"}, {"supplier": "socar", "recipient": "serbia"}),
    ("infrastructure", {"name": "Serbia-Bulgaria Gas Interconnector"}, {"name": "serbia bulgaria gas interconnector"}),
    ("entities", {"name": "Vučić"}, {"name": "vuc"}),
])
def test_names_match_whatever_their_accents_case_and_punctuation(name: str, given: dict[str, str], variant: dict[str, str], store: Store) -> None:
    expected = rows(store, name, **given)
    assert expected and rows(store, name, **variant) == expected


@pytest.mark.parametrize(("name", "params"), [
    ("agreements", {"party": "!!!"}), ("accusations", {"accuser": "?"}), ("accusations", {"accused": "--"}),
    ("energy-supply", {"supplier": "..."}), ("infrastructure", {"name": "*"}), ("entity-profile", {"name": "!"}),
])
def test_a_name_without_letters_matches_nothing(name: str, params: dict[str, str], store: Store) -> None:
    assert rows(store, name, **params) == []  # not "any", as an optional parameter left out would be


def test_every_relation_is_listed_and_found_by_its_name(store: Store) -> None:
    everything = rows(store, "relations")
    stored = run_query(store, "SELECT DISTINCT ?p WHERE { ?s rdf:predicate ?p }")
    assert {r["relation"] for r in everything} == {p.rsplit("#", 1)[-1] for (p,) in stored.rows}
    for predicate in PREDICATES:
        assert rows(store, "relations", predicate=predicate) == [r for r in everything if r["relation"] == predicate]


def test_a_statement_or_mention_is_in_the_graph_of_its_article(analyst_build: Path) -> None:  # noqa: F811
    """The saved queries take a statement's or a mention's article from the graph it is in."""
    built = open_store(analyst_build / "store")
    elsewhere = """SELECT ?x WHERE { { GRAPH ?g { ?x prov:wasDerivedFrom ?a } } UNION { GRAPH ?g { ?x kg:inArticle ?a } } FILTER(?g != ?a) }"""
    assert run_query(built, elsewhere).rows == ()
    assert run_query(built, "ASK { GRAPH ?g { ?x prov:wasDerivedFrom ?g } }").boolean


def test_a_dyad_of_one_state_with_itself_is_empty(store: Store) -> None:
    assert rows(store, "dyad-timeline", a="Serbia", b="serbia") == []


# ---------------------------------------------------------------- parameters


def test_parameters_are_checked_and_typed() -> None:
    q = load_saved("dyad-timeline")
    with pytest.raises(QueryError, match="'b' is required"):
        q.bind({"a": "Azerbaijan"})
    with pytest.raises(QueryError, match="unknown parameter c"):
        q.bind({"a": "x", "b": "y", "c": "z"})
    with pytest.raises(QueryError, match="not a real date"):
        q.bind({"a": "x", "b": "y", "since": "2022-02-30"})
    with pytest.raises(QueryError, match="YYYY"):
        q.bind({"a": "x", "b": "y", "until": "last year"})
    bound = q.bind({"a": "x", "b": "y", "since": "2022-11"})
    assert bound["since"] == Literal("2022-11", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth"))
    assert bound["until"] == Literal("")  # optional, not given: the empty string means "any"
    assert bind_value(Param("n", "integer"), "7") == Literal(7)
    assert bind_value(Param("x", "decimal"), "0.5").datatype.value.endswith("#decimal")
    assert bind_value(Param("b", "boolean"), "yes") == Literal(True)
    assert bind_value(Param("e", "iri"), "kgid:entity/Q403") == NamedNode(iris.ID + "entity/Q403")
    assert bind_value(Param("p", "predicate"), "kg:met") == Literal("met")
    for param, value in [(Param("n", "integer"), "seven"), (Param("x", "decimal"), "NaN"), (Param("b", "boolean"), "maybe"),
                         (Param("e", "iri"), "not an iri"), (Param("p", "predicate"), "likes")]:
        with pytest.raises(QueryError, match=param.name):
            bind_value(param, value)


def test_headers_are_validated() -> None:
    ok = parse_saved("# title: T\n# param: who (State label, default Serbia) the state\nSELECT ?who WHERE {}\n", "t")
    assert ok.params == (Param("who", "label", False, "Serbia", "the state", "State"),)
    assert ok.params[0].signature == "who (State label, default Serbia)"
    for text, message in [
        ("# param: x (colour, required)\nSELECT ?x {}", "unknown type"),
        ("# param: x (label, maybe)\nSELECT ?x {}", "required, optional or default"),
        ("# param: x (integer, optional)\nSELECT ?x {}", "needs a default"),
        ("# param: x (date, default soon)\nSELECT ?x {}", "YYYY"),
        ("# param: x (label, required)\nSELECT ?y {}", "not in the query"),
        ("# param: x\nSELECT ?x {}", "cannot read the parameter line"),
    ]:
        with pytest.raises(QueryError, match=message):
            parse_saved(text, "t")
    with pytest.raises(QueryError, match="dyad-timeline"):
        load_saved("no-such-query")
    assert parse_params(["a=b=c", "d="]) == {"a": "b=c", "d": ""}
    for bad in (["novalue"], ["a=1", "a=2"]):
        with pytest.raises(QueryError):
            parse_params(bad)


def test_a_parameter_must_be_projected_and_is_never_text(store: Store) -> None:
    with pytest.raises(QueryError, match="SELECT clause"):
        run_query(store, "SELECT ?e WHERE { ?e rdfs:label ?name }", {"name": "Serbia"})
    result = run_query(store, "SELECT ?e ?name WHERE { ?e rdfs:label ?name }", {"name": "Serbia"})
    assert result.rows == ((iris.ID + "entity/Q403", "Serbia"),)
    with pytest.raises(QueryError, match="bad parameter name"):
        run_query(store, "SELECT ?e WHERE { ?e ?p ?o }", {"not a name": "x"})


def test_the_garbage_collector_is_paused_only_while_a_result_is_read(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import kg.query

    seen = []  # the collector's state while the query runs, seen from kg:key() (called during the evaluation)
    monkeypatch.setattr(kg.query, "key", lambda text: seen.append(gc.isenabled()) or key(text))
    assert gc.isenabled()
    assert run_query(store, "SELECT ?e ?k WHERE { ?e rdfs:label ?l BIND(kg:key(?l) AS ?k) }").rows
    assert seen and not any(seen)
    assert gc.isenabled()
    for broken in ("SELECT ?e WHERE { ?e", "SELECT ?e WHERE { ?e ?p ?o FILTER(kg:nope(?e)) }"):
        with pytest.raises(QueryError):
            run_query(store, broken)
        assert gc.isenabled(), broken
    gc.disable()  # a caller that paused it keeps it paused
    try:
        run_query(store, "SELECT ?e WHERE { ?e rdfs:label ?l }")
        assert not gc.isenabled()
    finally:
        gc.enable()


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_NASTY = st.one_of(_TEXT, st.sampled_from(['"', "'", "}", "{", '" } ?s ?p ?o { "', "') } UNION { ?s ?p ?o } #", "\\", "<>", '"""', "\n}"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_NASTY)
def test_no_value_can_change_a_query(value: str, store: Store) -> None:
    total = len(store)
    result = run_query(store, "SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?v", {"v": value})
    assert result.rows == ((value, str(total)),)  # the value came back as itself, and the query counted everything
    for r in rows(store, "entity-profile", name=value):  # only actors one of whose names the value is
        assert key(value) in {key(r["label"]), *(key(a) for a in (r["aliases"] or "").split("; "))}
    if value != "":  # "" is what an optional parameter that was not given is bound to: "any"
        assert rows(store, "agreements", party=value) == [] or key(value) in {key(n) for n in ("Azerbaijan", "Azerbaijani", "Serbia", "Serbian")}


# ---------------------------------------------------------------- formats and the command line


def test_formats_render_every_value_safely(store: Store) -> None:
    result = run_query(store, 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("x|y\\tz" "line\\nbreak") ("plain" UNDEF) } }')
    assert format_result(result, "tsv") == "a\tb\nx|y\\tz\tline\\nbreak\nplain\t\n"
    assert format_result(result, "md").splitlines() == ["| a | b |", "| --- | --- |", "| x\\|y\tz | line<br>break |", "| plain |  |"]
    assert list(csv.reader(io.StringIO(format_result(result, "csv")))) == [["a", "b"], ["x|y\tz", "line\nbreak"], ["plain", ""]]
    assert json.loads(format_result(result, "json")) == [{"a": "x|y\tz", "b": "line\nbreak"}, {"a": "plain", "b": None}]
    with pytest.raises(ValueError, match="unknown format"):
        format_result(result, "xml")


def test_prepare_takes_exactly_one_query(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="exactly one"):
        prepare("SELECT * {}", saved="relations")
    with pytest.raises(QueryError, match="exactly one"):
        prepare()
    with pytest.raises(QueryError, match="cannot read"):
        prepare(file=tmp_path / "missing.rq")
    adhoc = prepare("SELECT ?e ?x {}", params={"e": "<https://x.example/e>", "x": "plain"})
    assert adhoc.params == {"e": NamedNode("https://x.example/e"), "x": Literal("plain")} and adhoc.hidden == ()
    with pytest.raises(QueryError, match="bad IRI"):
        prepare("SELECT ?e {}", params={"e": "<not an iri>"})
    typed = prepare(saved="relations", params={"since": "2022"})
    assert typed.hidden == ("predicate", "since", "until", "min_confidence") and typed.params["min_confidence"] == Literal(
        "0", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))


def test_cli_saved_query_in_every_format(analyst_store: Path) -> None:  # noqa: F811
    base = ["query", "--saved", "dyad-timeline", "--param", "a=Azerbaijan", "-p", "b=Serbia", "--store", str(analyst_store)]
    as_json = json.loads(run_kg(*base, "--format", "json").stdout)
    assert [r["date"] for r in as_json] == ["2013", "2013", "2020-07-20", "2020-08-07", *["2022-11-23"] * 3, *["2023-12-10"] * 2]
    as_csv = list(csv.DictReader(io.StringIO(run_kg(*base, "--format", "csv").stdout)))
    assert [r["statement"] for r in as_csv] == [r["statement"] for r in as_json]
    as_tsv = run_kg(*base, "--format", "tsv").stdout.splitlines()
    assert as_tsv[0].split("\t")[:4] == ["date", "subject", "relation", "object"] and len(as_tsv) == 10
    md = run_kg(*base, "--format", "md").stdout.splitlines()
    assert md[0].startswith("| date | subject |") and md[1].startswith("| --- |") and len(md) == 11
    table = run_kg(*base)
    assert table.returncode == 0 and "date" in table.stdout and "2022-11-23" in table.stdout and "9 row(s)" in table.stderr


def test_cli_file_adhoc_params_and_errors(analyst_store: Path, tmp_path: Path) -> None:  # noqa: F811
    store = str(analyst_store)
    rq = tmp_path / "partners.rq"
    rq.write_text((Path(load_saved("strategic-partners").path or "")).read_text(encoding="utf-8"), encoding="utf-8")
    got = json.loads(run_kg("query", "-f", str(rq), "-p", "state=serbia", "--store", store, "--format", "json").stdout)
    assert [r["partner"] for r in got] == ["Azerbaijan"]
    adhoc = run_kg("query", "SELECT ?e ?name WHERE { ?e rdfs:label ?name }", "-p", "name=Niš", "--store", store, "--format", "json")
    assert json.loads(adhoc.stdout) == [{"e": iris.ID + "entity/place/nis", "name": "Niš"}]
    iri = run_kg("query", "SELECT ?e ?l WHERE { ?e rdfs:label ?l }", "-p", f"e=<{iris.ID}entity/Q219>", "--store", store, "--format", "csv")
    assert iri.stdout.splitlines()[1:] == [f"{iris.ID}entity/Q219,Bulgaria"]
    nasty = run_kg("query", "--saved", "entity-profile", "-p", 'name=Serbia" } } ?s ?p ?o { {', "--store", store, "--format", "json")
    assert nasty.returncode == 0 and json.loads(nasty.stdout) == []
    for args, code, message in [
        (["--saved", "dyad-timeline", "-p", "a=Azerbaijan"], 2, "'b' is required"),
        (["--saved", "nope"], 2, "no saved query 'nope'"),
        (["--saved", "relations", "-p", "since=2022-13"], 2, "not a real date"),
        (["--saved", "relations", "-p", "colour=red"], 2, "unknown parameter colour"),
        (["SELECT * {}", "--saved", "relations"], 2, "exactly one"),
        (["SELECT ?x {}", "--format", "xml"], 2, "unknown format"),
        (["SELECT * WHERE {"], 1, "malformed SPARQL"),
        (["SELECT ?e WHERE { ?e ?p ?n }", "-p", "n=x"], 1, "SELECT clause"),
    ]:
        result = run_kg("query", *args, "--store", store)
        assert result.returncode == code and message in result.stderr, (args, result.stderr)
        assert result.stderr.count("error:") == 1 and len(result.stderr.strip().splitlines()) == 1
    missing = run_kg("query", "--saved", "relations", "--store", str(tmp_path / "nostore"))
    assert missing.returncode == 1 and "no store at" in missing.stderr


def test_cli_lists_and_describes_saved_queries() -> None:
    listing = run_kg("queries")
    assert listing.returncode == 0
    for name in EXAMPLES:
        assert name in listing.stdout
    one = run_kg("queries", "dyad-timeline")
    assert one.returncode == 0 and "Timeline of a dyad" in one.stdout and "since (date, optional)" in one.stdout
    assert "SELECT DISTINCT ?date" in one.stdout
    assert run_kg("queries", "nope").returncode == 2


def test_the_analyst_articles_are_the_fixture() -> None:
    assert sorted(p.name for p in ANALYST.glob("*.txt")) == sorted(analyst_articles())
