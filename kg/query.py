"""Queries: SPARQL over the union of the named graphs, results as rows or formatted text."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store

from kg.errors import QueryError
from kg.rdf import PREFIXES

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Result:
    """A query's result: the variables and the rows (plain Python strings or None), or an ASK answer."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None


def _text(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, (NamedNode, Literal)):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return str(term)


def run_query(store: Store, sparql: str) -> Result:
    """Run a SELECT, ASK or CONSTRUCT query with the kg prefixes predeclared and the union as default graph."""
    try:
        answer = store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(answer, QueryBoolean):
        return Result(("ask",), ((str(bool(answer)).lower(),),), bool(answer))
    if isinstance(answer, QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        return Result(variables, tuple(tuple(_text(row[v]) for v in variables) for row in answer))
    rows = tuple((_text(t.subject), _text(t.predicate), _text(t.object)) for t in answer)
    return Result(("subject", "predicate", "object"), rows)


def format_result(result: Result, fmt: str) -> str:
    """The result as csv or json text (tables are drawn by the CLI)."""
    if fmt == "json":
        return json.dumps([dict(zip(result.variables, row)) for row in result.rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(result.variables)
        writer.writerows(["" if v is None else v for v in row] for row in result.rows)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
