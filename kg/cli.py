"""The `kg` command line: a thin typer shell over the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.errors import KgError

app = typer.Typer(
    name="kg",
    help="Build, query, validate, export and draw knowledge graphs of bilateral relations from news articles.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# messages are never hard-wrapped at the terminal's width: a script reading a line gets the whole line
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

StoreOpt = Annotated[Path, typer.Option("--store", help="The store folder written by `kg build` (DIR/store).")]
DEFAULT_STORE = Path("out/store")


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _open(store: Path):  # noqa: ANN202 - pyoxigraph.Store
    from kg.store import open_store

    try:
        return open_store(store)
    except KgError as exc:
        _fail(str(exc))


@app.command()
def build(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Article files or folders (.txt, .html, .jsonl). Default: corpus/.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any article fails.")] = False,
    min_confidence: Annotated[float, typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop relations below this confidence.")] = 0.0,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Refuse input files larger than this.")] = 5_000_000,
    no_page: Annotated[bool, typer.Option("--no-page", help="Skip drawing graph.html.")] = False,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Extract with this many processes.")] = 1,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Extract on a Dask cluster (tcp://HOST:PORT).")] = None,
) -> None:
    """Build the graph from articles: store, TriG, Turtle, JSONL, HTML page and summary in --out."""
    from kg.build import build as run_build
    from kg.ingest import discover

    paths = paths or [Path("corpus")]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        _fail(f"no such file or folder: {', '.join(map(str, missing))}")
    files = list(discover(paths, exclude=out_dir))
    seen: set[str] = set()
    with Progress(
        TextColumn("[bold]building[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
        console=err, transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def advance(source: str) -> None:
            name = source.split("#", 1)[0]
            if name not in seen:
                seen.add(name)
                progress.update(task, advance=1, description=name)

        try:
            report = run_build(
                paths, out_dir, min_confidence=min_confidence, max_bytes=max_bytes, progress=advance, page=not no_page,
                workers=workers, scheduler=scheduler,
            )
        except KgError as exc:
            _fail(str(exc))
    for failure in report.failures:
        err.print(f"[yellow]skipped[/yellow] {failure}", highlight=False, markup=True)
    for warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {warning}", highlight=False, markup=True)
    _print_summary(report.summary())
    if not report.ok:
        _fail("no article could be built")
    if strict and report.failures:
        _fail(f"{len(report.failures)} article(s) failed and --strict was given")


def _print_summary(summary: dict) -> None:
    table = Table(title="kg build", show_header=False, title_justify="left")
    table.add_row("articles read", str(summary["articles_read"]))
    table.add_row("articles reused unchanged", str(summary["articles_reused"]))
    table.add_row("articles failed", str(summary["articles_failed"]))
    for name, count in summary["entities_by_type"].items():
        table.add_row(f"entities: {name}", str(count))
    for name, count in summary["relations_by_predicate"].items():
        table.add_row(f"relations: {name}", str(count))
    table.add_row("quads", str(summary["quads"]))
    table.add_row("seconds", str(summary["seconds"]))
    table.add_row("words per second", str(summary["words_per_second"]))
    out.print(table)
    if summary["articles_read"]:
        names = [Path(path).name + ("/" if kind == "store" else "") for kind, path in summary["outputs"].items()]
        out.print(f"outputs in {Path(summary['outputs']['store']).parent}/: {' '.join(names)} summary.json")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ttl | nt | nq | trig | jsonld | csv | jsonl")] = "ttl",
    store: StoreOpt = DEFAULT_STORE,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to this file (default: stdout).")] = None,
) -> None:
    """Export the store: ttl/nt hold the union graph, nq/trig/jsonld every named graph, jsonl the extraction records."""
    from kg.export import FORMATS
    from kg.export import export as run_export
    from kg.outputs import atomic_write

    if fmt not in FORMATS:
        err.print(f"error: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    db = _open(store)
    if output is None:
        run_export(db, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with atomic_write(output) as handle:
            run_export(db, fmt, handle)


def _error_line(message: str, code: int) -> None:
    """One unwrapped `error: ...` line on stderr, then exit."""
    from rich.markup import escape

    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@app.command()
def query(
    sparql: Annotated[Optional[str], typer.Argument(help="A SPARQL query; kg:, kgid:, rdf:, rdfs:, xsd:, owl:, prov:, schema:, skos:, wd: are predeclared.")] = None,
    file: Annotated[Optional[Path], typer.Option("-f", "--file", help="Read the query from this .rq file.")] = None,
    saved: Annotated[Optional[str], typer.Option("--saved", "-s", help="Run a saved query by name (see `kg queries`).")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="NAME=VALUE, bound as an RDF term (repeatable); never pasted into the query.")] = None,
    store: StoreOpt = DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", help="table | csv | tsv | json | md")] = "table",
) -> None:
    """Run a SPARQL query (text, -f FILE or --saved NAME) over the union of the article graphs, with --param values."""
    from rich.text import Text

    from kg.query import FORMATS, format_result, parse_params, prepare

    if fmt not in FORMATS:
        _error_line(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    try:
        prepared = prepare(sparql, file=file, saved=saved, params=parse_params(param or []))
    except KgError as exc:
        _error_line(str(exc), 2)
    db = _open(store)
    try:
        result = prepared.run(db)
    except KgError as exc:
        _error_line(str(exc), 1)
    if fmt != "table":
        sys.stdout.write(format_result(result, fmt))
        if fmt == "json":
            sys.stdout.write("\n")
        return
    table = Table(*result.variables)
    for column in table.columns:
        column.overflow = "fold"  # long values wrap in their cell rather than being cut
    for row in result.rows:
        table.add_row(*(Text("" if v is None else v) for v in row))
    # in a terminal the table fits its width; piped, each row keeps to one line at the table's natural width
    (out if out.is_terminal else Console(width=100_000, file=sys.stdout, highlight=False)).print(table)
    err.print(f"{len(result.rows)} row(s)")


@app.command()
def queries(
    name: Annotated[Optional[str], typer.Argument(help="Describe this saved query in full (its parameters and SPARQL).")] = None,
) -> None:
    """List the saved queries (`kg query --saved NAME` runs one), or describe one."""
    from rich.text import Text

    from kg.query import load_saved, saved_queries

    if name is None:
        table = Table("name", "title", "parameters", title="saved queries (kg query --saved NAME --param k=v)", title_justify="left")
        for q in saved_queries():
            table.add_row(Text(q.name), Text(q.title), Text(", ".join(p.signature for p in q.params) or "none"))
        out.print(table)
        return
    try:
        q = load_saved(name)
    except KgError as exc:
        _error_line(str(exc), 2)
    lines = [f"{q.name}: {q.title}", "", q.description, "", "parameters:"]
    lines += [f"  {p.signature}  {p.description}".rstrip() for p in q.params] or ["  none"]
    lines += ["", "examples:", *(f"  {e}" for e in q.examples)] if q.examples else []
    body = q.sparql.splitlines()
    while body and (not body[0].strip() or body[0].lstrip().startswith("#")):
        body.pop(0)  # the header, shown above
    lines += ["", "\n".join(body).rstrip()]
    out.print(Text("\n".join(lines)))


@app.command()
def serve(
    store: StoreOpt = DEFAULT_STORE,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The port to listen on.")] = 7878,
    timeout_s: Annotated[int, typer.Option("--timeout-s", min=1, help="Cancel a query after this many seconds (the client gets 503).")] = 30,
    writable: Annotated[bool, typer.Option("--writable", help="Accept SPARQL UPDATE and Graph Store writes (lost at the next build).")] = False,
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint (/query) with the oxigraph server, moving onto each new build."""
    from kg.serve import ServeOptions
    from kg.serve import serve as run_serve

    try:
        run_serve(ServeOptions(store=store, host=host, port=port, timeout_s=timeout_s, writable=writable))
    except KgError as exc:
        _error_line(str(exc), 1)


@app.command()
def validate(store: StoreOpt = DEFAULT_STORE) -> None:
    """Check the store against the SHACL shapes; exit 1 with a readable report on violations."""
    from kg.validate import validate_store

    report = validate_store(_open(store))
    if report.conforms:
        out.print("[green]conforms[/green]: the graph satisfies every shape in ontology/shapes.ttl")
        return
    out.print(report.text, markup=False, highlight=False)
    _fail(f"{report.violations} SHACL violation(s)")


@app.command()
def page(
    store: StoreOpt = DEFAULT_STORE,
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("out/graph.html"),
    focus: Annotated[Optional[str], typer.Option("--focus", help="Only this actor's neighbourhood (its label).")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=3, help="Neighbourhood depth with --focus.")] = 1,
    since: Annotated[Optional[str], typer.Option("--since", help="Only relations dated on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only relations dated on or before (YYYY[-MM[-DD]]).")] = None,
    predicates: Annotated[Optional[list[str]], typer.Option("--predicates", help="Only these relation types (repeatable).")] = None,
) -> None:
    """Draw the graph (or a sub-graph) as one self-contained, offline HTML page."""
    from kg.page import select, write_page
    from kg.page_data import page_data

    data = page_data(_open(store))
    try:
        data = select(data, focus=focus, depth=depth, since=since, until=until, predicates=predicates)
    except ValueError as exc:
        _fail(str(exc))
    write_page(data, output)
    out.print(f"wrote {output} ({len(data.nodes)} nodes, {len(data.relations)} relations)")


@app.command()
def brief(
    state_a: Annotated[str, typer.Argument(help="One state of the dyad (its label).")],
    state_b: Annotated[str, typer.Argument(help="The other state.")],
    store: StoreOpt = DEFAULT_STORE,
    since: Annotated[Optional[str], typer.Option("--since", help="Only events on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only events on or before (YYYY[-MM[-DD]]).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | html")] = "md",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to this file (default: stdout).")] = None,
) -> None:
    """A dyad's brief: dated events, agreements, linking infrastructure and trade, each line footnoted to its sources."""
    from kg.brief import make_brief, to_html, to_markdown
    from kg.outputs import atomic_write

    if fmt not in {"md", "html"}:
        err.print(f"error: unknown format {fmt!r}; choose md or html")
        raise typer.Exit(2)
    db = _open(store)
    try:
        result = make_brief(db, state_a, state_b, since, until)
    except KgError as exc:
        _fail(str(exc))
    text = to_markdown(result) if fmt == "md" else to_html(result)
    if output is None:
        sys.stdout.write(text)
    else:
        with atomic_write(output) as handle:
            handle.write(text.encode("utf-8"))
        out.print(f"wrote {output}")


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(help="A folder of gold annotations (*.json, the evaluation schema).")],
    predictions: Annotated[Optional[Path], typer.Argument(help="A JSONL export to score (default: DIR/extractions.jsonl).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="The build folder whose extractions.jsonl is scored.")] = Path("out"),
    show_errors: Annotated[bool, typer.Option("--show-errors", help="List every false positive, false negative and wrong date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score extractions against gold annotations: per-type and per-predicate precision, recall, F1 and date accuracy."""
    import json

    from kg.evaluate import evaluate
    from kg.export import read_jsonl

    path = predictions or out_dir / "extractions.jsonl"
    if not path.is_file():
        _fail(f"no predictions at {path} (run `kg build` first, or name a JSONL file)")
    try:
        records = list(read_jsonl(path))
        result = evaluate(gold, records)
    except (OSError, ValueError) as exc:
        _fail(f"cannot evaluate: {exc}")
    if show_errors:
        for line in result.errors:
            out.print(line, markup=False, highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=1) + "\n")
        return
    table = Table("", "P", "R", "F1", "TP", "FP", "FN", title=f"kg eval: {result.articles} articles", title_justify="left")

    def row(name: str, c) -> None:  # noqa: ANN001 - kg.evaluate.Counts
        table.add_row(name, f"{c.p:.3f}", f"{c.r:.3f}", f"{c.f1:.3f}", str(c.tp), str(c.fp), str(c.fn))

    row("[bold]entities[/bold]", result.entities)
    for name, counts in result.entities_by_type.items():
        row(f"  {name}", counts)
    row("[bold]relations[/bold]", result.relations)
    for name, counts in sorted(result.relations_by_predicate.items()):
        row(f"  {name}", counts)
    out.print(table)
    out.print(f"date accuracy {result.date_accuracy} on {result.dated} matched dated relations")


@app.command()
def doctor(store: Annotated[Optional[Path], typer.Option("--store", help="Also check this store.")] = None) -> None:
    """Check the install (versions, model, data files) and a store; paste the output into a bug report."""
    from kg.doctor import run_checks

    checks = run_checks(store)
    for check in checks:
        mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
        out.print(f"{mark} {check.name}: ", end="")
        out.print(check.detail, markup=False, highlight=False)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the `kg` script and `python -m kg`."""
    app()
