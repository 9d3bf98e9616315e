"""Shared fixtures: real builds of the test articles and of corpus/, and the shared evaluation set when present."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "data" / "articles"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow benchmark: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def run_kg(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `kg` command line (python -m kg) and capture its output."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout)


def records(out_dir: Path) -> list[dict]:
    """The JSONL extraction records of a build."""
    return [json.loads(line) for line in (out_dir / "extractions.jsonl").read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def articles_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test articles built once with the library; returns the output folder."""
    from kg import build

    out = tmp_path_factory.mktemp("articles") / "out"
    report = build([ARTICLES], out)
    assert report.articles > 0
    return out


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ built once through the command line; returns the output folder."""
    out = tmp_path_factory.mktemp("corpus") / "out"
    result = run_kg("build", "corpus", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture()
def article_dir(tmp_path: Path) -> Path:
    """An empty folder to write test inputs into."""
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def dev_set() -> Path:
    """The shared development set; skipped with a reason when ../shared is absent (a user's clone)."""
    if not (DEV / "gold").is_dir() or not (SHARED / "eval" / "score.py").is_file():
        pytest.skip("../shared/eval is absent: the dev-set tests run only beside the shared evaluation material")
    return DEV


def copy_articles(names: list[str], dest: Path) -> Path:
    """Copy some test articles into a folder."""
    for name in names:
        shutil.copy(ARTICLES / name, dest / name)
    return dest


def write_articles(folder: Path, articles: dict[str, tuple[str, str, str]]) -> Path:
    """Write header articles {file name: (outlet, published, text)} into a folder, each with its own url."""
    for name, (outlet, published, text) in articles.items():
        host = outlet.lower().replace(" ", "")
        (folder / name).write_text(f"url: https://{host}.example/{name}\noutlet: {outlet}\npublished: {published}\ntitle: {name}\n\n{text}\n")
    return folder
