"""Briefs: a dyad's dated timeline, agreements and trade, every line footnoted to its sentences and outlets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import build, open_store
from kg.brief import make_brief, to_html, to_markdown
from kg.errors import QueryError
from tests.conftest import write_articles

ARTICLES = {
    "one.txt": ("Balkan Wire", "2022-11-24", "Azerbaijani President Ilham Aliyev visited Belgrade on Wednesday. "
                "Serbia and Azerbaijan signed the Joint Declaration on Energy Cooperation between Serbia and Azerbaijan on Wednesday. "
                "The trade turnover between Azerbaijan and Serbia amounted to $9 million in 2021."),
    "two.txt": ("Caspian Daily", "2022-11-25", "President Ilham Aliyev paid an official visit to Serbia on 23 November."),
    "old.txt": ("Caspian Daily", "2020-08-08", "On 20 July 2020, the Azerbaijani side accused Serbia of selling ammunition to Armenia."),
    "gas.txt": ("Energy Monitor", "2023-01-03", "SOCAR began supplying natural gas to Srbijagas on 1 January 2023 under a new contract."),
    "gas2.txt": ("Balkan Wire", "2023-01-04", "Since 1 January 2023, SOCAR has delivered gas to Srbijagas, the Serbian gas company said."),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_articles(tmp_path_factory.mktemp("brief"), ARTICLES)
    build([folder], folder / "out", page=False)
    return folder / "out" / "store"


@pytest.fixture(scope="module")
def store(built: Path):  # noqa: ANN201 - pyoxigraph.Store
    return open_store(built)


def test_timeline_agreements_and_trade_with_footnotes(store) -> None:  # noqa: ANN001
    brief = make_brief(store, "azerbaijan", "Serbia")
    lines = [(line.date, line.text) for line in brief.timeline]
    assert ("2020-07-20", "Azerbaijan accused Serbia") in lines
    visit = next(line for line in brief.timeline if line.text == "Ilham Aliyev visited Serbia")
    assert visit.date == "2022-11-23" and len({s.outlet for s in visit.sources}) == 2 and "2 outlet" in visit.note
    assert [a.text for a in brief.agreements] == ["Joint Declaration on Energy Cooperation between Serbia and Azerbaijan"]
    assert [(t.date, t.text) for t in brief.trade] == [("2021", "trade turnover $9 million (2021)")]
    md = to_markdown(brief)
    assert md.startswith("# Azerbaijan – Serbia: brief")
    footnotes = [line for line in md.splitlines() if line.startswith("[^")]
    assert len(footnotes) == sum(len(line.sources) for line in brief.timeline + brief.agreements + brief.infrastructure + brief.trade)
    assert any("Caspian Daily" in f and "official visit to Serbia on 23 November" in f for f in footnotes)


def test_energy_supply_by_companies_counts_for_their_states(store) -> None:  # noqa: ANN001
    brief = make_brief(store, "Azerbaijan", "Serbia")
    supply = [line for line in brief.timeline if "supplies" in line.text]
    assert [(line.date, line.text) for line in supply] == [("2023-01-01", "SOCAR supplies gas to Srbijagas")]
    assert {s.outlet for s in supply[0].sources} == {"Energy Monitor", "Balkan Wire"} and "2 outlet" in supply[0].note
    assert not [line for line in make_brief(store, "Serbia", "Armenia").timeline if "SOCAR" in line.text]


def test_date_range_and_html(store) -> None:  # noqa: ANN001
    brief = make_brief(store, "Azerbaijan", "Serbia", since="2021", until="2022-12")
    assert [line.text for line in brief.timeline] == ["Ilham Aliyev visited Serbia"]
    page = to_html(brief)
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page and "<sup><a href='#n1'>1</a></sup>" in page


def test_unknown_state_is_a_clear_error(store) -> None:  # noqa: ANN001
    with pytest.raises(QueryError, match="Atlantis"):
        make_brief(store, "Atlantis", "Serbia")


def test_kg_brief_command(built: Path, tmp_path: Path) -> None:
    from tests.conftest import run_kg

    location = built
    md = run_kg("brief", "Azerbaijan", "Serbia", "--store", str(location))
    assert md.returncode == 0 and md.stdout.startswith("# Azerbaijan – Serbia: brief")
    target = tmp_path / "b.html"
    assert run_kg("brief", "Azerbaijan", "Serbia", "--store", str(location), "--format", "html", "-o", str(target)).returncode == 0
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert run_kg("brief", "Atlantis", "Serbia", "--store", str(location)).returncode == 1
    assert run_kg("brief", "Azerbaijan", "Serbia", "--store", str(location), "--format", "pdf").returncode == 2
