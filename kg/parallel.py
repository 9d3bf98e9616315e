"""Parallel extraction: a process pool, or a Dask distributed cluster; each worker loads the pipeline once."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from kg.records import Article, Extraction

_EXTRACTOR = None


def _extractor():  # noqa: ANN202 - kg.extract.Extractor, imported lazily in the worker
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from kg.extract import Extractor

        _EXTRACTOR = Extractor()
    return _EXTRACTOR


def extract_batch(articles: list[Article], min_confidence: float = 0.0) -> list[Extraction]:
    """Extract a batch of articles in this process (the pipeline is loaded on first use and kept)."""
    return list(_extractor().extract_many(articles, min_confidence))


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def extract_with_pool(articles: Iterable[Article], workers: int, min_confidence: float, batch: int = 8) -> Iterator[Extraction]:
    """Extract with `workers` processes; results stream back as batches finish (order not kept)."""
    import multiprocessing
    from functools import partial

    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for done in pool.imap_unordered(partial(extract_batch, min_confidence=min_confidence), _batches(articles, batch)):
            yield from done


def extract_with_dask(articles: Iterable[Article], scheduler: str, min_confidence: float, batch: int = 8) -> Iterator[Extraction]:
    """Extract on a Dask distributed cluster; a bounded number of batches is in flight at once."""
    from dask.distributed import Client, as_completed

    with Client(scheduler) as client:
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
        batches = _batches(articles, batch)
        first = [client.submit(extract_batch, chunk, min_confidence, pure=False) for chunk in itertools.islice(batches, window)]
        if not first:
            return
        pending = as_completed(first)
        for future in pending:
            yield from future.result()
            future.release()
            nxt = next(batches, None)
            if nxt is not None:
                pending.add(client.submit(extract_batch, nxt, min_confidence, pure=False))
