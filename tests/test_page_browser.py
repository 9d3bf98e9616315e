"""The researchers' graph page: select() unit tests, and real-Chromium tests of the page.

The browser tests open the page from disk (file://) in Debian's chromium, driven by
Playwright, with no mock: they click on the canvas, move the sliders, type in the
search box, and read what the page shows.
"""

from __future__ import annotations

import json
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kg import build, open_store
from kg.page import PageData, PageNode, date_interval, render_page, select, write_page
from kg.page_data import page_data

try:  # tests/ as a package or as a plain directory on sys.path
    from .conftest import write_articles
    from .page_fixtures import (
        EVENT_ARTICLES, HOSTILE_EVIDENCE, HOSTILE_LABEL, HOSTILE_SPAN, counts, node_id, sample_page_data,
    )
except ImportError:
    from conftest import write_articles
    from page_fixtures import EVENT_ARTICLES, HOSTILE_EVIDENCE, HOSTILE_LABEL, HOSTILE_SPAN, counts, node_id, sample_page_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1440, "height": 900}


def rel_numbers(data: PageData) -> set[int]:
    """The fixture numbers of the relations kept (their IRIs end in /statement/s<N>)."""
    return {int(r.id.rsplit("/s", 1)[1]) for r in data.relations}


def labels(data: PageData) -> set[str]:
    return {n.label for n in data.nodes}


def only(data: PageData, keep) -> PageData:
    """The page's own rule: relations passing `keep`, nodes touching one of them."""
    rels = tuple(r for r in data.relations if keep(r))
    used = {r.subject for r in rels} | {r.object for r in rels}
    return PageData(tuple(n for n in data.nodes if n.id in used), rels, data.title)


# =============================================================== select() (no browser)


def test_date_interval_partial_dates():
    assert date_interval("2022") == ("2022-01-01", "2022-12-31")
    assert date_interval("2024-02") == ("2024-02-01", "2024-02-29")
    assert date_interval("2023-02") == ("2023-02-01", "2023-02-28")
    assert date_interval("2022-06-15") == ("2022-06-15", "2022-06-15")
    for bad in ("22", "2022-13", "2022-02-30", "June 2022", ""):
        with pytest.raises(ValueError):
            date_interval(bad)


def test_select_without_filters_keeps_everything_related():
    data = sample_page_data()
    lonely = PageNode("https://kg.example.org/entity/lonely", "Lonely", "Place", None)
    data2 = replace(data, nodes=data.nodes + (lonely,))
    out = select(data2)
    assert out.relations == data.relations
    assert out.nodes == data.nodes  # the node without relations is dropped
    assert out.title == data.title


def test_select_focus_and_depth():
    data = sample_page_data()
    d1 = select(data, focus="serbia")  # case-insensitive
    assert labels(d1) == {"Serbia", "Azerbaijan", "Aleksandar Vučić", "Belgrade", "SOCAR",
                          "Strategic Partnership Declaration", "Bulgaria"}
    assert rel_numbers(d1) == {1, 2, 3, 5, 8, 9, 10, 12, 13, 14, 16}  # induced sub-graph
    d2 = select(data, focus="Serbia", depth=2)
    assert d2.nodes == data.nodes and d2.relations == data.relations

    v1 = select(data, focus="ALEKSANDAR VUCIC", depth=1)  # accent-insensitive
    assert labels(v1) == {"Aleksandar Vučić", "Serbia", "Ilham Aliyev"}
    assert rel_numbers(v1) == {5, 7}
    v2 = select(data, focus="Aleksandar Vučić", depth=2)
    assert rel_numbers(v2) == set(range(1, 17)) - {11, 15}
    assert len(v2.nodes) == 8
    v0 = select(data, focus="Aleksandar Vučić", depth=0)
    assert labels(v0) == {"Aleksandar Vučić"} and v0.relations == ()


def test_select_focus_is_kept_even_without_relations():
    out = select(sample_page_data(), focus="Serbia", predicates=["visited"])
    assert labels(out) == {"Serbia"} and out.relations == ()


def test_select_unknown_focus_raises_naming_the_label():
    with pytest.raises(ValueError, match="Atlantis"):
        select(sample_page_data(), focus="Atlantis")
    with pytest.raises(ValueError, match="did you mean.*Serbia"):
        select(sample_page_data(), focus="serb")


def test_select_dates_at_their_precision():
    data = sample_page_data()
    # "2020" (the whole year) overlaps [2020-06-01, ...); undated relations are dropped
    assert rel_numbers(select(data, since="2020-06-01")) == {2, 3, 6, 7, 10, 11, 12, 15}
    # "2013" and "2013-11" overlap (..., 2013-11-12], "2013-11-13" does not
    assert rel_numbers(select(data, until="2013-11-12")) == {1, 14}
    assert rel_numbers(select(data, since="2013-11-13", until="2013-11-13")) == {1, 13, 14}
    assert rel_numbers(select(data, since="2021", until="2021")) == {12, 15}
    assert rel_numbers(select(data, since="2022-06", until="2022-06")) == {6, 7}
    assert rel_numbers(select(data, since="2030")) == set()
    with pytest.raises(ValueError):
        select(data, since="2023", until="2022")
    with pytest.raises(ValueError):
        select(data, since="last week")


def test_select_predicates_and_confidence():
    data = sample_page_data()
    met = select(data, predicates=["met"])
    assert rel_numbers(met) == {7, 16}
    assert labels(met) == {"Ilham Aliyev", "Aleksandar Vučić", "Bulgaria", "Serbia"}
    assert rel_numbers(select(data, min_confidence=0.9)) == {1, 2, 4, 5, 6, 12}
    both = select(data, predicates=["holdsOffice", "met"], min_confidence=0.9, focus="Ilham Aliyev")
    assert rel_numbers(both) == {4}


def test_select_rejects_bad_depth():
    with pytest.raises(ValueError):
        select(sample_page_data(), focus="Serbia", depth=-1)


# =============================================================== the HTML (no browser)


def _data_block(html: str) -> str:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m, "no kg-data block"
    return m.group(1)


def test_rendered_html_is_self_contained():
    html = render_page(sample_page_data())
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", html, re.I), "external script"
    for tag in re.findall(r"<link\b[^>]*>", html, re.I):
        href = re.search(r"""href\s*=\s*["']?([^"'\s>]*)""", tag, re.I)
        assert href and href.group(1).startswith("data:"), tag
    assert '<link rel="icon" href="data:,">' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    for host in ("cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrap"):
        assert host not in html.lower(), host
    assert "vis-network" in html and "kgPage" in html


class _Scripts(HTMLParser):
    """The <script> elements as an HTML parser sees them (a raw `</script` ends one)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.tags: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_data_block_cannot_be_closed_by_untrusted_text():
    data = sample_page_data()
    html = render_page(data)
    block = _data_block(html)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    parser = _Scripts()
    parser.feed(html)
    parser.close()
    assert [a.get("type") for a, _ in parser.scripts] == [None, "application/json", None]
    assert "img" not in parser.tags and "b" not in parser.tags
    payload = json.loads(parser.scripts[1][1])
    assert HOSTILE_LABEL in [n["label"] for n in payload["nodes"]]
    hostile = next(r for r in payload["relations"] if r["ev"][1] == HOSTILE_SPAN)
    assert "".join(hostile["ev"]) == HOSTILE_EVIDENCE


def test_render_rejects_inconsistent_data():
    data = sample_page_data()
    bad_span = replace(data.relations[0], span_end=len(data.relations[0].evidence) + 1)
    with pytest.raises(ValueError, match="span"):
        render_page(replace(data, relations=(bad_span,)))
    dangling = replace(data.relations[0], object="https://kg.example.org/entity/nowhere")
    with pytest.raises(ValueError, match="unknown node"):
        render_page(replace(data, relations=(dangling,)))


def test_write_page_is_atomic_and_overwrites(tmp_path):
    data = sample_page_data()
    out = tmp_path / "graph.html"
    out.write_text("old")
    write_page(data, out)
    assert out.read_text(encoding="utf-8") == render_page(data)
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]  # no temporary file left
    nested = tmp_path / "new" / "dir" / "graph.html"
    write_page(data, nested)
    assert nested.read_text(encoding="utf-8") == render_page(data)


def test_title_is_escaped_and_layout_is_bounded():
    data = replace(sample_page_data(), title="<script>window.__pwned=5</script> & co")
    html = render_page(data)
    assert "<title>&lt;script&gt;window.__pwned=5&lt;/script&gt; &amp; co</title>" in html
    options = json.loads(_data_block(html))["options"]
    assert options["physics"]["stabilization"]["enabled"] is True
    assert 100 <= options["physics"]["stabilization"]["iterations"] <= 600
    many = PageData(tuple(PageNode(f"urn:n{i}", f"N{i}", "Place", None) for i in range(3000)), ())
    big = json.loads(_data_block(render_page(many)))["options"]["physics"]["stabilization"]["iterations"]
    assert big <= 100


def test_events_travel_with_their_reports_on_the_page():
    data = sample_page_data()
    payload = json.loads(_data_block(render_page(data)))
    hostile = next(i for i, r in enumerate(payload["relations"]) if r["id"].endswith("/statement/s15"))
    assert [r["event"] for r in payload["relations"]] == [0 if i == hostile else None for i in range(16)]
    (event,) = payload["events"]
    assert (event["reports"], event["elsewhere"], event["n"], event["conflict"]) == ([hostile], 1, 2, True)
    assert (event["agent"], event["date"], event["dates"]) == (HOSTILE_LABEL, "2021", ["2021", "2022"])
    # an event goes with its reports: kept by select() while one of them is, dropped from the page when none is
    assert select(data, predicates=["accused"]).events == data.events
    assert select(data, predicates=["met"]).events == ()
    without = replace(data, relations=tuple(r for r in data.relations if not r.id.endswith("/s15")))
    assert json.loads(_data_block(render_page(without)))["events"] == []


def test_render_rejects_inconsistent_events():
    data = sample_page_data()
    twice = replace(data.events[0], id="https://kg.example.org/event/v2")
    with pytest.raises(ValueError, match="another event"):
        render_page(replace(data, events=data.events + (twice,)))
    with pytest.raises(ValueError, match="corroboration"):
        render_page(replace(data, events=(replace(data.events[0], corroboration=0),)))


def test_empty_graph_renders():
    html = render_page(PageData((), ()))
    assert json.loads(_data_block(html))["nodes"] == []


# =============================================================== the page in Chromium


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "graph.html"
    write_page(sample_page_data(), path)
    return path


@dataclass
class Loaded:
    page: object
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def counts(self) -> tuple[int, int]:
        shown = (int(self.page.text_content("#count-nodes")), int(self.page.text_content("#count-edges")))
        drawn = (len(self.js("window.kgPage.visibleNodeIds()")), len(self.js("window.kgPage.visibleEdgeIds()")))
        assert shown == drawn, f"counters {shown} disagree with the drawn graph {drawn}"
        return shown


@contextmanager
def open_page(browser, path: Path):
    """Open the page from disk; on exit check: no console error, no request but the file itself, no XSS."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        state = Loaded(page=page, url=path.as_uri())
        page.on("console", lambda m: state.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: state.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: state.requests.append(r.url))
        page.goto(state.url)
        page.wait_for_function("window.kgPage && window.kgPage.ready === true", timeout=30_000)
        yield state
        assert state.errors == [], state.errors
        assert state.requests == [state.url], f"unexpected requests: {state.requests}"
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()


@pytest.fixture
def loaded(browser, page_file):
    with open_page(browser, page_file) as state:
        yield state


def click_node(loaded: Loaded, nid: str) -> None:
    pos = loaded.js("(id) => window.kgPage.domPositionOf(id)", nid)
    loaded.page.mouse.click(pos["x"], pos["y"])


def click_edge(loaded: Loaded, eid: str) -> None:
    pos = loaded.js("(id) => window.kgPage.domPositionOfEdge(id)", eid)
    assert pos is not None, f"no clickable point on edge {eid}"
    loaded.page.mouse.click(pos["x"], pos["y"])


@pytest.mark.browser
def test_default_view_offline_counts_and_screenshot(loaded):
    data = sample_page_data()
    assert loaded.counts() == counts(data) == (10, 14)  # three Azerbaijan–Serbia relations: one edge
    assert loaded.page.text_content("#count-relations") == "16"
    assert loaded.page.title() == data.title
    # physics was switched off after stabilisation: nothing moves any more
    serbia = node_id(data, "Serbia")
    before = loaded.js("(id) => window.kgPage.domPositionOf(id)", serbia)
    loaded.page.wait_for_timeout(400)
    assert loaded.js("(id) => window.kgPage.domPositionOf(id)", serbia) == before
    # legend: one row per entity type, with its shape
    assert loaded.page.locator("#type-filters input[data-type]").count() == 6
    assert loaded.page.locator("#type-filters svg.swatch").count() == 6
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    loaded.page.screenshot(path=str(ARTIFACTS / "page-default.png"))


@pytest.mark.browser
def test_click_on_aggregated_edge_lists_its_relations_with_highlighted_span(loaded):
    data = sample_page_data()
    az, rs = node_id(data, "Azerbaijan"), node_id(data, "Serbia")
    eid = loaded.js("([a, b]) => window.kgPage.edgeIdBetween(a, b)", [az, rs])
    click_edge(loaded, eid)
    assert loaded.js("window.kgPage.selectedEdgeIds()") == [eid]
    cards = loaded.page.locator("#panel-relations .rel")
    expected = [r for r in data.relations if {r.subject, r.object} == {az, rs}]
    assert cards.count() == len(expected) == 3
    for rel in expected:
        card = loaded.page.locator(f'#panel-relations .rel[data-relation-id="{rel.id}"]')
        assert card.locator(".evidence").text_content() == rel.evidence
        assert card.locator(".evidence mark").text_content() == rel.evidence[rel.span_start:rel.span_end]
        assert card.locator(".pred").text_content() == rel.predicate
        assert card.locator(".rel-date").text_content() == rel.date
        assert f"{rel.confidence:.2f}" in card.locator(".conf").text_content()
        for k, v in rel.qualifiers.items():
            assert f"{k}{v}" in card.locator(".quals").text_content()
        link = card.locator(".source a")
        if rel.source.url and rel.source.url.startswith(("http://", "https://")):
            assert link.get_attribute("href") == rel.source.url
        else:
            assert link.count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    loaded.page.screenshot(path=str(ARTIFACTS / "page-edge.png"))


@pytest.mark.browser
def test_click_on_node_opens_panel_with_wikidata_link(loaded):
    data = sample_page_data()
    rs = node_id(data, "Serbia")
    click_node(loaded, rs)
    assert loaded.js("window.kgPage.selectedNodeIds()") == [rs]
    assert loaded.page.text_content("#panel-title") == "Serbia"
    assert loaded.page.get_attribute("#panel-body a.wikidata", "href") == "https://www.wikidata.org/wiki/Q403"
    n_serbia = sum(1 for r in data.relations if rs in (r.subject, r.object))
    assert loaded.page.locator("#panel-relations .rel").count() == n_serbia == 8
    # hovering shows a plain-text tooltip with type and Wikidata id
    pos = loaded.js("(id) => window.kgPage.domPositionOf(id)", rs)
    loaded.page.mouse.move(pos["x"] + 2, pos["y"] + 2)
    tip = loaded.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "Type: State" in tip.text_content() and "Q403" in tip.text_content()


@pytest.mark.browser
def test_date_slider_and_undated_checkbox_change_counts(loaded):
    data = sample_page_data()
    page = loaded.page
    assert page.text_content("#date-from-label") == "2013"
    assert page.text_content("#date-to-label") == "2023-11"
    page.uncheck("#include-undated")
    dated = only(data, lambda r: r.date is not None)
    assert loaded.counts() == counts(dated) == counts(select(data, since="2013", until="2023-11"))

    # move "From" with the keyboard, one stop at a time, up to 2021
    page.focus("#date-from")
    for _ in range(20):
        if page.text_content("#date-from-label") == "2021":
            break
        page.keyboard.press("ArrowRight")
    assert page.text_content("#date-from-label") == "2021"
    window = select(data, since="2021", until="2023-11")
    assert rel_numbers(window) == {2, 6, 7, 10, 11, 12, 15}
    assert loaded.counts() == counts(window) == (9, 7)

    # "To" down to 2022-06-15
    stops = json.loads(_data_block(page.content()))["dates"]
    page.locator("#date-to").fill(str([s["d"] for s in stops].index("2022-06-15")))
    assert page.text_content("#date-to-label") == "2022-06-15"
    window = select(data, since="2021", until="2022-06-15")
    assert loaded.counts() == counts(window) == (7, 4)

    # undated relations come back with the checkbox
    page.check("#include-undated")
    undated_ids = {r.id for r in data.relations if r.date is None}
    with_undated = only(data, lambda r: r.id in undated_ids or r in window.relations)
    assert loaded.counts() == counts(with_undated) == (8, 8)

    page.click("#btn-reset")
    assert loaded.counts() == counts(data)
    assert page.text_content("#date-from-label") == "2013"


@pytest.mark.browser
def test_type_predicate_and_confidence_filters_change_counts(loaded):
    data = sample_page_data()
    page = loaded.page
    types = {n.id: n.type for n in data.nodes}

    page.uncheck('#type-filters input[data-type="Person"]')
    no_person = only(data, lambda r: "Person" not in (types[r.subject], types[r.object]))
    assert loaded.counts() == counts(no_person) == (8, 10)

    page.uncheck('#predicate-filters input[data-predicate="partOf"]')
    no_part_of = only(no_person, lambda r: r.predicate != "partOf")
    assert loaded.counts() == counts(no_part_of) == (7, 8)  # Belgrade has nothing left

    page.click("#btn-reset")
    assert loaded.counts() == counts(data)
    assert page.is_checked('#type-filters input[data-type="Person"]')

    page.locator("#min-conf").fill("0.9")
    assert page.text_content("#min-conf-label") == "0.90"
    assert loaded.counts() == counts(select(data, min_confidence=0.9)) == (6, 5)

    page.click("#preds-none")
    assert loaded.counts() == (0, 0)
    assert page.is_visible("#empty")
    page.click("#preds-all")
    assert loaded.counts() == counts(select(data, min_confidence=0.9))


@pytest.mark.browser
def test_search_focuses_the_actor(loaded):
    data = sample_page_data()
    page = loaded.page
    for query, label in [("vucic", "Aleksandar Vučić"), ("  SERBIA ", "Serbia"),
                         ("strategic part", "Strategic Partnership Declaration"), ("aliy", "Ilham Aliyev")]:
        page.fill("#search", query)
        page.press("#search", "Enter")
        assert loaded.js("window.kgPage.selectedNodeIds()") == [node_id(data, label)], query
        assert page.text_content("#panel-title") == label
    page.fill("#search", "Atlantis")
    page.click("#search-go")
    assert page.text_content("#search-status") == "No match"


@pytest.mark.browser
def test_neighbourhood_depth_one_and_two(loaded):
    data = sample_page_data()
    page = loaded.page
    assert page.is_disabled("#btn-neighbourhood")
    page.fill("#search", "Vučić")
    page.press("#search", "Enter")
    page.select_option("#nbhd-depth", "1")
    page.click("#btn-neighbourhood")
    assert loaded.counts() == counts(select(data, focus="Aleksandar Vučić", depth=1)) == (3, 2)
    assert "Aleksandar Vučić" in page.text_content("#nbhd-active")
    page.select_option("#nbhd-depth", "2")
    assert loaded.counts() == counts(select(data, focus="Aleksandar Vučić", depth=2)) == (8, 12)
    # filters still apply inside the neighbourhood
    page.uncheck('#predicate-filters input[data-predicate="holdsOffice"]')
    expected = select(data, focus="Aleksandar Vučić", depth=2,
                      predicates=[r.predicate for r in data.relations if r.predicate != "holdsOffice"])
    assert loaded.counts() == counts(expected)
    page.click("#btn-reset")
    assert loaded.counts() == counts(data)
    assert page.is_hidden("#nbhd-active")


@pytest.mark.browser
def test_hostile_strings_are_shown_as_text(loaded):
    data = sample_page_data()
    page = loaded.page
    hostile = node_id(data, HOSTILE_LABEL)
    click_node(loaded, hostile)
    assert loaded.js("window.kgPage.selectedNodeIds()") == [hostile]
    assert page.text_content("#panel-title") == HOSTILE_LABEL
    card = page.locator("#panel-relations .rel")
    assert card.count() == 1
    assert card.locator(".evidence").text_content() == HOSTILE_EVIDENCE
    assert card.locator(".evidence mark").text_content() == HOSTILE_SPAN
    assert "<q>" in card.locator(".quals").text_content()
    assert card.locator(".outlet").text_content() == "Evil <b>Outlet</b>"
    # the javascript: URL is shown as text, never as a link
    assert card.locator(".source a").count() == 0
    assert "javascript:window.__pwned=3" in card.locator(".source").text_content()
    # its event card: the hostile participant and outlet as text, the report outside the page counted
    event = page.locator("#panel-relations .event")
    assert event.count() == 1
    assert event.locator(":scope > .triple .subj").text_content() == HOSTILE_LABEL
    assert event.locator(".conflict-outlets").all_text_contents() == ["Evil <b>Outlet</b>", "a report outside this page"]
    assert event.locator(".reports > .hint").text_content() == "1 report is outside this page's selection."
    # nothing from the data became markup anywhere in the document
    assert page.evaluate("document.querySelectorAll('#panel img, #panel b, #panel i, #panel script').length") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3  # vis-network, kg-data, page.js
    # the tooltip too
    pos = loaded.js("(id) => window.kgPage.domPositionOf(id)", hostile)
    page.mouse.move(pos["x"] + 1, pos["y"] + 1)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert HOSTILE_LABEL in tip.text_content()
    assert tip.locator("script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"


@pytest.mark.browser
def test_degenerate_graphs_load(browser, tmp_path):
    empty = tmp_path / "empty.html"
    write_page(PageData((), (), "empty"), empty)
    with open_page(browser, empty) as state:
        assert state.counts() == (0, 0)
        assert state.page.is_visible("#empty")
    focus_only = tmp_path / "focus.html"
    write_page(select(sample_page_data(), focus="Serbia", predicates=["visited"]), focus_only)
    with open_page(browser, focus_only) as state:
        assert state.counts() == (1, 0)
        assert state.page.is_disabled("#date-from")
        state.page.fill("#search", "serbia")
        state.page.press("#search", "Enter")
        assert state.page.text_content("#panel-title") == "Serbia"


# =============================================================== events: reports of one visit from several outlets


@pytest.fixture(scope="module")
def event_build(tmp_path_factory) -> Path:
    """EVENT_ARTICLES built with the library; returns the output folder (store/ and graph.html)."""
    folder = write_articles(tmp_path_factory.mktemp("event-page"), EVENT_ARTICLES)
    out = folder / "out"
    build([folder], out)
    return out


@pytest.fixture
def event_page(browser, event_build):
    with open_page(browser, event_build / "graph.html") as state:
        yield state, page_data(open_store(event_build / "store"))


def edge_of(loaded: Loaded, data: PageData, a: str, b: str) -> str:
    """The id of the edge drawn between the nodes labelled `a` and `b`."""
    eid = loaded.js("([a, b]) => window.kgPage.edgeIdBetween(a, b)", [node_id(data, a), node_id(data, b)])
    assert eid is not None, f"no edge between {a} and {b}"
    return eid


def event_with(data: PageData, target: str):
    return next(e for e in data.events if e.target == target)


@pytest.mark.browser
def test_edge_of_a_visit_two_outlets_report_shows_corroboration_and_the_reports(event_page):
    loaded, data = event_page
    page = loaded.page
    serbia = edge_of(loaded, data, "Ilham Aliyev", "Serbia")
    view = loaded.js("(id) => window.kgPage.edgeView(id)", serbia)
    assert view["label"] == "visited  2022-11-23  ·  2 outlets"
    albania = loaded.js("(id) => window.kgPage.edgeView(id)", edge_of(loaded, data, "Ilham Aliyev", "Albania"))
    assert albania["label"] == "visited  2023-05-01" and view["width"] > albania["width"]
    pos = loaded.js("(id) => window.kgPage.domPositionOfEdge(id)", serbia)
    page.mouse.move(pos["x"], pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "visited · 2022-11-23 · 0.90 · 2 outlets" in tip.text_content()

    click_edge(loaded, serbia)
    event = event_with(data, "Serbia")
    card = page.locator(f'#panel-relations .event[data-event-id="{event.id}"]')
    assert page.locator("#panel-relations > *").count() == 1 and card.count() == 1
    assert page.text_content("#panel-body .section-title") == "2 relations · 1 event"
    assert card.locator(".event-date").text_content() == "2022-11-23"
    assert card.locator(".corroboration").text_content() == "reported by 2 outlets"
    assert card.locator(".event-facts .conf").text_content() == f"combined confidence {event.confidence:.3f}"
    assert card.locator(".conflict").count() == 0
    assert card.locator(".report").count() == len(event.reports) == 2
    outlets = set()
    for rel in (r for r in data.relations if r.id in event.reports):
        report = card.locator(f'.report[data-relation-id="{rel.id}"]')
        assert report.locator(".evidence").text_content() == rel.evidence
        assert report.locator(".evidence mark").text_content() == rel.evidence[rel.span_start:rel.span_end]
        assert report.locator(".rel-date").text_content() == rel.date == "2022-11-23"
        outlets.add(report.locator(".outlet").text_content())
    assert outlets == {"Balkan Wire", "Caspian Daily"}

    # an edge without an event is drawn and listed as before
    office = edge_of(loaded, data, "Ilham Aliyev", "Azerbaijan")
    assert loaded.js("(id) => window.kgPage.edgeView(id)", office)["label"] == "holdsOffice"
    click_edge(loaded, office)
    assert page.locator("#panel-relations .event").count() == 0
    assert page.locator("#panel-relations > .rel").count() == 1
    assert page.text_content("#panel-body .section-title") == "1 relation"


@pytest.mark.browser
def test_outlets_disagreeing_on_the_date_are_flagged_with_both_dates(event_page):
    loaded, data = event_page
    page = loaded.page
    bulgaria = edge_of(loaded, data, "Ilham Aliyev", "Bulgaria")
    assert loaded.js("(id) => window.kgPage.edgeView(id)", bulgaria)["label"] == "visited  2023-03-10 \u26a0  ·  2 outlets"
    # the report of an arrival in Sofia belongs to the same event: its edge shows the event too
    sofia = edge_of(loaded, data, "Ilham Aliyev", "Sofia")
    assert loaded.js("(id) => window.kgPage.edgeView(id)", sofia)["label"] == "visited  2023-03-10 \u26a0  ·  2 outlets"

    click_edge(loaded, bulgaria)
    card = page.locator("#panel-relations .event")
    assert card.count() == 1
    assert card.locator(".event-date").text_content() == "2023-03-10"
    conflict = card.locator(".conflict")
    assert conflict.is_visible() and "Date conflict" in conflict.text_content()
    assert conflict.locator(".conflict-date").all_text_contents() == ["2023-03-10", "2023-03-11"]
    assert conflict.locator(".conflict-outlets").all_text_contents() == ["Sofia Monitor", "Danube Review"]
    reports = card.locator(".report")
    assert reports.count() == 2  # both, though only one is drawn on this edge
    assert reports.locator(".rel-date").all_text_contents() == ["2023-03-10", "2023-03-11"]
    assert reports.locator(".outlet").all_text_contents() == ["Sofia Monitor", "Danube Review"]
    assert reports.nth(1).locator(".triple").text_content() == "Ilham Aliyev → Sofia"
    assert reports.nth(1).locator(".evidence mark").text_content() == "Ilham Aliyev arrived in Sofia"


@pytest.mark.browser
def test_corroboration_filter_hides_single_source_edges(event_page):
    loaded, data = event_page
    page = loaded.page
    assert loaded.counts() == counts(data) == (6, 5)
    assert page.get_attribute("#min-outlets", "max") == "2" and page.is_enabled("#min-outlets")
    page.locator("#min-outlets").fill("2")
    assert page.text_content("#min-outlets-label") == "2"
    corroborated = {s for e in data.events if e.corroboration >= 2 for s in e.reports}
    assert loaded.counts() == counts(only(data, lambda r: r.id in corroborated)) == (4, 3)
    assert set(loaded.js("window.kgPage.visibleEdgeIds()")) == {
        edge_of(loaded, data, "Ilham Aliyev", x) for x in ("Serbia", "Bulgaria", "Sofia")
    }
    page.click("#btn-reset")
    assert page.input_value("#min-outlets") == "1" and page.text_content("#min-outlets-label") == "1"
    assert loaded.counts() == counts(data)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-events.png"))
