"""The page a real build draws, opened in Chromium: counts match the store, evidence shows, hostile text stays text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import build, open_store, run_query
from kg.export import jsonl_records, read_jsonl
from kg.page import render_page, select
from kg.page_data import page_data
from tests.conftest import copy_articles, run_kg, write_articles
from tests.page_fixtures import counts
from tests.test_page_browser import _data_block, browser, click_edge, open_page  # noqa: F401 - pytest fixtures

HOSTILE = (
    "url: https://example.org/<script>window.__pwned=3</script>\noutlet: <b onmouseover=\"window.__pwned=4\">Wire</b>\n"
    "published: 2023-05-06\ntitle: Aliyev in Belgrade </script><script>window.__pwned=5</script>\n\n"
    'Azerbaijani President Ilham Aliyev visited Serbia on 5 May 2023 <script>window.__pwned=1</script> with '
    '<img src=x onerror="window.__pwned=2"> delegates. Serbia and Azerbaijan signed the '
    '"Agreement on <script>window.__pwned=6</script> Energy Cooperation" in Belgrade on 5 May 2023.\n'
)
HOSTILE_OUTLET = '<b onmouseover="window.__pwned=4">Wire</b>'
# a second outlet reports the same visit a day later: one event, corroborated twice, with a date conflict
SECOND_REPORT = {"second-report.txt": ("Balkan Wire", "2023-05-07", "Ilham Aliyev visited Serbia on 6 May 2023.")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile-page.txt").write_text(HOSTILE, encoding="utf-8")
    write_articles(folder, SECOND_REPORT)
    copy_articles(["albania-visit.txt", "bulgaria-gas.txt"], folder)
    out = folder / "out"
    build([folder], out)
    return out


@pytest.mark.browser
def test_built_page_matches_the_store_and_runs_nothing_from_articles(browser, built: Path) -> None:  # noqa: F811
    data = page_data(open_store(built / "store"))
    assert any("<script>" in r.evidence for r in data.relations)
    assert any("<script>" in n.label for n in data.nodes)
    with open_page(browser, built / "graph.html") as loaded:
        assert loaded.counts() == counts(data)
        relation = next(r for r in data.relations if r.predicate == "visited" and "<script>window.__pwned=1</script>" in r.evidence)
        edge = loaded.js("([a, b]) => window.kgPage.edgeIdBetween(a, b)", [relation.subject, relation.object])
        click_edge(loaded, edge)
        panel = loaded.page.text_content("#panel-body")
        assert "<script>window.__pwned=1</script>" in panel  # shown as text
        assert "onerror" in panel and loaded.page.locator("#panel-body img").count() == 0
        assert loaded.page.locator("#panel-body mark").count() >= 1
        # the visit is an event two outlets report: the hostile outlet is text in its date conflict and its report
        event = loaded.page.locator("#panel-relations .event")
        assert event.count() == 1 and event.locator(".corroboration").text_content() == "reported by 2 outlets"
        assert event.locator(".conflict-outlets").all_text_contents() == [HOSTILE_OUTLET, "Balkan Wire"]
        assert event.locator(".report .outlet").all_text_contents() == [HOSTILE_OUTLET, "Balkan Wire"]
        assert loaded.page.locator("#panel-body b, #panel-body script").count() == 0
        # an event whose target is a hostile label
        signed = next(r for r in data.relations if r.predicate == "signed" and "<script>" in r.evidence)
        click_edge(loaded, loaded.js("([a, b]) => window.kgPage.edgeIdBetween(a, b)", [signed.subject, signed.object]))
        assert loaded.page.locator("#panel-relations .event > .triple .obj").text_content() == (
            "Agreement on <script>window.__pwned=6</script> Energy Cooperation"
        )
        assert loaded.page.locator("#panel-body script").count() == 0


def test_page_data_carries_the_events_and_their_reports(built: Path) -> None:
    store = open_store(built / "store")
    data = page_data(store)
    assert len(data.events) == int(run_query(store, "SELECT (COUNT(?e) AS ?n) WHERE { ?e a kg:Event }").rows[0][0])
    relations = {r.id: r for r in data.relations}
    assert all(s in relations for e in data.events for s in e.reports)
    visit = next(e for e in data.events if e.predicate == "visited" and e.target == "Serbia")
    assert (visit.agent, visit.target, visit.corroboration) == ("Ilham Aliyev", "Serbia", 2)
    assert (visit.date, visit.reported_dates, visit.conflict) == ("2023-05-05", ("2023-05-05", "2023-05-06"), True)
    assert sorted((relations[s].date, relations[s].source.outlet) for s in visit.reports) == [
        ("2023-05-05", HOSTILE_OUTLET), ("2023-05-06", "Balkan Wire")
    ]
    # on the page each report points to its event; relations outside every event point nowhere
    payload = json.loads(_data_block(render_page(data)))
    event_of = {r["id"]: payload["events"][r["event"]]["id"] if r["event"] is not None else None for r in payload["relations"]}
    assert event_of == {r: next((e.id for e in data.events if r in e.reports), None) for r in relations}
    assert all(event_of[r.id] for r in data.relations if r.predicate == "visited")
    assert {relations[r].predicate for r, e in event_of.items() if e is None} >= {"holdsOffice", "partyTo"}
    # a selection keeps an event with one report on the page, and says the other is elsewhere
    later = select(data, since="2023-05-06")
    assert later.events == (visit,)
    (shown,) = json.loads(_data_block(render_page(later)))["events"]
    assert (shown["n"], len(shown["reports"]), shown["elsewhere"]) == (2, 1, 1)


def test_the_built_page_is_the_page_of_its_store(built: Path) -> None:
    """The build draws its page from the JSONL it wrote, streamed to the file; the page drawn from the store alone
    (its records derived again, the page rendered whole) is the same, byte for byte."""
    store = open_store(built / "store")
    assert render_page(page_data(store)).encode("utf-8") == (built / "graph.html").read_bytes()
    records = list(read_jsonl(built / "extractions.jsonl"))
    assert records == list(jsonl_records(store))
    assert any(r["kind"] == "relation" for r in records)


def test_kg_page_renders_a_focused_subgraph(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "focus.html"
    result = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--focus", "Ilham Aliyev", "--depth", "1")
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("<!DOCTYPE html>") and "wrote" in result.stdout
    unknown = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--focus", "Atlantis")
    assert unknown.returncode == 1 and "Atlantis" in unknown.stderr
    dated = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--since", "2023", "--predicates", "visited")
    assert dated.returncode == 0 and "(2 nodes, 2 relations)" in dated.stdout


def test_cli_messages_are_not_wrapped_at_the_terminal_width(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / ("a-folder-name-long-enough-to-pass-any-terminal-width-" * 3)
    folder.mkdir()
    target = folder / "page.html"
    result = run_kg("page", "--store", str(built / "store"), "-o", str(target))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"wrote {target} (") and line.endswith(" relations)")
    missing = run_kg("page", "--store", str(folder / "no-store"), "-o", str(target))
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1 and str(folder / "no-store") in missing.stderr


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld"])
def test_every_export_of_a_hostile_build_reparses(built: Path, fmt: str) -> None:
    import io

    from pyoxigraph import RdfFormat, parse

    from kg import export

    buffer = io.BytesIO()
    store = open_store(built / "store")
    export(store, fmt, buffer)
    formats = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD}
    parsed = list(parse(buffer.getvalue(), formats[fmt]))
    assert parsed
    labels = {q.object.value for q in store.quads_for_pattern(None, None, None, None) if "<script>" in getattr(q.object, "value", "")}
    assert labels  # the hostile strings are in the graph, as literals
    iris = {t.value for q in store.quads_for_pattern(None, None, None, None) for t in (q.subject, q.object) if type(t).__name__ == "NamedNode"}
    assert not any(c in iri for iri in iris for c in ' <>"{}|\\^`')
