"""The command line, run as a real process: exit codes, idempotent rebuilds, help on every command."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg.cli import app
from tests.conftest import ROOT, copy_articles, records, run_kg

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_build_corpus_writes_every_output(corpus_build: Path) -> None:
    for name in ("graph.trig", "graph.ttl", "graph.html", "extractions.jsonl", "summary.json"):
        assert (corpus_build / name).stat().st_size > 0, name
    assert (corpus_build / "store").is_dir()
    summary = json.loads((corpus_build / "summary.json").read_text())
    assert summary["articles_read"] == len(list((ROOT / "corpus").glob("*.txt")))
    assert summary["articles_failed"] == 0
    assert summary["relations"] > 0 and summary["entities"] > 0
    extracted = Counter(r["predicate"] for r in records(corpus_build) if r["kind"] == "relation")
    assert summary["relations_by_predicate"] == dict(extracted)  # one statement per relation record


def test_build_prints_a_summary_and_rebuild_is_idempotent(tmp_path: Path) -> None:
    inputs = copy_articles(["albania-visit.txt", "bulgaria-gas.txt"], tmp_path)
    out = tmp_path / "out"
    first = run_kg("build", str(inputs), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "articles read" in first.stdout and "relations:" in first.stdout
    nq1 = run_kg("export", "--format", "nq", "--store", str(out / "store")).stdout
    second = run_kg("build", str(inputs), "--out", str(out))
    assert second.returncode == 0
    nq2 = run_kg("export", "--format", "nq", "--store", str(out / "store")).stdout
    lines = nq2.splitlines()
    assert sorted(nq1.splitlines()) == sorted(lines)
    assert len(lines) == len(set(lines))  # no duplicate quads
    assert len(list((out / ".store-versions").iterdir())) == 1  # the old store was replaced, not kept


def test_the_summary_names_the_page_only_when_the_build_drew_it(tmp_path: Path) -> None:
    inputs = copy_articles(["albania-visit.txt"], tmp_path)
    out = tmp_path / "out"
    drawn = run_kg("build", str(inputs), "--out", str(out))
    assert drawn.returncode == 0, drawn.stderr
    assert json.loads((out / "summary.json").read_text())["outputs"]["html"] == str(out / "graph.html")
    assert "graph.html" in drawn.stdout and (out / "graph.html").stat().st_size > 0
    skipped = run_kg("build", str(inputs), "--out", str(out), "--no-page")
    assert skipped.returncode == 0, skipped.stderr
    outputs = json.loads((out / "summary.json").read_text())["outputs"]
    assert "html" not in outputs and set(outputs) == {"trig", "ttl", "jsonl", "store"}
    printed = next(line for line in skipped.stdout.splitlines() if line.startswith("outputs in"))
    assert "graph.html" not in printed and "graph.trig" in printed and "store/" in printed


def test_exit_codes(tmp_path: Path) -> None:
    good = copy_articles(["albania-visit.txt"], tmp_path)
    (good / "empty.txt").write_text("")
    out = tmp_path / "out"
    mixed = run_kg("build", str(good), "--out", str(out))
    assert mixed.returncode == 0
    assert re.search(r"empty\.txt: empty file", mixed.stderr)
    assert run_kg("build", str(good), "--out", str(out), "--strict").returncode == 1
    assert run_kg("build", str(tmp_path / "missing"), "--out", str(out)).returncode == 1
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"\x00\x01\x02")
    nothing = run_kg("build", str(bad), "--out", str(tmp_path / "out2"))
    assert nothing.returncode == 1 and "no article could be built" in nothing.stderr
    assert run_kg("build", "--no-such-option").returncode == 2
    assert run_kg("export", "--format", "xml", "--store", str(out / "store")).returncode == 2
    assert run_kg("query", "SELECT * WHERE {", "--store", str(out / "store")).returncode == 1
    missing_store = run_kg("validate", "--store", str(tmp_path / "nostore"))
    assert missing_store.returncode == 1 and "no store at" in missing_store.stderr


def test_query_formats(articles_build: Path) -> None:
    store = str(articles_build / "store")
    q = "SELECT ?label WHERE { ?e a kg:State ; rdfs:label ?label } ORDER BY ?label"
    as_json = json.loads(run_kg("query", q, "--store", store, "--format", "json").stdout)
    labels = [row["label"] for row in as_json]
    assert labels == sorted(labels) and labels
    as_csv = run_kg("query", q, "--store", store, "--format", "csv").stdout.splitlines()
    assert as_csv[0] == "label" and as_csv[1:] == labels
    table = run_kg("query", q, "--store", store)
    assert table.returncode == 0 and labels[0] in table.stdout
    ask = json.loads(run_kg("query", "ASK { ?s kg:visited ?o }", "--store", store, "--format", "json").stdout)
    assert ask == [{"ask": "true"}]


def test_export_to_file_and_stdout(articles_build: Path, tmp_path: Path) -> None:
    target = tmp_path / "g.ttl"
    result = run_kg("export", "--format", "ttl", "--store", str(articles_build / "store"), "-o", str(target))
    assert result.returncode == 0 and target.read_text().startswith("@prefix")
    assert run_kg("export", "--format", "jsonl", "--store", str(articles_build / "store")).stdout == (articles_build / "extractions.jsonl").read_text()


def test_duplicate_articles_give_one_set_of_relations(articles_build: Path) -> None:
    recs = records(articles_build)
    a = [(r["subject"], r["predicate"], r["object"]) for r in recs if r["source"] == "dup-a.txt" and r["kind"] == "relation"]
    b = [(r["subject"], r["predicate"], r["object"]) for r in recs if r["source"] == "dup-b.txt" and r["kind"] == "relation"]
    assert a == b and len({r["iri"] for r in recs if r["source"] in {"dup-a.txt", "dup-b.txt"} and r["kind"] == "relation"}) == len(a)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_documented(command: str) -> None:
    result = run_kg(command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout
    assert f"kg {command}" in (ROOT / "README.md").read_text(), f"README does not document `kg {command}`"


def test_top_level_help_and_python_m() -> None:
    result = run_kg("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert shutil.which("kg") is not None or True  # the script is optional; python -m kg is the contract
