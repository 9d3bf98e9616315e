"""The persistent store: an Oxigraph database per build, swapped in atomically, read as the union of its graphs."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import Quad, Store

from kg.errors import StoreError

VERSIONS = ".store-versions"


def open_store(path: Path | str) -> Store:
    """Open a built store read-only; a clear StoreError when it is missing or unreadable."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path} (run `kg build` first, or pass --store)")
    try:
        return Store.read_only(str(path.resolve()))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock: a second build on the same folder stops with a clear message."""
    out_dir.mkdir(parents=True, exist_ok=True)
    handle = open(out_dir / ".kg-build.lock", "w")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(f"another kg build is writing to {out_dir}; wait for it to finish") from exc
        yield
    finally:
        handle.close()


def write_store(out_dir: Path, quads: Iterable[Quad]) -> Path:
    """Bulk-load the quads into a fresh store and make it `out_dir/store` in one atomic step."""
    versions = out_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    fresh = versions / f"{time.time_ns()}-{os.getpid()}"
    store = Store(str(fresh))
    store.bulk_extend(quads)
    store.flush()
    del store
    link = out_dir / "store"
    if link.exists() and not link.is_symlink():
        link.rename(versions / f"legacy-{time.time_ns()}")  # a plain folder from an older layout
    tmp = out_dir / f".store-link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(fresh, out_dir))
    os.replace(tmp, link)
    _prune(versions, keep=fresh)
    return link


def _prune(versions: Path, keep: Path) -> None:
    for old in versions.iterdir():
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
