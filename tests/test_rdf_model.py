"""The RDF model of a real build: one graph per article, statement nodes with typed dates and exact offsets."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode

from kg import iris, open_store, run_query
from kg.rdf import XSD


def test_one_named_graph_per_article_plus_entities(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    graphs = {g.value for g in store.named_graphs()}
    assert iris.ENTITIES_GRAPH in graphs
    articles = {g for g in graphs if g.startswith(iris.ID + "article/")}
    # 11 inputs: 8 files + 3 JSONL lines, two of them identical -> 10 articles
    assert len(articles) == 10
    rows = run_query(store, "SELECT ?a (COUNT(?s) AS ?n) WHERE { GRAPH ?a { ?a a kg:Article ; kg:sourceFile ?s } } GROUP BY ?a HAVING (COUNT(?s) > 1)").rows
    assert len(rows) == 1 and rows[0][1] == "2"  # the duplicate article records both sources


def test_statement_offsets_point_at_the_evidence(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    result = run_query(
        store,
        """SELECT ?text ?ev ?b ?e ?sb ?se WHERE { GRAPH ?a { ?st a kg:Statement ; kg:evidence ?ev ; kg:begin ?b ; kg:end ?e ;
           kg:spanBegin ?sb ; kg:spanEnd ?se ; prov:wasDerivedFrom ?a . ?a kg:text ?text } }""",
    )
    assert len(result.rows) >= 10
    for text, evidence, b, e, sb, se in result.rows:
        b, e, sb, se = int(b), int(e), int(sb), int(se)
        assert text[b:e] == evidence
        assert b <= sb < se <= e


def test_dates_are_typed_at_their_precision(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    dates = [q.object for q in store.quads_for_pattern(None, NamedNode(iris.KG + "date"), None, None)]
    assert dates
    for d in dates:
        assert isinstance(d, Literal)
        expected = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(d.value)]
        assert d.datatype.value == XSD + expected


def test_every_relation_has_its_direct_triple_and_statement(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    missing = run_query(
        store, "SELECT ?st WHERE { GRAPH ?g { ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . FILTER NOT EXISTS { ?s ?p ?o } } }"
    )
    assert missing.rows == ()


def test_linked_entities_have_wikidata_iris_and_one_node_across_articles(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    rows = run_query(
        store,
        """SELECT ?e ?qid (COUNT(DISTINCT ?a) AS ?n) WHERE { ?e rdfs:label "Ilham Aliyev" . OPTIONAL { ?e kg:wikidata ?qid }
           GRAPH ?a { ?m kg:refersTo ?e } } GROUP BY ?e ?qid""",
    ).rows
    assert len(rows) == 1  # one node for the actor across every article
    e, qid, n = rows[0]
    assert int(n) >= 4  # albania-visit, no-header, the HTML page and a JSONL line
    if qid:
        assert e == iris.ID + "entity/" + qid
        assert run_query(store, f"ASK {{ <{e}> owl:sameAs <{iris.WD}{qid}> }}").boolean


def test_undated_relative_date_records_its_reason(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    reasons = run_query(store, "SELECT ?r WHERE { ?st kg:undatedReason ?r }").rows
    assert any("yesterday" in r[0] and "published date" in r[0] for r in reasons)


def test_article_node_carries_metadata(articles_build: Path) -> None:
    store = open_store(articles_build / "store")
    rows = run_query(
        store,
        """SELECT ?url ?outlet ?title ?pub ?src ?hash WHERE { GRAPH ?a { ?a kg:sourceFile "moldova-croatia.html" ;
           schema:url ?url ; kg:outlet ?outlet ; schema:headline ?title ; schema:datePublished ?pub ; kg:publishedSource ?src ; kg:contentHash ?hash } }""",
    ).rows
    assert rows == ((
        "https://www.danubediplomaticreview.example/2023/06/02/aliyev-sandu-epc-summit-moldova",
        "Danube Diplomatic Review",
        "Aliyev meets Sandu on sidelines of European Political Community summit in Moldova",
        "2023-06-02",
        "html-meta",
        rows[0][5],
    ),)
    assert rows[0][5].startswith("sha256:")


def test_iris_are_valid_for_hostile_labels() -> None:
    for label in ['<script>alert("x")</script> Energy', "a b\tc\n", "}{\"'<>", "", "Vučić"]:
        iri = iris.entity_iri("Organization", label)
        assert all(c not in iri for c in ' <>"{}|\\^`\n\t\'')
        NamedNode(iri)  # pyoxigraph rejects invalid IRIs
    assert iris.entity_iri("State", "Serbia", "Q403").endswith("/entity/Q403")
    assert iris.slug("Vučić") == "vucic"
    head = "Agreement between the Government of Greece and the Government of Azerbaijan on "
    one, two = iris.slug(head + "Electricity Interconnection"), iris.slug(head + "Economic Cooperation")
    assert one != two and len(one) <= 80 and one.startswith("agreement-between-the-government-of-greece")
    assert iris.slug(head.upper() + "ECONOMIC COOPERATION") == two  # case and accents still fold to one slug
