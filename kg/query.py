"""Queries: SPARQL over the union of the named graphs, saved queries with typed parameters, results as rows or text.

Parameters are never pasted into the query text: each is an RDF term handed to Oxigraph's `substitutions`
(SEP-0007), which binds the variable of that name. Oxigraph requires a substituted variable to be in the SELECT
projection, so saved queries list their parameters there; their columns are dropped from the rows returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Triple, Variable

from kg import iris
from kg.collector import collector_paused
from kg.errors import QueryError
from kg.rdf import PREFIXES, XSD, date_literal
from kg.records import PREDICATES
from kg.text import key

FORMATS = ("table", "csv", "tsv", "json", "md")
QUERIES_DIR = Path(__file__).resolve().parent / "queries"
KEY_FUNCTION = iris.KG + "key"  # kg:key(x): x folded for comparison (accents, case, punctuation, a leading "the")
PARAM_TYPES = ("label", "string", "date", "integer", "decimal", "boolean", "iri", "predicate")
_STRING_TYPES = frozenset({"label", "string", "date", "predicate"})  # an optional one is bound to "" when not given

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Result:
    """A query's result: the variables and the rows (plain Python strings or None), or an ASK answer.

    `terms` holds the same rows as RDF terms (for typed values); it takes no part in comparisons.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None
    terms: tuple[tuple[Term | None, ...], ...] = field(default=(), compare=False, repr=False)


def _text(term: object) -> str | None:
    kind = type(term)
    if kind is NamedNode or kind is Literal:
        return term.value  # type: ignore[union-attr]
    if term is None:
        return None
    if kind is BlankNode:
        return "_:" + term.value  # type: ignore[union-attr]
    return str(term)


def _key(term: object) -> Literal | None:
    if isinstance(term, (Literal, NamedNode)):
        return Literal(key(term.value))
    return None


CUSTOM_FUNCTIONS: dict[NamedNode, Callable[..., Term | None]] = {NamedNode(KEY_FUNCTION): _key}


def run_query(store: Store, sparql: str, params: Mapping[str, object] | None = None, hidden: Iterable[str] = ()) -> Result:
    """Run a SELECT, ASK or CONSTRUCT query with the kg prefixes predeclared, the union as default graph and
    `params` bound as RDF terms (each must be a variable of the SELECT clause); kg:key() is available. The `hidden`
    variables (a saved query's parameters) are left out of the result."""
    substitutions = {}
    for name, value in (params or {}).items():
        try:
            substitutions[Variable(name.lstrip("?$"))] = to_term(value)
        except ValueError as exc:
            raise QueryError(f"bad parameter name {name!r}: {exc}") from exc
    try:
        with collector_paused():  # the rows' tuples would set off collections of the whole heap
            answer = store.query(
                sparql,
                use_default_graph_as_union=True,
                prefixes=PREFIXES,
                substitutions=substitutions or None,
                custom_functions=CUSTOM_FUNCTIONS,
            )
            if isinstance(answer, QueryBoolean):
                return Result(("ask",), ((str(bool(answer)).lower(),),), bool(answer), ((Literal(bool(answer)),),))
            if isinstance(answer, QuerySolutions):
                drop = set(hidden)
                keep = [i for i, v in enumerate(answer.variables) if v.value not in drop]
                variables = tuple(answer.variables[i].value for i in keep)
                if len(keep) == len(answer.variables):
                    terms = tuple(tuple(row) for row in answer)  # a solution iterates over its values in variable order
                else:
                    terms = tuple(tuple(values[i] for i in keep) for values in map(tuple, answer))
            else:
                variables = ("subject", "predicate", "object")
                terms = tuple((t.subject, t.predicate, t.object) for t in answer)
            rows = tuple(tuple(_text(t) for t in row) for row in terms)
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        raise QueryError(f"malformed SPARQL: {message[:240]}{' …' if len(message) > 240 else ''}") from exc
    except RuntimeError as exc:
        message = str(exc)
        if "SELECT projection" in message:
            message += " (a parameter must be a variable of the SELECT clause to be bound)"
        raise QueryError(f"query failed: {message}") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise QueryError(f"query failed: {exc}") from exc
    return Result(variables, rows, None, terms)


# ---------------------------------------------------------------- terms and values


def to_term(value: object) -> Term:
    """A Python value as an RDF term: str, bool, int, float, Decimal, date and datetime; RDF terms pass unchanged."""
    if isinstance(value, (NamedNode, BlankNode, Literal, Triple)):
        return value
    if isinstance(value, (bool, int, float, str)):
        return Literal(value)
    if isinstance(value, Decimal):
        return Literal(str(value), datatype=NamedNode(XSD + "decimal"))
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=NamedNode(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=NamedNode(XSD + "date"))
    raise QueryError(f"cannot use a {type(value).__name__} as a query parameter")


def cli_term(raw: str) -> Term:
    """A command-line value of an ad-hoc query: `<iri>` is an IRI, anything else a plain string literal."""
    if raw.startswith("<") and raw.endswith(">") and len(raw) > 2:
        try:
            return NamedNode(raw[1:-1])
        except ValueError as exc:
            raise QueryError(f"bad IRI {raw}: {exc}") from exc
    return Literal(raw)


_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "unsignedInt")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}


def python_value(term: object) -> str | int | float | bool | None:
    """An RDF term as a plain Python value: numbers and booleans typed, IRIs and dates (at their precision) as text."""
    if isinstance(term, Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _FLOATS:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == XSD + "boolean":
            return term.value in {"true", "1"}
        return term.value
    return _text(term)


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """`name=value` command-line pairs as a dict; a QueryError for a pair without `=` or a repeated name."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise QueryError(f"--param wants name=value, not {pair!r}")
        if name in values:
            raise QueryError(f"parameter {name!r} given twice")
        values[name] = value
    return values


# ---------------------------------------------------------------- saved queries


@dataclass(frozen=True)
class Param:
    """A declared parameter of a saved query: `# param: NAME (TYPE, required|optional|default VALUE) description`."""

    name: str
    type: str  # one of PARAM_TYPES
    required: bool = False
    default: str | None = None  # None and not required: optional, bound to "" (meaning "any") when not given
    description: str = ""
    hint: str = ""  # words before the type, e.g. "State" in "State label"

    @property
    def signature(self) -> str:
        """How the parameter is declared, e.g. `since (date, optional)`."""
        kind = f"{self.hint} {self.type}".strip()
        how = "required" if self.required else f"default {self.default}" if self.default is not None else "optional"
        return f"{self.name} ({kind}, {how})"


@dataclass(frozen=True)
class SavedQuery:
    """A `.rq` file with its header: name, title, description, typed parameters and examples."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    path: Path | None = None
    examples: tuple[str, ...] = ()

    def bind(self, values: Mapping[str, object]) -> dict[str, Term]:
        """Every declared parameter as an RDF term: given values checked and typed, defaults filled in."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise QueryError(f"{self.name}: unknown parameter {', '.join(unknown)} (its parameters: {known})")
        bound: dict[str, Term] = {}
        for param in self.params:
            if param.name in values and values[param.name] is not None:
                bound[param.name] = bind_value(param, values[param.name], self.name)
            elif param.required:
                raise QueryError(f"{self.name}: parameter {param.name!r} is required (--param {param.name}=...)")
            elif param.default is not None:
                bound[param.name] = bind_value(param, param.default, self.name)
            else:
                bound[param.name] = Literal("")
        return bound

    def run(self, store: Store, values: Mapping[str, object] | None = None) -> Result:
        """Run with these parameter values; the parameters' own columns are left out of the result."""
        return run_query(store, self.sparql, self.bind(values or {}), hidden=[p.name for p in self.params])


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def bind_value(param: Param, value: object, query: str = "query") -> Term:
    """One parameter value as the RDF term its declared type asks for; a QueryError naming the problem otherwise."""
    if isinstance(value, (NamedNode, BlankNode, Literal)):
        return value
    if isinstance(value, (dt.date, dt.datetime)) and param.type == "date":
        value = value.isoformat()[:10]
    text = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)

    def bad(why: str) -> QueryError:
        return QueryError(f"{query}: parameter {param.name!r} ({param.type}) {why}, not {text!r}")

    if param.type in {"label", "string"}:
        return Literal(text)
    if param.type == "date":
        if text == "" and not param.required:
            return Literal("")
        if not _DATE.match(text):
            raise bad("wants a date YYYY, YYYY-MM or YYYY-MM-DD")
        try:
            dt.date.fromisoformat((text + "-01-01")[:10])
        except ValueError as exc:
            raise bad("is not a real date") from exc
        return date_literal(text)
    if param.type == "predicate":
        name = text.rsplit("#", 1)[-1].removeprefix("kg:")
        if name == "" and not param.required:
            return Literal("")
        if name not in PREDICATES:
            raise bad(f"wants one of {', '.join(PREDICATES)}")
        return Literal(name)
    if param.type == "integer":
        try:
            return Literal(str(int(text)), datatype=NamedNode(XSD + "integer"))
        except ValueError as exc:
            raise bad("wants a whole number") from exc
    if param.type == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise bad("wants a number") from exc
        if not number.is_finite():
            raise bad("wants a finite number")
        return Literal(str(number), datatype=NamedNode(XSD + "decimal"))
    if param.type == "boolean":
        if text.lower() in _TRUE | _FALSE:
            return Literal(text.lower() in _TRUE)
        raise bad("wants true or false")
    if param.type == "iri":
        prefix, sep, rest = text.partition(":")
        iri = PREFIXES[prefix] + rest if sep and prefix in PREFIXES else text
        try:
            return NamedNode(iri)
        except ValueError as exc:
            raise bad(f"wants an IRI ({exc})") from exc
    raise bad("has an unknown type")  # parse_saved lets no other type through


_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<spec>[^)]*)\)\s*(?P<desc>.*)$")
_FIELD = re.compile(r"^#\s*(?P<field>title|description|param|example)\s*:\s*(?P<value>.*)$", re.IGNORECASE)


def _param(line: str, source: str) -> Param:
    match = _PARAM.match(line.strip())
    if not match:
        raise QueryError(f"{source}: cannot read the parameter line {line!r} (want NAME (TYPE, required|optional|default VALUE))")
    spec = [part.strip() for part in match["spec"].split(",", 1)]
    words = spec[0].split()
    kind = words[-1].lower().removeprefix("xsd:") if words else ""
    kind = {"str": "string", "int": "integer", "bool": "boolean", "uri": "iri"}.get(kind, kind)
    if kind not in PARAM_TYPES:
        raise QueryError(f"{source}: parameter {match['name']!r} has unknown type {spec[0]!r} (types: {', '.join(PARAM_TYPES)})")
    how = spec[1] if len(spec) > 1 else "required"
    required, default = how == "required", None
    if how.startswith("default"):
        default = how.removeprefix("default").strip().strip('"')
    elif how not in {"required", "optional"}:
        raise QueryError(f"{source}: parameter {match['name']!r}: say required, optional or default VALUE, not {how!r}")
    elif how == "optional" and kind not in _STRING_TYPES:
        raise QueryError(f"{source}: optional {kind} parameter {match['name']!r} needs a default")
    return Param(match["name"], kind, required, default, match["desc"].strip(), " ".join(words[:-1]))


def parse_saved(text: str, name: str, path: Path | None = None) -> SavedQuery:
    """A saved query from its text: the leading `#` comment lines are its header."""
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "example": []}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _FIELD.match(stripped)
        if match:
            last = match["field"].lower()
            fields[last].append(match["value"].strip())
        elif last and stripped.startswith("#  "):  # an indented continuation of the previous field
            fields[last][-1] += " " + stripped.lstrip("#").strip()
        else:
            last = None
    params = tuple(_param(line, name) for line in fields["param"])
    seen = [p.name for p in params]
    if len(set(seen)) != len(seen):
        raise QueryError(f"{name}: a parameter is declared twice")
    query = SavedQuery(
        name=name,
        title=" ".join(fields["title"]) or name,
        description=" ".join(fields["description"]),
        params=params,
        sparql=text,
        path=path,
        examples=tuple(fields["example"]),
    )
    for param in params:
        if not re.search(rf"[?$]{param.name}\b", text):
            raise QueryError(f"{name}: parameter {param.name!r} is declared but ?{param.name} is not in the query")
        if param.default is not None:
            bind_value(param, param.default, name)  # a bad default fails when the query is loaded, not when run
    return query


def saved_queries(folder: Path = QUERIES_DIR) -> tuple[SavedQuery, ...]:
    """Every saved query of a folder (by default kg's own `queries/`), by name."""
    return tuple(parse_saved(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob("*.rq")))


def load_saved(name: str, folder: Path = QUERIES_DIR) -> SavedQuery:
    """A saved query by name (`dyad-timeline`), or any `.rq` file by path; a QueryError listing the names otherwise."""
    path = folder / f"{name.removesuffix('.rq')}.rq"
    if not path.is_file():
        candidate = Path(name)
        if candidate.suffix == ".rq" and candidate.is_file():
            path = candidate
        else:
            names = ", ".join(q.stem for q in sorted(folder.glob("*.rq")))
            raise QueryError(f"no saved query {name!r} (saved queries: {names}; `kg queries` describes them)")
    return parse_saved(path.read_text(encoding="utf-8"), path.stem, path)


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: its text, its parameters as RDF terms, and the parameter columns to leave out."""

    sparql: str
    params: Mapping[str, Term]
    hidden: tuple[str, ...] = ()

    def run(self, store: Store) -> Result:
        """Run it over a store."""
        return run_query(store, self.sparql, self.params, hidden=self.hidden)


def prepare(text: str | None = None, *, file: Path | None = None, saved: str | None = None,
            params: Mapping[str, str] | None = None, folder: Path = QUERIES_DIR) -> Prepared:
    """Exactly one of a query text, a `.rq` file or a saved query's name, with command-line parameter values.

    A query whose header declares parameters binds them by their declared types (unknown or missing ones are
    errors); a query without declarations binds each value as a string literal, or an IRI when written `<...>`.
    """
    if sum(x is not None for x in (text, file, saved)) != 1:
        raise QueryError("give exactly one of a QUERY, -f FILE or --saved NAME")
    values = dict(params or {})
    if saved is not None:
        query = load_saved(saved, folder)
    elif file is not None:
        try:
            query = parse_saved(file.read_text(encoding="utf-8"), file.stem, file)
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read the query file {file}: {getattr(exc, 'strerror', None) or exc}") from exc
    else:
        query = parse_saved(text or "", "query")
    if query.params:
        return Prepared(query.sparql, query.bind(values), tuple(p.name for p in query.params))
    return Prepared(query.sparql, {name: cli_term(value) for name, value in values.items()})


# ---------------------------------------------------------------- text formats


def _tsv_cell(value: str | None) -> str:
    if value is None:
        return ""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _md_cell(value: str | None) -> str:
    if value is None:
        return ""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def format_result(result: Result, fmt: str) -> str:
    """The result as csv, tsv (tabs, newlines and backslashes escaped), json or Markdown text (tables are drawn
    by the CLI)."""
    if fmt == "json":
        return json.dumps([dict(zip(result.variables, row)) for row in result.rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(result.variables)
        writer.writerows(["" if v is None else v for v in row] for row in result.rows)
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(result.variables)] + ["\t".join(_tsv_cell(v) for v in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "md":
        lines = ["| " + " | ".join(_md_cell(v) for v in result.variables) + " |", "|" + " --- |" * len(result.variables)]
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in result.rows]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
