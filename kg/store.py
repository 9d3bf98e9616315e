"""The persistent store: an Oxigraph database per build, swapped in atomically, read as the union of its graphs.

`out/store` is a link to `out/.store-versions/<id>/`. A process that keeps a version open for a while (`kg serve`,
`kg.open`) holds a lease on it, a file `.store-versions/<id>.lease-<pid>`; pruning skips every version with a lease
of a live process, so a build never deletes a store from under a reader, and the reader prunes once it moved on.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from pyoxigraph import Quad, RdfFormat, Store

from kg.errors import StoreError

T = TypeVar("T")

VERSIONS = ".store-versions"
LEASE = ".lease-"

_held: dict[Path, int] = {}  # lease file -> how many holders in this process
_held_lock = threading.Lock()


def resolve_store(path: Path | str) -> Path:
    """The folder of the store version `path` names (the `store` link followed); a clear StoreError when missing."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path} (run `kg build` first, or pass --store)")
    return path.resolve()


def open_store(path: Path | str) -> Store:
    """Open a built store read-only; a clear StoreError when it is missing or unreadable."""
    version = resolve_store(path)
    try:
        return Store.read_only(str(version))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


def lease_file(version: Path) -> Path:
    """This process's lease file on a store version."""
    return version.parent / f"{version.name}{LEASE}{os.getpid()}"


def acquire_lease(version: Path) -> Path:
    """Mark a store version as in use by this process (no prune removes it while the process lives); the lease file."""
    lease = lease_file(version)
    with _held_lock:
        if not _held.get(lease):
            lease.parent.mkdir(parents=True, exist_ok=True)
            lease.touch()
        _held[lease] = _held.get(lease, 0) + 1
    return lease


def release_lease(lease: Path) -> None:
    """Give back a lease taken with acquire_lease; the file goes when this process holds it no more."""
    with _held_lock:
        count = _held.get(lease, 0) - 1
        if count > 0:
            _held[lease] = count
            return
        _held.pop(lease, None)
        with contextlib.suppress(FileNotFoundError):
            lease.unlink()


def lease_current(link: Path) -> tuple[Path, Path]:
    """Lease the version `link` points to, checked after the lease is taken: (version folder, lease file)."""
    for _ in range(50):  # bounded: only a burst of builds swapping the link can make this retry
        version = resolve_store(link)
        lease = acquire_lease(version)
        if resolve_store(link) == version and version.is_dir():
            return version, lease
        release_lease(lease)
    raise StoreError(f"the store at {link} keeps changing; try again when the build has finished")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leased_versions(versions: Path) -> set[str]:
    """Names of the versions a live process holds a lease on; lease files of dead processes are removed."""
    live: set[str] = set()
    for entry in versions.iterdir():
        name, sep, pid = entry.name.rpartition(LEASE)
        if not sep:
            continue
        if pid.isdigit() and _alive(int(pid)):
            live.add(name)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
    return live


def prune_versions(link: Path) -> list[str]:
    """Remove the store versions beside `link` that are neither current nor leased; the names removed."""
    versions = link.parent / VERSIONS
    if not versions.is_dir():
        return []
    return _prune(versions, keep=resolve_store(link) if link.exists() else None, link=link)


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


def clean_leftovers(out_dir: Path) -> None:
    """Remove what a killed build left: temporary output files and link files (call it holding the lock)."""
    for pattern in (".*.tmp", ".store-link-*", ".fragments/.*.tmp"):
        for path in out_dir.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def new_version(out_dir: Path, base: Store | None = None) -> tuple[Path, Store]:
    """A new store beside the current one, to be filled and then published: empty, or a copy of `base` (a RocksDB
    checkpoint, whose immutable files are hard links, so the copy costs almost nothing and never changes `base`)."""
    versions = out_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    fresh = versions / f"{time.time_ns()}-{os.getpid()}"
    acquire_lease(fresh)  # before the folder exists, so that no reader's prune takes a store being written
    if base is not None:
        try:
            base.backup(str(fresh))
        except OSError as exc:
            raise StoreError(f"cannot copy the previous store to {fresh}: {exc}") from exc
    return fresh, Store(str(fresh))


def first_object(store: Store, subject: object, predicate: object, graph: object) -> str | None:
    """The value of the first object of (subject, predicate) in a graph; None when there is none."""
    return next((q.object.value for q in store.quads_for_pattern(subject, predicate, None, graph)), None)  # type: ignore[arg-type]


def _batches(items: Iterable[T], limit: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive lists of items whose sizes add up to at least `limit` (the last one may be smaller)."""
    buffer: list[T] = []
    total = 0
    for item in items:
        buffer.append(item)
        total += size(item)
        if total >= limit:
            yield buffer
            buffer, total = [], 0
    if buffer:
        yield buffer


def load_batches(store: Store, quads: Iterable[Quad], batch: int = 25_000) -> int:
    """Bulk-load quads in batches (memory stays bounded: a `Quad` object takes about 1 KiB, and smaller batches
    load as fast); returns how many were given."""
    count = 0
    for buffer in _batches(quads, batch, lambda _quad: 1):
        store.bulk_extend(buffer)
        count += len(buffer)
    return count


def load_trig(store: Store, header: bytes, blocks: Iterable[bytes], batch_bytes: int = 16 << 20) -> None:
    """Bulk-load TriG blocks written without prefix lines, joined into batches of about `batch_bytes` under the prefix
    declarations `header`. Each batch loads in a thread of its own while the next one is gathered (pyoxigraph lets
    go of the GIL while it loads), so that whatever produces `blocks`, the parse in a one-process build, goes on
    meanwhile; at most one batch loads at a time, so memory stays bounded.

    Every batch lands as level-0 files spanning the whole key space, which RocksDB then merges into the store: the
    fewer the batches, the less of that compaction. 16 MiB (about 400,000 quads) is where the saving levels off
    (10,000 articles, two workers: 711 s with 4 MiB batches, 625 s with 16, 615 s with 32) while the loader's
    memory stays small (the main process peaked at 389, 608 and 910 MiB; 1,794 MiB with 64)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store-load") as loader:
        loading: Future[None] | None = None
        for buffer in _batches(blocks, batch_bytes, len):
            data = header + b"".join(buffer)
            if loading is not None:
                loading.result()
            loading = loader.submit(store.bulk_load, data, format=RdfFormat.TRIG)
        if loading is not None:
            loading.result()


def publish(out_dir: Path, fresh: Path) -> Path:
    """Make a filled store version `out_dir/store` in one atomic step, then remove the versions it replaced."""
    link = out_dir / "store"
    versions = out_dir / VERSIONS
    if link.exists() and not link.is_symlink():
        link.rename(versions / f"legacy-{time.time_ns()}")  # a plain folder from an older layout
    tmp = out_dir / f".store-link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(fresh, out_dir))
    os.replace(tmp, link)
    release_lease(lease_file(fresh))  # taken by new_version
    _prune(versions, keep=fresh, link=link)
    return link


@contextlib.contextmanager
def compacting(store: Store) -> Iterator[None]:
    """Compact a freshly loaded store (one full RocksDB compaction: its bulk-loaded files merged, lookups about twice
    as fast) in a background thread while the block reads it; wait for it when the block ends."""
    failed: list[OSError] = []

    def compact() -> None:
        try:
            store.optimize()
        except OSError as exc:
            failed.append(exc)

    thread = threading.Thread(target=compact, name="kg-store-compaction", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise StoreError(f"cannot compact the new store: {failed[0]}")


def write_store(out_dir: Path, quads: Iterable[Quad]) -> Path:
    """Bulk-load the quads into a fresh store and make it `out_dir/store` in one atomic step."""
    fresh, store = new_version(out_dir)
    load_batches(store, quads)
    store.flush()
    del store
    return publish(out_dir, fresh)


def _prune(versions: Path, keep: Path | None, link: Path) -> list[str]:
    # Folders first, then leases: a build leases its fresh folder before creating it, so a folder listed here that is
    # still being written shows its lease below; a lease released since means the link already points there.
    folders = [p for p in versions.iterdir() if LEASE not in p.name and p.is_dir()]
    leased = leased_versions(versions)
    removed = []
    for old in folders:
        if old == keep or old.name in leased or (link.exists() and link.resolve() == old):
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    return removed
