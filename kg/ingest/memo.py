"""What earlier builds read from each input file, so that a file unchanged since is not read (decoded, cleaned and
hashed) again.

A file counts as unchanged when its size, modification time and inode are those recorded, the way make, rsync and
git decide it. Like git, kg distrusts a record taken less than two seconds after the file's last modification (a
change within the same clock tick would keep the time), and the records are dropped whenever kg's pipeline or the
size limit changes. Files that failed to read are read again every time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.ingest import discover, read_file
from kg.iris import article_iri
from kg.outputs import atomic_write
from kg.records import Article, Failure

RACY_NS = 2_000_000_000  # a record is trusted only when the file was last modified this long before it was read


@dataclass(frozen=True)
class Known:
    """An article an unchanged file gave before: what a build needs of it without reading the file again."""

    source: str
    path: str  # the file's absolute path
    iri: str
    content_hash: str
    words: int
    warnings: tuple[str, ...] = ()


def iri_of(item: Article | Known) -> str:
    """The article's IRI (also its graph's name)."""
    return item.iri if isinstance(item, Known) else article_iri(item)


def words_of(item: Article | Known) -> int:
    """The number of words in the article's body."""
    return item.words if isinstance(item, Known) else len(item.text.split())


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


class ReadMemo:
    """The records of one output folder's inputs (a JSON file), read at the start of a build and saved at its end."""

    def __init__(self, file: Path, salt: str) -> None:
        self.file, self.salt = file, salt
        self.old: dict[str, dict] = {}
        self.new: dict[str, dict] = {}
        self.reused_files = 0
        try:
            data = json.loads(file.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("salt") == salt and isinstance(data.get("files"), dict):
            self.old = data["files"]

    def read(self, paths: Iterable[Path], max_bytes: int, exclude: Path | None = None) -> Iterator[Article | Known | Failure]:
        """Every article under `paths`: a Known for each article of an unchanged file, else what reading gives."""
        for path in discover(paths, exclude):
            name, stamp = str(path.absolute()), _stamp(path)
            entry = self.old.get(name)
            if stamp is not None and entry is not None and entry["stamp"] == stamp and stamp[1] + RACY_NS < entry["read_ns"]:
                self.new[name] = entry
                self.reused_files += 1
                yield from (Known(a["source"], name, a["iri"], a["hash"], a["words"], tuple(a["warnings"])) for a in entry["articles"])
                continue
            read_ns = time.time_ns()
            items = list(read_file(path, max_bytes))
            if stamp is not None and stamp == _stamp(path) and not any(isinstance(i, Failure) for i in items):
                self.new[name] = {"stamp": stamp, "read_ns": read_ns, "articles": [
                    {"source": a.source, "iri": article_iri(a), "hash": a.content_hash, "words": words_of(a),
                     "warnings": list(a.warnings)} for a in items if isinstance(a, Article)]}
            yield from items

    @staticmethod
    def articles(known: Iterable[Known], max_bytes: int) -> dict[str, Article | Failure]:
        """The full articles some Knowns stand for, by IRI, each file read once (when their fragments or graphs are
        gone); a Failure for one its file no longer gives."""
        by_file: dict[str, list[str]] = {}
        for k in known:
            by_file.setdefault(k.path, []).append(k.iri)
        found: dict[str, Article | Failure] = {}
        for path, wanted in by_file.items():
            items = list(read_file(Path(path), max_bytes))
            read = {article_iri(i): i for i in items if isinstance(i, Article)}
            failure = next((i for i in items if isinstance(i, Failure)), None) or Failure(Path(path).name, "changed while the build ran; build again")
            found.update((iri, read.get(iri, failure)) for iri in wanted)
        return found

    def save(self) -> None:
        """Write the records of this build's inputs (atomically)."""
        with atomic_write(self.file) as handle:
            handle.write(json.dumps({"salt": self.salt, "files": self.new}, ensure_ascii=False).encode("utf-8"))
