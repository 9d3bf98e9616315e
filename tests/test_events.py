"""Events: reports of one visit from several outlets become one event; different visits stay apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import build, open_store, run_query, validate_store
from kg.events import _bounds, _Span, agreed_date
from tests.conftest import write_articles

REPORTS = {
    "wire-a.txt": ("Balkan Wire", "2022-11-24", "Azerbaijani President Ilham Aliyev visited Belgrade on Wednesday, where he held talks with Aleksandar Vučić."),
    "wire-b.txt": ("Caspian Daily", "2022-11-25", "President Ilham Aliyev paid an official visit to Serbia on 23 November and met Alexander Vucic."),
    "wire-c.txt": ("Danube Review", "2022-12-02", "In November 2022, Ilham Aliyev visited Serbia, the first such visit in years."),
    "wire-d.txt": ("Sofia Monitor", "2022-11-25", "Ilham Aliyev visited Serbia on 24 November, according to the Serbian presidency."),
    "later.txt": ("Balkan Wire", "2023-12-11", "Ilham Aliyev visited Serbia on 10 December 2023 for the opening of the gas interconnector."),
}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_articles(tmp_path_factory.mktemp("events"), REPORTS)
    out = folder / "out"
    build([folder], out, page=False)
    return out


def visits(store_dir: Path) -> list[tuple]:
    return list(run_query(open_store(store_dir / "store"), """
        SELECT ?e ?date ?n ?conflict (COUNT(DISTINCT ?r) AS ?reports) (GROUP_CONCAT(DISTINCT STR(?d); separator=" ") AS ?dates)
        WHERE { GRAPH ?g { ?e a kg:Event ; kg:eventType kg:visited ; kg:agent ?who ; kg:target ?where ; kg:corroboration ?n ;
                kg:reportedIn ?r ; kg:reportedDate ?d . OPTIONAL { ?e kg:date ?date } OPTIONAL { ?e kg:dateConflict ?conflict } }
                ?who rdfs:label "Ilham Aliyev" . ?where rdfs:label "Serbia" }
        GROUP BY ?e ?date ?n ?conflict ORDER BY ?date""").rows)


def test_reports_of_one_visit_become_one_event_and_a_later_visit_another(store_dir: Path) -> None:
    rows = visits(store_dir)
    assert len(rows) == 2
    first, later = rows
    _, date, outlets, conflict, reports, dates = first
    assert int(reports) == 4 and int(outlets) == 4  # Belgrade is read as Serbia; four outlets
    assert date == "2022-11-23"  # the most reported precise date
    assert conflict == "true"  # one outlet says 24 November
    assert set(dates.split()) == {"2022-11-23", "2022-11-24", "2022-11"}
    assert later[1] == "2023-12-10" and int(later[4]) == 1 and later[3] is None


def test_the_direct_triples_stay_and_the_graph_conforms(store_dir: Path) -> None:
    store = open_store(store_dir / "store")
    assert run_query(store, "ASK { ?s kg:visited ?o . ?o rdfs:label 'Belgrade' }").boolean
    assert validate_store(store).conforms


def test_resolution_is_incremental_and_deterministic(store_dir: Path, tmp_path: Path) -> None:
    before = visits(store_dir)
    folder = store_dir.parent
    build([folder], store_dir, page=False)
    assert visits(store_dir) == before


def dataset(out: Path) -> set:
    return set(open_store(out / "store"))


def test_a_rebuild_updates_the_events_and_entities_an_added_or_deleted_report_touches(tmp_path: Path) -> None:
    folder = write_articles(tmp_path, {k: REPORTS[k] for k in ("wire-a.txt", "wire-b.txt", "wire-c.txt")})
    out = tmp_path / "out"
    build([folder], out, page=False)
    assert int(visits(out)[0][4]) == 3
    write_articles(folder, {"wire-d.txt": REPORTS["wire-d.txt"]})  # a new report joins the event
    assert build([folder], out, page=False).skipped == 3
    assert int(visits(out)[0][4]) == 4 and visits(out)[0][3] == "true"
    (folder / "wire-b.txt").unlink()  # the only report spelling "Alexander Vucic"
    report = build([folder], out, page=False)
    assert report.skipped == 3 and report.removed == 1
    (event,) = visits(out)
    assert int(event[4]) == 3 and int(event[2]) == 3 and event[1] == "2022-11-23"  # "Wednesday" and 24 November tie
    aliases = {str(row[0]) for row in run_query(open_store(out / "store"), "SELECT ?alias WHERE { ?e rdfs:label 'Aleksandar Vučić' ; skos:altLabel ?alias }").rows}
    assert "Alexander Vucic" not in aliases and "Aleksandar Vučić" not in aliases
    clean = tmp_path / "clean"
    build([folder], clean, page=False)
    assert dataset(out) == dataset(clean)


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [("2022-11-23", "2022-11", True), ("2022-11-23", "2022", True), ("2022-11-23", "2022-11-25", True),
     ("2022-11-23", "2022-12-23", False), ("2022", "2023", False), ("2022-11", "2022-12-02", False)],
)
def test_date_compatibility(a: str, b: str, ok: bool) -> None:
    for first, second in ((a, b), (b, a)):
        span = _Span()
        span.add(first)
        assert span.admits(second, 3) is ok


def test_agreed_date_prefers_precision_then_majority() -> None:
    assert agreed_date(["2022", "2022-11", "2022-11-23"]) == ("2022-11-23", False)
    assert agreed_date(["2022-11-23", "2022-11-24", "2022-11-23"]) == ("2022-11-23", True)
    assert agreed_date([]) == (None, False)


def test_saved_queries_for_events(store_dir: Path) -> None:
    import kg

    with kg.open(store_dir / "store") as g:
        rows = g.saved("dyad-events", a="azerbaijan", b="Serbia")
        assert [(r["date"], r["type"], r["agentLabel"], r["targetLabel"], int(r["outlets"]), int(r["reports"])) for r in rows] == [
            ("2022-11-23", "visited", "Ilham Aliyev", "Serbia", 4, 4),
            ("2023-12-10", "visited", "Ilham Aliyev", "Serbia", 1, 1),
        ]
        single = g.saved("single-source-events", type="visited")
        assert [(r["date"], r["outlet"]) for r in single] == [("2023-12-10", "Balkan Wire")]
        conflicts = g.saved("date-conflicts")
        assert {(r["reported"], r["outlet"]) for r in conflicts} >= {("2022-11-24", "Sofia Monitor"), ("2022-11-23", "Caspian Daily")}
        assert {r["agreed"] for r in conflicts} == {"2022-11-23"}


def test_an_undated_report_joins_only_an_event_its_article_can_be_reporting() -> None:
    from kg.events import Report, _cluster

    def report(n: int, date: str | None, published: str) -> Report:
        return Report(f"st{n}", "met", "a", "b", date, 0.8, f"art{n}", f"outlet{n}", published)

    dated = [report(1, "2020-08-07", "2020-08-07"), report(2, "2022-11-23", "2022-11-24")]
    clusters = _cluster([*dated, report(3, None, "2022-11-25"), report(4, None, "2021-06-01")], 3)
    by_first = {c[0].statement: sorted(r.statement for r in c) for c in clusters}
    assert by_first["st1"] == ["st1"]
    assert by_first["st2"] == ["st2", "st3"]  # published two days after: reports that meeting
    assert by_first["st4"] == ["st4"]  # published long after both: its own, undated event


def compatible(a: str, b: str, window: int) -> bool:
    """The rule for two dates, as events.yaml states it: one contains the other, or two days lie within the window."""
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    slack = dt.timedelta(days=window if len(a) == len(b) == 10 else 0)
    return a0 <= b1 + slack and b0 <= a1 + slack


def _reference_clusters(reports: list, window: int) -> list[list]:
    """Clustering as the rule states it, member by member: the oracle for kg.events._cluster."""
    dated = sorted((r for r in reports if r.date), key=lambda r: (_bounds(r.date)[0], r.statement))
    clusters: list[list] = []
    for r in dated:
        home = next((c for c in clusters if all(compatible(r.date, x.date, window) for x in c if x.date)), None)
        if home is None:
            clusters.append([r])
        else:
            home.append(r)
    alone = []
    for r in (r for r in reports if not r.date):
        def recent(c: list) -> bool:
            start = min(_bounds(x.date)[0] for x in c if x.date)
            end = max(_bounds(x.date)[1] for x in c if x.date)
            return start <= dt.date.fromisoformat(r.published) <= end + dt.timedelta(days=31)

        home = [c for c in clusters if r.published and recent(c)]
        if len(home) == 1:
            home[0].append(r)
        else:
            alone.append(r)
    return clusters + ([alone] if alone else [])


_DATES = st.builds(
    lambda y, m, d, precision: f"{y}" if precision == 0 else f"{y}-{m:02d}" if precision == 1 else f"{y}-{m:02d}-{d:02d}",
    st.integers(2019, 2021), st.integers(1, 12), st.integers(1, 28), st.integers(0, 2),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), _DATES), st.one_of(st.none(), _DATES.filter(lambda d: len(d) == 10))), max_size=25),
       st.integers(0, 5))
def test_clustering_by_cluster_bounds_matches_the_rule_member_by_member(rows: list, window: int) -> None:
    from kg.events import Report, _cluster

    reports = [Report(f"st{i:02d}", "met", "a", "b", date, 0.5, f"art{i}", f"outlet{i}", published) for i, (date, published) in enumerate(rows)]
    assert _cluster(reports, window) == _reference_clusters(reports, window)
