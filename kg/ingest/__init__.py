"""Ingest: files and folders in, Articles (or one-line Failures) out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.decode import DEFAULT_MAX_BYTES, check_size, decode_bytes
from kg.ingest.readers import READERS
from kg.records import Article, Failure

__all__ = ["DEFAULT_MAX_BYTES", "discover", "read_file", "read_inputs"]


def discover(paths: Iterable[Path], exclude: Path | None = None) -> Iterator[Path]:
    """Every article file under the given paths, in a stable order; named files are kept whatever their suffix.

    Files under `exclude` (the build's own output folder) and hidden files are skipped in folders.
    """
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() not in READERS or any(p.startswith(".") for p in child.relative_to(path).parts):
                    continue
                if skip is not None and child.resolve().is_relative_to(skip):
                    continue
                if child.is_file() or child.is_symlink():
                    yield child
        else:
            yield path


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Failure]:
    """Read one file into Articles; every problem becomes a Failure naming the file and the reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield Failure(path.name, f"unsupported file type {path.suffix or '(none)'!r} (expected .txt, .html or .jsonl)")
        return
    try:
        if path.is_symlink() and not path.exists():
            raise IngestError("broken symbolic link")
        check_size(path.stat().st_size, max_bytes)
        raw = decode_bytes(path.read_bytes())
        yield from reader(path, raw)
    except IngestError as exc:
        yield Failure(path.name, str(exc))
    except PermissionError:
        yield Failure(path.name, "permission denied")
    except OSError as exc:
        yield Failure(path.name, f"cannot read ({exc.strerror or exc})")


def read_inputs(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES, exclude: Path | None = None) -> Iterator[Article | Failure]:
    """Articles and failures from every file under the given paths (none from under `exclude`)."""
    for path in discover(paths, exclude):
        yield from read_file(path, max_bytes)
