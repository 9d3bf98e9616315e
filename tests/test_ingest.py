"""Ingest: every input format, metadata, normalisation, and every kind of bad input as a one-line failure."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest

from kg.ingest import read_file, read_inputs
from kg.records import Article, Failure
from tests.conftest import ARTICLES


def one(path: Path, **kw) -> Article | Failure:
    items = list(read_file(path, **kw))
    assert len(items) == 1, items
    return items[0]


def test_txt_with_header_reads_metadata_and_body() -> None:
    a = one(ARTICLES / "albania-visit.txt")
    assert isinstance(a, Article)
    assert a.source == "albania-visit.txt"
    assert a.published == "2022-11-16" and a.published_source == "header"
    assert a.outlet == "Balkan Wire"
    assert a.url.startswith("https://www.balkanwire.example/")
    assert a.title == "Aliyev makes first official visit to Albania"
    assert not a.text.startswith("url:") and "Tirana" in a.text


def test_txt_without_header_has_no_published_date() -> None:
    a = one(ARTICLES / "no-header.txt")
    assert isinstance(a, Article)
    assert a.published is None and a.url is None and a.outlet is None and a.published_source is None
    assert a.text.startswith("The leaders of Azerbaijan")


def test_html_metadata_and_boilerplate() -> None:
    a = one(ARTICLES / "moldova-croatia.html")
    assert isinstance(a, Article)
    assert a.published == "2023-06-02" and a.published_source == "html-meta"
    assert a.outlet == "Danube Diplomatic Review"
    assert a.url == "https://www.danubediplomaticreview.example/2023/06/02/aliyev-sandu-epc-summit-moldova"
    assert "Sandu" in a.text
    assert "cookie" not in a.text.lower() and "Subscribe" not in a.text


def test_jsonl_one_article_per_line_with_line_sources() -> None:
    items = list(read_file(ARTICLES / "batch.jsonl"))
    assert [i.source for i in items] == ["batch.jsonl#1", "batch.jsonl#2", "batch.jsonl#3"]
    assert all(isinstance(i, Article) for i in items)
    assert items[0].published == "2022-12-19" and items[0].published_source == "jsonl"
    assert items[2].published is None


def test_jsonl_broken_line_fails_alone(article_dir: Path) -> None:
    good = {"url": "https://x.example/a", "outlet": "X", "title": "T", "published": "2023-01-02", "text": "Serbia and Azerbaijan signed a deal."}
    path = article_dir / "mixed.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "url": "https://x.example/b"}) + "\n[1, 2]\n")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Article", "Failure", "Article", "Failure"]
    assert items[1].source == "mixed.jsonl#2" and "invalid JSON" in items[1].reason
    assert items[3].reason == "line is not a JSON object"


def test_normalisation_nfc_and_whitespace(article_dir: Path) -> None:
    path = article_dir / "n.txt"
    path.write_text("url: unknown\noutlet: X\npublished: 2023-01-02\ntitle: T\n\nAleksandar Vuc\u030cic\u0301   met\u00a0Ilham\tAliyev.\r\n\r\n\r\n\r\nSecond  paragraph.\n")
    a = one(path)
    assert a.url is None  # "unknown" means absent
    assert a.text == "Aleksandar Vučić met Ilham Aliyev.\n\nSecond paragraph."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\t \n", "empty file"),
        ("random.txt", bytes(range(256)) * 20, "binary data"),
        ("header-only.txt", b"url: unknown\noutlet: X\npublished: 2023-01-01\ntitle: T\n\n", "no article text"),
        ("empty.html", b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>", "no article text"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_inputs_fail_with_one_line_reason(article_dir: Path, name: str, content: bytes, reason: str) -> None:
    path = article_dir / name
    path.write_bytes(content)
    failure = one(path)
    assert isinstance(failure, Failure)
    assert failure.source == name and reason in failure.reason
    assert "\n" not in str(failure)


def test_utf16_with_bom_and_latin1_are_decoded(article_dir: Path) -> None:
    text = "Azerbaijani President Ilham Aliyev met Serbian President Aleksandar Vučić in Niš."
    (article_dir / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (article_dir / "latin1.txt").write_bytes("Le président visited Belgrade with Aliyev and Vucic.".encode("latin-1"))
    u16 = one(article_dir / "u16.txt")
    latin = one(article_dir / "latin1.txt")
    assert isinstance(u16, Article) and u16.text == text
    assert isinstance(latin, Article) and "président" in latin.text


def test_size_cap_rejects_before_reading(article_dir: Path) -> None:
    path = article_dir / "big.txt"
    path.write_bytes(b"Serbia and Azerbaijan. " * 10_000)
    failure = one(path, max_bytes=100_000)
    assert isinstance(failure, Failure) and "too large" in failure.reason


def test_malformed_header_date_builds_without_date_and_warns(article_dir: Path) -> None:
    path = article_dir / "bad-date.txt"
    path.write_text("url: https://x.example/a\noutlet: X\npublished: 2022-13-45\ntitle: T\n\nIlham Aliyev visited Serbia on 23 November 2022.\n")
    a = one(path)
    assert isinstance(a, Article) and a.published is None
    assert any("2022-13-45" in w for w in a.warnings)


def test_broken_symlink_and_unreadable_file(article_dir: Path) -> None:
    (article_dir / "gone.txt").symlink_to(article_dir / "nowhere.txt")
    items = list(read_inputs([article_dir]))
    assert [(i.source, i.reason) for i in items] == [("gone.txt", "broken symbolic link")]
    if os.geteuid() != 0:
        locked = article_dir / "locked.txt"
        locked.write_text("Serbia and Azerbaijan signed a deal.")
        locked.chmod(0)
        assert one(locked).reason == "permission denied"


def test_folder_discovery_skips_other_files(article_dir: Path) -> None:
    (article_dir / "a.txt").write_text("Serbia and Azerbaijan signed a deal in Baku.")
    (article_dir / "readme.md").write_text("not an article")
    (article_dir / ".hidden").mkdir()
    (article_dir / ".hidden" / "b.txt").write_text("Serbia and Azerbaijan signed a deal in Baku.")
    assert [i.source for i in read_inputs([article_dir])] == ["a.txt"]
