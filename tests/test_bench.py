"""The benchmark's corpus generator (fast, in the default run) and the benchmark itself (slow, with --runslow)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg import Article, Failure, iris
from kg.ingest import read_inputs
from kg.records import PREDICATES

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _load(name: str):  # noqa: ANN202 - a module
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


gen = _load("generate")
run = _load("run")

MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
LAST_LINE = re.compile(
    r"^build_vs_spacy=(\S+) workers2_vs_1=(\S+) dask2_vs_1=(\S+) load_vs_bulk=(\S+) rss_mib_10k=(\S+) "
    r"incremental_pct=(\S+) query_p95_ms=(\S+)$"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return gen.generate(120, tmp_path_factory.mktemp("bench") / "corpus", seed=7)


def _body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n\n", 1)[1]


# -- the generator -------------------------------------------------------------------------------------------------
def test_deterministic_per_seed(tmp_path: Path) -> None:
    a = gen.generate(8, tmp_path / "a", seed=3)
    b = gen.generate(8, tmp_path / "b", seed=3)
    c = gen.generate(8, tmp_path / "c", seed=4)
    assert [p.name for p in a] == [p.name for p in b]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]


def test_a_smaller_corpus_is_the_start_of_a_larger_one(tmp_path: Path) -> None:
    small = gen.generate(4, tmp_path / "small", seed=5)
    large = gen.generate(9, tmp_path / "large", seed=5)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in large[:4]]


def test_headers_are_read_by_kg(corpus: list[Path]) -> None:
    items = list(read_inputs([corpus[0].parent]))
    failures = [i for i in items if isinstance(i, Failure)]
    articles = [i for i in items if isinstance(i, Article)]
    assert not failures
    assert len(articles) == len(corpus)
    for article in articles:
        assert not article.warnings, article.warnings
        assert article.url and article.url.startswith("https://www.") and article.outlet and article.title
        assert article.published and dt.date(2005, 1, 1) <= dt.date.fromisoformat(article.published) <= dt.date(2025, 12, 31)
        assert article.published_source in (None, "header")
    assert len({iris.article_iri(a) for a in articles}) == len(articles)  # one graph per article
    assert len({a.published[:4] for a in articles}) >= 12  # spread over the years


def test_articles_have_several_paragraphs_of_250_to_500_words(corpus: list[Path]) -> None:
    for path in corpus:
        body = _body(path)
        assert 250 <= len(body.split()) <= 500, (path.name, len(body.split()))
        assert body.count("\n\n") >= 3, path.name


def test_every_predicate_has_templates() -> None:
    assert set(gen.TEMPLATES) == set(PREDICATES) == set(gen.PREDICATES)
    for predicate, template in gen.TEMPLATES.items():
        for i in range(5):
            sentence = template(gen.World(gen.random.Random(f"t/{predicate}/{i}")))
            assert sentence.strip() and len(sentence.split()) >= 5, (predicate, sentence)


def test_the_corpus_is_varied(corpus: list[Path]) -> None:
    text = "\n".join(_body(p) for p in corpus)
    dyads = {frozenset((w.a, w.b)) for w in (gen.World(gen.random.Random(f"dyads/{i}")) for i in range(120))}
    assert len(dyads) >= 25 and any("Azerbaijan" in d for d in dyads)
    assert re.search(rf"\bon \d{{1,2}} {MONTH} \d{{4}}\b|\bon {MONTH} \d{{1,2}}, \d{{4}}\b", text)  # a day
    assert re.search(rf"\bin {MONTH} \d{{4}}\b", text)  # a month
    assert re.search(r"\bin (?:19|20)\d\d\b", text)  # a year
    assert re.search(r"\bon (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", text)  # relative to published
    for phrase in ("Memorandum of Understanding on Cooperation in the Field of", "strategic partner", "natural gas", "electricity",
                   "pipeline", "invest", "Trade turnover between", "accused"):
        assert phrase in text, phrase


def test_generated_articles_build_into_many_relations(tmp_path: Path) -> None:
    from kg import build

    folder = tmp_path / "in"
    gen.generate(6, folder, seed=11)
    report = build([folder], tmp_path / "out", page=False)
    assert report.articles == 6 and not report.failures
    assert len(report.relations_by_predicate) >= 6, report.relations_by_predicate


def test_the_command_line_writes_the_corpus(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--articles", "3", "--out", str(tmp_path / "c"), "--seed", "2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "c").glob("*.txt"))) == 3


# -- the runner's pure parts -----------------------------------------------------------------------------------------
def test_last_line_has_every_key_in_order_and_n_a_for_missing() -> None:
    line = run.last_line({"build_vs_spacy": 0.81234, "rss_mib_10k": 812.3456, "query_p95_ms": None})
    match = LAST_LINE.match(line)
    assert match, line
    assert match.group(1) == "0.812" and match.group(5) == "812.35"
    assert match.group(2) == match.group(7) == "n/a"


def test_percentile_and_example_parameters() -> None:
    assert run.percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)
    assert run.percentile([5.0], 95) == 5.0
    params = run._example_params('kg query --saved edge-evidence --param subject="Ilham Aliyev" --param predicate=met --format csv')
    assert params == {"subject": "Ilham Aliyev", "predicate": "met"}


# -- the benchmark itself --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_quick_benchmark_prints_the_key_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--json", str(tmp_path / "bench.json")],
                            capture_output=True, text=True, timeout=3600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    match = LAST_LINE.match(last)
    assert match, last
    for value in match.groups():
        assert value == "n/a" or re.fullmatch(r"\d+\.\d{2,3}", value), last
    build_vs_spacy, rss = match.group(1), match.group(5)
    assert build_vs_spacy != "n/a" and rss != "n/a", last  # a one-process build always runs
    assert "incremental checks" in result.stdout and "FAILED" not in result.stdout
