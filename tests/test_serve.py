"""`kg serve`, run as a real process on 127.0.0.1: the SPARQL 1.1 Protocol (GET, POST, result formats, Turtle),
read-only refusal of updates, what a client sees when a query is cancelled, a taken port, a missing store, a
writable endpoint, and a rebuild while serving (the endpoint moves onto the new store; the old one is removed)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from kg import build, open_store, run_query
from kg.serve import VERSION_HEADER
from kg.store import LEASE, VERSIONS
from tests.analyst_fixtures import ANALYST, write_analyst_store
from tests.conftest import ROOT

TIMEOUT_S = 1
KG = "PREFIX kg: <https://w3id.org/kg-balkans/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
STATES = KG + "SELECT ?label WHERE { ?e a kg:State ; rdfs:label ?label } ORDER BY ?label"
ARTICLES = KG + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Article }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> tuple[int, Message, bytes]:
    """One request: (status, headers, body), error statuses included."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class Server:
    """`python -m kg serve` in a subprocess, with its stderr in a file."""

    def __init__(self, store: Path, log: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(self.port), *args],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=handle,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if http(self.query_url({"query": "ASK {}"}), timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"kg serve did not answer within 30 s: {self.log.read_text()}")

    def query_url(self, params: dict[str, str]) -> str:
        return f"{self.url}/query?{urllib.parse.urlencode(params)}"

    def select(self, query: str, accept: str = "application/sparql-results+json") -> tuple[int, Message, bytes]:
        return http(self.query_url({"query": query}), headers={"Accept": accept})

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


@pytest.fixture(scope="module")
def store_link(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_analyst_store(tmp_path_factory.mktemp("serve") / "out")


@pytest.fixture(scope="module")
def server(store_link: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store_link, tmp_path_factory.mktemp("serve-log") / "stderr.txt", "--timeout-s", str(TIMEOUT_S))
    yield running
    assert running.stop() == 0, running.log.read_text()
    assert not any(LEASE in p.name for p in (store_link.parent / VERSIONS).iterdir())  # the lease was given back


def bindings(body: bytes) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(body)["results"]["bindings"]]


def test_get_and_post_answer_over_the_union_of_the_graphs(server: Server, store_link: Path) -> None:
    local = open_store(store_link)
    expected = [{"label": row[0]} for row in run_query(local, STATES).rows]
    status, headers, body = server.select(STATES)
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert bindings(body) == expected
    assert headers[VERSION_HEADER] == store_link.resolve().name
    status, _, body = http(f"{server.url}/query", method="POST", data=STATES.encode(),
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert status == 200 and bindings(body) == expected
    status, _, body = http(f"{server.url}/query", method="POST", data=urllib.parse.urlencode({"query": STATES}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and bindings(body) == expected  # JSON by default
    # the default graph is the union of the named graphs: no GRAPH needed, the same answer as kg's own queries
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert bindings(server.select(count)[2]) == [{"n": run_query(local, count).rows[0][0]}]
    assert int(bindings(server.select(count)[2])[0]["n"]) > 1000
    # the endpoint is plain SPARQL: kg's prefixes are not predeclared there
    status, _, body = server.select("SELECT ?e WHERE { ?e a kg:State }")
    assert status == 400 and b"Prefix not found" in body


def test_result_formats_and_turtle(server: Server, store_link: Path) -> None:
    labels = ["Armenia", "Azerbaijan", "Bulgaria", "Greece", "Serbia"]
    status, headers, body = server.select(STATES, "application/sparql-results+xml")
    assert status == 200 and "sparql-results+xml" in headers["Content-Type"]
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [b.findtext("r:literal", namespaces=ns) for b in ET.fromstring(body).iterfind(".//r:binding", ns)] == labels
    status, headers, body = server.select(STATES, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["label"], *([label] for label in labels)]
    status, headers, body = server.select(STATES, "text/tab-separated-values")
    assert status == 200 and body.decode().splitlines() == ["?label", *(f'"{label}"' for label in labels)]
    construct = KG + "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:State ; rdfs:label ?l }"
    status, headers, body = server.select(construct, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = list(parse(body, RdfFormat.TURTLE))
    assert sorted(t.object.value for t in triples) == labels
    ask = server.select(KG + "ASK { ?s kg:accused ?o }")
    assert ask[0] == 200 and json.loads(ask[2])["boolean"] is True


def test_updates_are_refused(server: Server) -> None:
    insert = "INSERT DATA { <https://x.example/s> <https://x.example/p> <https://x.example/o> }"
    for data, content_type in [(insert.encode(), "application/sparql-update"),
                               (urllib.parse.urlencode({"update": insert}).encode(), "application/x-www-form-urlencoded")]:
        status, _, body = http(f"{server.url}/update", method="POST", data=data, headers={"Content-Type": content_type})
        assert status == 403 and b"read-only" in body
    status, _, _ = http(f"{server.url}/store?default", method="PUT", data=b"<https://x.example/s> <https://x.example/p> 1 .",
                        headers={"Content-Type": "text/turtle"})
    assert status == 403
    assert json.loads(server.select("ASK { <https://x.example/s> ?p ?o }")[2])["boolean"] is False


def test_a_cancelled_query_gets_503_and_the_endpoint_recovers(server: Server) -> None:
    # Oxigraph notices the timeout itself on this one (it had already sent "200 OK"): kg turns it into a clean 503
    started = time.monotonic()
    status, headers, body = server.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert status == 503 and headers["Content-Type"].startswith("text/plain")
    assert b"cancelled" in body and f"{TIMEOUT_S} s timeout".encode() in body
    assert time.monotonic() - started < TIMEOUT_S + 5
    # this one never checks for cancellation: kg stops waiting, answers 503, and replaces the busy oxigraph
    started = time.monotonic()
    status, _, body = server.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert status == 503 and b"cancelled" in body
    assert time.monotonic() - started < TIMEOUT_S + 5
    deadline = time.monotonic() + 20
    while "restarted oxigraph" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "a query ran past the timeout; restarted oxigraph" in server.log.read_text()
    status, _, body = server.select(STATES)
    assert status == 200 and len(bindings(body)) == 5


def test_port_taken_and_store_missing_are_one_clear_line(store_link: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(store_link), "--port", str(port)],
                                capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: port {port} on 127.0.0.1 is already in use; stop what uses it or pick another with --port"
    missing = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "nostore"), "--port", str(free_port())],
                             capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"error: no store at {tmp_path / 'nostore'} (run `kg build` first, or pass --store)"


def test_writable_endpoint_accepts_updates(tmp_path: Path) -> None:
    link = write_analyst_store(tmp_path / "out")
    server = Server(link, tmp_path / "stderr.txt", "--writable")
    try:
        insert = "INSERT DATA { GRAPH <https://x.example/g> { <https://x.example/s> <https://x.example/p> 1 } }"
        status, _, _ = http(f"{server.url}/update", method="POST", data=insert.encode(), headers={"Content-Type": "application/sparql-update"})
        assert status == 204
        assert json.loads(server.select("ASK { <https://x.example/s> ?p 1 }")[2])["boolean"] is True
    finally:
        assert server.stop() == 0
    assert "read-write" in server.log.read_text()


def test_rebuild_while_serving_moves_the_endpoint_to_the_new_store(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("serbia-official-visit.txt", "igb-sofia.txt"):
        shutil.copy(ANALYST / name, inputs / name)
    out = tmp_path / "out"
    assert build([inputs], out, page=False).articles == 2
    versions = out / VERSIONS
    first = (out / "store").resolve()
    server = Server(out / "store", tmp_path / "stderr.txt", "--timeout-s", "5")
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:  # a client querying all through the rebuild
        while not stop.is_set():
            statuses.append(server.select(ARTICLES)[0])
            time.sleep(0.02)

    try:
        status, headers, body = server.select(ARTICLES)
        assert status == 200 and bindings(body) == [{"n": "2"}] and headers[VERSION_HEADER] == first.name
        assert (versions / f"{first.name}{LEASE}{server.process.pid}").exists()  # the served version is leased
        asking = threading.Thread(target=keep_asking)
        asking.start()
        shutil.copy(ANALYST / "interconnector-nis.txt", inputs / "interconnector-nis.txt")
        assert build([inputs], out, page=False).articles == 3  # a rebuild with a changed corpus, while serving
        second = (out / "store").resolve()
        assert second != first and first.is_dir()  # the build did not delete the version being served
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, headers, body = server.select(ARTICLES)
            if headers.get(VERSION_HEADER) == second.name:
                break
            time.sleep(0.1)
        assert status == 200 and bindings(body) == [{"n": "3"}] and headers[VERSION_HEADER] == second.name
        while first.exists() and time.monotonic() < deadline:  # removed once the old oxigraph has stopped
            time.sleep(0.1)
        assert not first.exists()
        assert (versions / f"{second.name}{LEASE}{server.process.pid}").exists()
        stop.set()
        asking.join(timeout=30)
        assert statuses and set(statuses) == {200}  # no request failed during the move
    finally:
        stop.set()
        assert server.stop() == 0
    log = server.log.read_text()
    assert f"moved to the new build: serving {second.name} (was {first.name})" in log
    assert f"removed the old store version {first.name}" in log
    assert sorted(p.name for p in versions.iterdir()) == [second.name]
    assert os.path.realpath(out / "store") == str(second)


def test_malformed_queries_get_400_with_a_message(server: Server) -> None:
    for query in ("SELECT * WHERE {", "SELEKT ?x", "SELECT ?x WHERE { ?x ?p }"):
        status, _, body = server.select(query)
        assert status == 400, (query, status)
        assert body.strip(), "a 400 says why"
    assert server.select(STATES)[0] == 200  # and the endpoint still answers


def test_bounded_load_from_eight_clients(server: Server) -> None:
    """8 clients x 300 queries on 127.0.0.1: zero failed requests; p50/p95 printed."""
    clients, per_client = 8, 300
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 240

    def client(n: int) -> None:
        for i in range(per_client):
            if time.monotonic() > deadline:
                with lock:
                    failures.append(f"client {n}: out of time at {i}")
                return
            started = time.perf_counter()
            status, _, _ = server.select(STATES if i % 2 else ARTICLES)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(f"client {n} query {i}: HTTP {status}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert failures == []
    assert len(latencies) == clients * per_client
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(f"load: {len(latencies)} requests, p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
