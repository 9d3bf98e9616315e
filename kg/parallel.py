"""Parallel extraction: a process pool, or a Dask distributed cluster; each worker loads the pipeline once.

Workers parse, extract and render: they send back each article's graph and output fragment (kg.fragments.Prepared),
so that the serialisation is spread over the workers too.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import sys
from collections.abc import Iterable, Iterator

from kg.fragments import Prepared, prepare
from kg.records import Article

Item = tuple[Article, tuple[str, ...]]  # an article and the names of every file it was read from

_EXTRACTOR = None


def _extractor():  # noqa: ANN202 - kg.extract.Extractor, imported lazily in the worker
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from kg.extract import Extractor

        _keep_large_blocks()
        _EXTRACTOR = Extractor()
    return _EXTRACTOR


_M_MMAP_THRESHOLD = -3  # glibc mallopt parameter


def _keep_large_blocks() -> None:
    """Undo the side effect of a fixed MALLOC_TRIM_THRESHOLD_ (Dask's nanny starts every worker with one): it also
    freezes glibc's mmap threshold at 128 KiB, so each array the parser allocates becomes a fresh mmap, which made
    parsing 19% slower in a Dask worker than in a plain process. The threshold is set to 32 MiB, the ceiling glibc's
    own dynamic threshold would reach; small blocks are still trimmed as the setting asked."""
    if not os.environ.get("MALLOC_TRIM_THRESHOLD_") or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)


def prepare_many(items: Iterable[Item], min_confidence: float = 0.0) -> Iterator[Prepared]:
    """Parse, extract and render a stream of articles in this process; the pipeline is loaded (once) only when there
    is an article to parse."""
    items = iter(items)
    first = next(items, None)
    if first is None:
        return
    sources: dict[int, tuple[str, ...]] = {}
    for extraction in _extractor().extract_many(_noting_sources(itertools.chain([first], items), sources), min_confidence):
        yield prepare(extraction, sources.pop(id(extraction.article)))


def _noting_sources(items: Iterable[Item], sources: dict[int, tuple[str, ...]]) -> Iterator[Article]:
    """The articles of `items`, keeping their source names by article identity until their extraction comes back."""
    for article, names in items:
        sources[id(article)] = names
        yield article


def prepare_batch(items: list[Item], min_confidence: float = 0.0) -> list[Prepared]:
    """prepare_many over one batch, as a list (the unit of work of a pool or cluster worker)."""
    return list(prepare_many(items, min_confidence))


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def prepare_with_pool(items: Iterable[Item], workers: int, min_confidence: float, batch: int = 8) -> Iterator[Prepared]:
    """prepare_many with `workers` processes; results stream back as batches finish (order not kept)."""
    import multiprocessing
    from functools import partial

    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for done in pool.imap_unordered(partial(prepare_batch, min_confidence=min_confidence), _batches(items, batch)):
            yield from done


def prepare_with_dask(items: Iterable[Item], scheduler: str, min_confidence: float, batch: int = 8) -> Iterator[Prepared]:
    """prepare_many on a Dask distributed cluster; a bounded number of batches is in flight at once."""
    from dask.distributed import Client, as_completed

    with Client(scheduler) as client:
        # batches in flight: enough that every worker still has work queued while this process is busy writing the
        # store (results wait on the workers meanwhile), few enough to bound their memory
        window = 8 * max(1, len(client.scheduler_info().get("workers", {})))
        batches = _batches(items, batch)
        first = [client.submit(prepare_batch, chunk, min_confidence, pure=False) for chunk in itertools.islice(batches, window)]
        if not first:
            return
        pending = as_completed(first)
        for future in pending:
            yield from future.result()
            future.release()
            nxt = next(batches, None)
            if nxt is not None:
                pending.add(client.submit(prepare_batch, nxt, min_confidence, pure=False))
