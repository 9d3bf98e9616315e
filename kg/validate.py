"""Validation: the SHACL shapes of `ontology/shapes.ttl` run with pySHACL over the union of the store's graphs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources

import rdflib
from pyoxigraph import Store

from kg.export import export


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: whether it conforms, how many violations, and pySHACL's text report."""

    conforms: bool
    violations: int
    text: str


def ontology_text(name: str) -> str:
    """The text of an ontology file shipped with the package (kg.ttl or shapes.ttl)."""
    return resources.files("kg").joinpath(f"ontology/{name}").read_text(encoding="utf-8")


def validate_store(store: Store) -> Report:
    """Validate the union graph, with the ontology mixed in so sh:class follows rdfs:subClassOf."""
    from pyshacl import validate

    buffer = io.BytesIO()
    export(store, "nt", buffer)
    data = rdflib.Graph()
    data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    data.parse(data=ontology_text("kg.ttl"), format="turtle")
    shapes = rdflib.Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    conforms, results, text = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    violations = sum(1 for _ in results.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationResult")))
    return Report(bool(conforms), violations, str(text))
