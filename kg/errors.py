"""Exceptions raised at the edges of kg, each with a message meant for a person."""


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class IngestError(KgError):
    """An input file could not be read as an article."""


class StoreError(KgError):
    """The store is missing, locked or unreadable."""


class QueryError(KgError):
    """A SPARQL query is malformed or failed."""
