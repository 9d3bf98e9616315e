"""The analyst's Python API: `g = kg.open("out/store")`, then SPARQL with bound parameters, the saved queries, pandas
DataFrames, a networkx graph of the relations and the whole dataset as rdflib.

A Graph holds a lease on the store version it reads, so a rebuild never deletes that version from under it;
`refresh()` moves it onto the newest build.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import RdfFormat, Store

from kg.errors import StoreError
from kg.query import QUERIES_DIR, Result, SavedQuery, load_saved, python_value, run_query, saved_queries
from kg.store import lease_current, open_store, prune_versions, release_lease, resolve_store

if TYPE_CHECKING:
    import networkx
    import pandas
    import rdflib

Row = dict[str, Any]


class Graph:
    """A built kg store, opened read-only for analysis."""

    def __init__(self, path: Path | str = "out/store", queries: Path = QUERIES_DIR) -> None:
        """Open the store at `path` (the `store` link a build writes, or a store folder); StoreError when missing."""
        self.path = Path(path)
        self.queries = queries
        self._lease: Path | None = None
        self._store: Store | None = None
        self._open()

    def _open(self) -> None:
        resolve_store(self.path)  # the clear "no store at ..." message
        if self.path.is_symlink():
            version, lease = lease_current(self.path)
        else:
            version, lease = self.path.resolve(), None
        try:
            store = open_store(version)
        except StoreError:
            if lease is not None:
                release_lease(lease)
            raise
        self.version, self._lease, self._store = version, lease, store

    @property
    def store(self) -> Store:
        """The underlying pyoxigraph Store (read-only)."""
        if self._store is None:
            raise StoreError(f"the graph at {self.path} is closed")
        return self._store

    def close(self) -> None:
        """Close the store and give back the lease on its version."""
        self._store = None
        if self._lease is not None:
            release_lease(self._lease)
            self._lease = None

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kg.Graph {self.path} version={self.version.name}>"

    def refresh(self) -> bool:
        """Move onto the newest build when the `store` link points to a new version; True when it moved."""
        if not self.path.is_symlink() or resolve_store(self.path) == self.version:
            return False
        old = self._lease
        self._store, self._lease = None, None
        self._open()
        if old is not None:
            release_lease(old)
            prune_versions(self.path)
        return True

    # ------------------------------------------------------------ queries

    def result(self, sparql: str, /, **params: object) -> Result:
        """Run a SPARQL query with `params` bound as RDF terms (never pasted into the text); the raw Result."""
        return run_query(self.store, sparql, params)

    def query(self, sparql: str, /, **params: object) -> list[Row]:
        """Run a SELECT (or ASK, CONSTRUCT) query; one dict per row, numbers and booleans typed, IRIs and dates as text.

        Each parameter must be a variable of the SELECT clause: `g.query("SELECT ?e ?name WHERE { ?e rdfs:label ?name }",
        name="Serbia")`. kg's prefixes are predeclared and kg:key() folds accents and case for comparisons.
        """
        return _rows(self.result(sparql, **params))

    def query_df(self, sparql: str, /, **params: object) -> pandas.DataFrame:
        """Like query(), as a pandas DataFrame (its columns are the query's variables, even with no rows)."""
        return _frame(self.result(sparql, **params))

    def saved_query(self, name: str) -> SavedQuery:
        """A saved query by name, e.g. "dyad-timeline" (see saved_queries())."""
        return load_saved(name, self.queries)

    def saved_queries(self) -> tuple[SavedQuery, ...]:
        """Every saved query: name, title, description, parameters."""
        return saved_queries(self.queries)

    def saved_result(self, name: str, /, **params: object) -> Result:
        """Run a saved query with its parameters checked and typed by its header; the raw Result."""
        return self.saved_query(name).run(self.store, params)

    def saved(self, name: str, /, **params: object) -> list[Row]:
        """Run a saved query: `g.saved("dyad-timeline", a="Azerbaijan", b="Serbia")`; one dict per row."""
        return _rows(self.saved_result(name, **params))

    def saved_df(self, name: str, /, **params: object) -> pandas.DataFrame:
        """Run a saved query, as a pandas DataFrame."""
        return _frame(self.saved_result(name, **params))

    # ------------------------------------------------------------ other views

    def to_networkx(
        self,
        *,
        predicates: Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        min_confidence: float = 0.0,
        isolated: bool = False,
    ) -> networkx.MultiDiGraph:
        """The relations as a networkx MultiDiGraph: nodes are entity IRIs (label, type, wikidata), one edge per
        statement (key: its IRI; predicate, date, confidence, detail, evidence, article, outlet, url).

        `predicates`, `since`/`until` (YYYY[-MM[-DD]]) and `min_confidence` select the edges as the saved query
        "relations" does; `isolated=True` keeps the entities no selected edge touches. For centrality on a simple
        undirected graph: `networkx.Graph(g.to_networkx())`.
        """
        import networkx as nx

        wanted = None if predicates is None else set(predicates)
        rows = self.saved("relations", since=since or "", until=until or "", min_confidence=min_confidence)
        graph = nx.MultiDiGraph()
        for entity in self.saved("entities"):
            graph.add_node(entity["entity"], label=entity["label"], type=entity["entity_type"], wikidata=entity["wikidata"])
        for row in rows:
            if wanted is not None and row["relation"] not in wanted:
                continue
            for end in ("subject", "object"):
                if row[end] not in graph:
                    graph.add_node(row[end], label=row[f"{end}_label"], type=row[f"{end}_type"], wikidata=None)
            graph.add_edge(
                row["subject"],
                row["object"],
                key=row["statement"],
                predicate=row["relation"],
                date=row["date"],
                confidence=row["confidence"],
                detail=row["detail"] or None,
                evidence=row["evidence"],
                article=row["article"],
                outlet=row["outlet"],
                url=row["url"],
            )
        if not isolated:
            graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
        return graph

    def dataset(self) -> rdflib.Dataset:
        """Every named graph as an rdflib Dataset (its default graph is the union, as in kg's own queries)."""
        import io

        import rdflib

        buffer = io.BytesIO()
        self.store.dump(buffer, RdfFormat.N_QUADS)
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(data=buffer.getvalue().decode("utf-8"), format="nquads")
        return dataset


def _rows(result: Result) -> list[Row]:
    return [dict(zip(result.variables, (python_value(t) for t in row))) for row in result.terms]


def _frame(result: Result) -> pandas.DataFrame:
    import pandas as pd

    return pd.DataFrame([[python_value(t) for t in row] for row in result.terms], columns=list(result.variables))


def open(path: Path | str = "out/store") -> Graph:  # noqa: A001 - `kg.open` is the API's entry point
    """Open a built store for analysis: `g = kg.open("out/store")`; a StoreError when there is none."""
    return Graph(path)


__all__ = ["Graph", "Row", "open"]
