"""The page a real build draws, opened in Chromium: counts match the store, evidence shows, hostile text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import build, open_store
from kg.page_data import page_data
from tests.conftest import copy_articles, run_kg
from tests.page_fixtures import counts
from tests.test_page_browser import browser, click_edge, open_page  # noqa: F401 - pytest fixtures

HOSTILE = (
    "url: https://example.org/<script>window.__pwned=3</script>\noutlet: <b onmouseover=\"window.__pwned=4\">Wire</b>\n"
    "published: 2023-05-06\ntitle: Aliyev in Belgrade </script><script>window.__pwned=5</script>\n\n"
    'Azerbaijani President Ilham Aliyev visited Serbia on 5 May 2023 <script>window.__pwned=1</script> with '
    '<img src=x onerror="window.__pwned=2"> delegates. Serbia and Azerbaijan signed the '
    '"Agreement on <script>window.__pwned=6</script> Energy Cooperation" in Belgrade on 5 May 2023.\n'
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile-page.txt").write_text(HOSTILE, encoding="utf-8")
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
        relation = next(r for r in data.relations if "<script>window.__pwned=1</script>" in r.evidence)
        edge = loaded.js("([a, b]) => window.kgPage.edgeIdBetween(a, b)", [relation.subject, relation.object])
        click_edge(loaded, edge)
        panel = loaded.page.text_content("#panel-body")
        assert "<script>window.__pwned=1</script>" in panel  # shown as text
        assert "onerror" in panel and loaded.page.locator("#panel-body img").count() == 0
        assert loaded.page.locator("#panel-body mark").count() >= 1


def test_kg_page_renders_a_focused_subgraph(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "focus.html"
    result = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--focus", "Ilham Aliyev", "--depth", "1")
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("<!DOCTYPE html>") and "wrote" in result.stdout
    unknown = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--focus", "Atlantis")
    assert unknown.returncode == 1 and "Atlantis" in unknown.stderr
    dated = run_kg("page", "--store", str(built / "store"), "-o", str(target), "--since", "2023", "--predicates", "visited")
    assert dated.returncode == 0 and "(2 nodes, 1 relations)" in dated.stdout


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
