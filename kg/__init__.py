"""kg: knowledge graphs of bilateral relations between states, built from news with full provenance."""

from kg.api import Graph, open  # noqa: A004 - kg.open(path) opens a store for analysis
from kg.build import BuildReport, build
from kg.errors import IngestError, KgError, QueryError, StoreError
from kg.export import export
from kg.ingest import read_inputs
from kg.query import Result, run_query
from kg.records import Article, DateValue, Entity, Extraction, Failure, Mention, Relation
from kg.store import open_store
from kg.validate import validate_store

__version__ = "0.1.0"

__all__ = [
    "Article",
    "BuildReport",
    "DateValue",
    "Entity",
    "Extraction",
    "Failure",
    "Graph",
    "IngestError",
    "KgError",
    "Mention",
    "QueryError",
    "Relation",
    "Result",
    "StoreError",
    "__version__",
    "build",
    "export",
    "open",
    "open_store",
    "read_inputs",
    "run_query",
    "validate_store",
]
