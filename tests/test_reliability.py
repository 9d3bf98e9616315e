"""Reliability: hostile and random input never escapes as an exception, killed builds leave a usable store,
two builds on one folder never corrupt it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import open_store, validate_store
from kg.extract import Extractor
from kg.ingest import read_file
from kg.records import Article, Failure
from tests.conftest import ROOT, copy_articles, run_kg

HEADER_KEYS = st.sampled_from(["url", "outlet", "published", "title", "URL", "Published", "junk"])


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.tuples(HEADER_KEYS, st.text(max_size=40)), max_size=5),
    body=st.text(max_size=400),
    raw=st.binary(max_size=300),
)
def test_any_file_reads_to_articles_or_one_line_failures(tmp_path_factory: pytest.TempPathFactory, header, body, raw) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    text = "".join(f"{k}: {v}\n" for k, v in header) + "\n" + body
    (folder / "a.txt").write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text else None
    (folder / "b.txt").write_bytes(raw)
    (folder / "c.html").write_bytes(raw + body.encode("utf-8", "replace"))
    (folder / "d.jsonl").write_text("\n".join(json.dumps({"text": body, "published": v}) for _, v in header), encoding="utf-8")
    for path in sorted(folder.iterdir()):
        for item in read_file(path):
            assert isinstance(item, (Article, Failure))
            if isinstance(item, Failure):
                assert item.reason and "\n" not in item.reason


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    published=st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())),
    names=st.lists(st.sampled_from(["Ilham Aliyev", "Serbia", "SOCAR", "TAP", "the Memorandum on Energy", "Vucic", "on Wednesday", "in 2021", "\"Agreement on", "between"]), max_size=6),
)
def test_extraction_never_raises_and_offsets_hold(extractor: Extractor, text: str, published: str | None, names: list[str]) -> None:
    body = " ".join([text, *names, "signed", "visited", "Belgrade", "."])
    result = extractor.extract(Article(source="x.txt", path="x.txt", text=body, published=published))
    for m in result.mentions:
        assert body[m.start : m.end] == m.text
    for r in result.relations:
        assert body[r.sentence_start : r.sentence_end] == r.evidence
        assert r.sentence_start <= r.span_start < r.span_end <= r.sentence_end


def test_a_killed_build_leaves_a_store_that_opens_and_a_rerun_equals_a_clean_build(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    inputs = copy_articles(["albania-visit.txt", "bulgaria-gas.txt", "batch.jsonl", "macedonia-montenegro.txt"], tmp_path / "in")
    out = tmp_path / "out"
    assert run_kg("build", str(inputs), "--out", str(out), "--no-page").returncode == 0
    clean = tmp_path / "clean"
    assert run_kg("build", str(inputs), "--out", str(clean), "--no-page").returncode == 0
    expected = sorted(run_kg("export", "-f", "nq", "--store", str(clean / "store")).stdout.splitlines())
    rng = random.Random(7)
    deadline = time.monotonic() + 150
    runs = 0
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    while runs < 20 and time.monotonic() < deadline:
        target = inputs / "bulgaria-gas.txt"
        target.write_text(target.read_text() + f"\nSOCAR supplied gas to Bulgaria in {2000 + runs}.\n")
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(inputs), "--out", str(out), "--no-page"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        runs += 1
        store = open_store(out / "store")  # always the last complete version
        assert sum(1 for _ in store.named_graphs()) > 0
        del store
    assert runs >= 5
    assert validate_store(open_store(out / "store")).conforms
    final = run_kg("build", str(inputs), "--out", str(out), "--no-page")
    assert final.returncode == 0, final.stderr
    assert run_kg("build", str(inputs), "--out", str(clean), "--no-page").returncode == 0
    ours = sorted(run_kg("export", "-f", "nq", "--store", str(out / "store")).stdout.splitlines())
    theirs = sorted(run_kg("export", "-f", "nq", "--store", str(clean / "store")).stdout.splitlines())
    assert ours == theirs and ours != expected
    leftovers = [p.name for p in (*out.iterdir(), *(out / ".fragments").iterdir()) if p.name.endswith(".tmp")]
    assert leftovers == []
    assert (out / "extractions.jsonl").read_bytes() == (clean / "extractions.jsonl").read_bytes()


def test_a_second_build_on_the_same_folder_stops_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    inputs = copy_articles(["albania-visit.txt", "bulgaria-gas.txt", "batch.jsonl"], tmp_path / "in")
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "kg", "build", str(inputs), "--out", str(out), "--no-page"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (out / ".kg-build.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    second = run_kg("build", str(inputs), "--out", str(out), "--no-page")
    first.wait(timeout=120)
    assert first.returncode == 0
    if second.returncode != 0:  # the normal case: the first still held the lock
        assert second.returncode == 1 and "another kg build is writing" in second.stderr
    assert validate_store(open_store(out / "store")).conforms


def test_text_longer_than_the_parser_allows_is_refused_at_ingest(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Serbia and Azerbaijan signed a deal. " * 30_000)
    (failure,) = list(read_file(path, max_bytes=10_000_000))
    assert isinstance(failure, Failure) and "text too long" in failure.reason


def test_fifty_megabytes_are_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.monotonic()
    result = run_kg("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "huge.txt: file too large" in result.stderr
    assert time.monotonic() - started < 60
