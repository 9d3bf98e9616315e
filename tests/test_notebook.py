"""notebooks/analyst.ipynb, executed by nbclient: it builds corpus/, runs every saved query through the Python API,
ranks actors by centrality and draws the Azerbaijan–Serbia timeline; the test checks what it computed against the
API run on the same build."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import kg
from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "analyst.ipynb"
PARAMS = {
    "dyad-timeline": {"a": "Azerbaijan", "b": "Serbia"},
    "dyad-events": {"a": "Azerbaijan", "b": "Serbia"},
    "visits-meetings": {"person": "Ilham Aliyev"},
    "strategic-partners": {"state": "Azerbaijan"},
    "entity-profile": {"name": "Ilham Aliyev"},
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    out = tmp_path_factory.mktemp("notebook") / "out"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_NOTEBOOK_OUT", str(out))  # the kernel inherits it: the build goes to the test's folder
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream")
    (line,) = [ln for ln in printed.splitlines() if ln.startswith("SUMMARY ")]
    return json.loads(line.removeprefix("SUMMARY ")), out


def test_notebook_builds_the_corpus_and_runs_every_saved_query(executed: tuple[dict, Path]) -> None:
    summary, out = executed
    assert summary["articles"] == len(list((ROOT / "corpus").glob("*.txt")))
    with kg.open(out / "store") as g:
        names = {q.name for q in g.saved_queries()}
        assert set(summary["rows"]) == names
        for name in sorted(names - {"edge-evidence"}):  # edge-evidence's parameters are picked inside the notebook
            frame = g.saved_df(name, **PARAMS.get(name, {}))
            assert summary["columns"][name] == list(frame.columns), name
            assert summary["rows"][name] == len(frame), name
        assert summary["rows"]["relations"] > 0 and summary["rows"]["edge-evidence"] >= 1  # the first relation's evidence
        timeline = g.saved("dyad-timeline", **PARAMS["dyad-timeline"])
    assert summary["timeline"] == [[r["date"], r["subject"], r["relation"], r["object"]] for r in timeline]
    assert [row[0] for row in summary["timeline"]] == sorted(row[0] for row in summary["timeline"])


def test_notebook_centrality_and_figure(executed: tuple[dict, Path]) -> None:
    summary, out = executed
    with kg.open(out / "store") as g:
        graph = g.to_networkx()
    simple = nx.Graph(graph)
    degree = nx.degree_centrality(simple)
    betweenness = nx.betweenness_centrality(simple)
    ranked = sorted(simple, key=lambda n: (-degree[n], -betweenness[n], graph.nodes[n]["label"]))
    assert summary["centrality_top"] == [[graph.nodes[n]["label"], pytest.approx(degree[n])] for n in ranked[:5]]
    figure = out / "dyad-timeline.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size == summary["figure_bytes"] > 10_000
