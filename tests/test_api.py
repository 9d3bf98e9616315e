"""The public API is small, documented and guarded."""

from __future__ import annotations

import inspect

import kg

EXPECTED = {
    "Article", "BuildReport", "DateValue", "Entity", "Extraction", "Failure", "Graph", "IngestError", "KgError", "Mention",
    "QueryError", "Relation", "Result", "StoreError", "__version__", "build", "export", "open", "open_store", "read_inputs",
    "run_query", "validate_store",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(kg.__all__) == EXPECTED
    for name in kg.__all__:
        assert hasattr(kg, name), name


def test_public_callables_have_docstrings_and_hints() -> None:
    for name in kg.__all__:
        obj = getattr(kg, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"
        if inspect.isfunction(obj):
            assert "return" in obj.__annotations__, f"{name} has no return type"


def test_records_are_frozen() -> None:
    entity = kg.Entity(iri="https://x.example/e", label="Serbia", type="State")
    try:
        entity.label = "Other"  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("records must be frozen")
