"""`kg serve`: a SPARQL 1.1 Protocol endpoint over the store, answered by the `oxigraph` package's server.

Layout: kg listens on --host:--port with a small reverse proxy; behind it runs `oxigraph serve-read-only` (the
union of the named graphs as default graph, --timeout-s) over the store version `out/store` points to, on a
private port of 127.0.0.1. When a build swaps `out/store` to a new version, kg starts a second oxigraph on the new
version, sends every new request there once it answers, lets the requests still running on the old one finish,
stops it and removes the old version: no request is refused during the move. Each version in use is leased
(kg.store), so the build's own pruning never deletes it first.

The proxy also makes timeouts clean. Oxigraph cancels a query at --timeout-s, but only after it has sent
`200 OK` and part of the results (the body then ends with "The SPARQL operation has been cancelled"), and some
queries (sorting, some joins) never check for cancellation. kg buffers each answer (up to BUFFER_LIMIT) and, when
the query was cancelled or no answer came within --timeout-s plus a second, answers `503 Service Unavailable`
with a one-line text/plain reason instead; an oxigraph that did not stop is replaced by a fresh one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import KgError, StoreError
from kg.store import acquire_lease, lease_current, prune_versions, release_lease, resolve_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
GRACE_S = 1.0  # how long after --timeout-s kg stops waiting for oxigraph's own cancellation
BUFFER_LIMIT = 64 * 1024 * 1024  # larger answers are streamed as they come (a late cancellation then truncates them)
STARTUP_S = 20.0
CANCELLED = b"The SPARQL operation has been cancelled"
VERSION_HEADER = "X-Kg-Store-Version"
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
               "transfer-encoding", "upgrade", "expect", "host", "content-length", "server", "date"}


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: the store link, the address, the query timeout, read-only or not, how often to look for builds."""

    store: Path = Path("out/store")
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout_s: int = DEFAULT_TIMEOUT_S
    writable: bool = False
    poll_s: float = 0.5


def oxigraph_binary() -> str:
    """The `oxigraph` server binary of the `oxigraph` package (beside this Python first, then on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise KgError("the oxigraph server binary is missing: install the `oxigraph` package (pip install oxigraph)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec function asking Linux to stop the child when the thread that started it ends (None elsewhere)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return preexec


class Backend:
    """One oxigraph server process over one store version, on a private port of 127.0.0.1."""

    def __init__(self, version: Path, lease: Path | None, options: ServeOptions) -> None:
        self.version = version
        self.lease = lease
        self.options = options
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.poisoned = False  # a query outran the timeout here: replace this process
        self._in_flight = 0
        self._idle = threading.Condition()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()

    def start(self) -> None:
        """Start oxigraph and wait until it answers a query; KgError with its own message when it does not."""
        mode = "serve" if self.options.writable else "serve-read-only"
        for _ in range(3):  # another process may take the free port between the probe and oxigraph's bind
            self.port = _free_port()
            command = [oxigraph_binary(), mode, "--location", str(self.version), "--bind", f"127.0.0.1:{self.port}",
                       "--union-default-graph", "--timeout-s", str(self.options.timeout_s)]
            self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log, preexec_fn=_die_with_parent()
            )
            if self._wait_ready():
                return
            if self.process.poll() is None:
                self._terminate()
            message = self._stderr()
            if "address already in use" not in message.lower():
                raise KgError(f"oxigraph could not serve {self.version}: {message or f'no answer within {STARTUP_S:.0f} s'}")
        raise KgError(f"oxigraph could not find a free port to serve {self.version}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_S
        url = f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local backend
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def _stderr(self) -> str:
        self._log.seek(0)
        lines = [ln for ln in self._log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def alive(self) -> bool:
        """Whether the oxigraph process still runs."""
        return self.process is not None and self.process.poll() is None

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[Backend]:
        """Count a request as running here for the duration of the block."""
        with self._idle:
            self._in_flight += 1
        try:
            yield self
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) until no request runs here; whether it drained."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def _terminate(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def stop(self) -> None:
        """Stop oxigraph and give back the lease on its version."""
        self._terminate()
        self._log.close()
        if self.lease is not None:
            release_lease(self.lease)
            self.lease = None


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _Timeout(Exception):
    """No complete answer within the deadline."""


class _Streamed(Exception):
    """The answer was too large to buffer and has been sent on (or cut short) already."""


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _IPv6ProxyServer(_ProxyServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer
    server_version = "kg-serve"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's signature
        """Requests are not logged (oxigraph's answers are the record)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Forward a GET (queries, the service description, the YASGUI page, store reads)."""
        self._forward()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def _send(self, answer: _Answer, backend: Backend | None) -> None:
        try:
            self.send_response(answer.status, answer.reason or None)
            for name, value in answer.headers:
                self.send_header(name, value)
            if backend is not None:
                self.send_header(VERSION_HEADER, backend.version.name)
            if answer.status >= 200 and answer.status not in (204, 304):
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
        except OSError:  # the client went away
            self.close_connection = True

    def _forward(self) -> None:
        endpoint = self.server.endpoint
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send(_plain(411, "kg serve: send the request body with a Content-Length"), None)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send(_plain(400, "kg serve: bad Content-Length"), None)
            return
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        deadline = time.monotonic() + endpoint.options.timeout_s + GRACE_S
        with endpoint.current() as backend:
            try:
                answer = self._fetch(backend, body, headers, deadline)
            except _Timeout:
                backend.poisoned = True  # it may still be computing: the watcher replaces it
                answer = _plain(503, endpoint.timeout_message)
            except _Streamed:
                return
            except (http.client.HTTPException, OSError) as exc:
                if not backend.alive:
                    backend.poisoned = True
                answer = _plain(502, f"kg serve: the oxigraph backend did not answer ({exc})")
        if answer.body.rstrip().endswith(CANCELLED):
            answer = _plain(503, endpoint.timeout_message)
        self._send(answer, backend)

    def _fetch(self, backend: Backend, body: bytes, headers: dict[str, str], deadline: float) -> _Answer:
        """Oxigraph's whole answer, read before the deadline (or streamed on when larger than BUFFER_LIMIT)."""

        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Timeout
            return left

        connection = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=remaining())
        try:
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                chunks: list[bytes] = []
                size = 0
                while self.command != "HEAD":
                    if connection.sock is not None:
                        connection.sock.settimeout(remaining())
                    chunk = response.read1(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > BUFFER_LIMIT:
                        self._stream(backend, response, chunks, connection, remaining)
            except TimeoutError as exc:
                raise _Timeout from exc
            kept = tuple((k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP)
            return _Answer(response.status, response.reason, kept, b"".join(chunks))
        finally:
            connection.close()

    def _stream(self, backend: Backend, response: http.client.HTTPResponse, chunks: list[bytes],
                connection: http.client.HTTPConnection, remaining: Callable[[], float]) -> None:
        """Send a large answer on as it comes; past the deadline it is cut short. Always raises _Streamed."""
        self.close_connection = True
        try:
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header(VERSION_HEADER, backend.version.name)
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
            while True:
                if connection.sock is not None:
                    connection.sock.settimeout(remaining())
                chunk = response.read1(65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
        except (_Timeout, OSError, http.client.HTTPException):
            pass
        raise _Streamed


def _plain(status: int, message: str) -> _Answer:
    return _Answer(status, "", (("Content-Type", "text/plain; charset=utf-8"),), (message + "\n").encode("utf-8"))


class Endpoint:
    """The endpoint: the proxy on host:port and the oxigraph backend it forwards to, moved onto each new build."""

    def __init__(self, options: ServeOptions, log: Callable[[str], None] | None = None) -> None:
        self.options = options
        self._log = log or (lambda line: print(f"kg serve: {line}", file=sys.stderr, flush=True))
        self._backend: Backend | None = None
        self._lock = threading.Lock()
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None
        self._retiring: list[threading.Thread] = []
        self._failed: tuple[str, float] | None = None  # a version oxigraph could not serve, and when
        self._prune_pending = False
        self.timeout_message = (f"kg serve: the query was cancelled: it ran longer than the {options.timeout_s} s "
                                f"timeout (kg serve --timeout-s); narrow it (LIMIT, fewer joins) or raise the timeout")

    @property
    def url(self) -> str:
        """The endpoint's base URL; queries go to `{url}/query`."""
        host = f"[{self.options.host}]" if ":" in self.options.host else self.options.host
        return f"http://{host}:{self.port}"

    @property
    def port(self) -> int:
        """The port the proxy listens on (the one asked for, or the one given when 0 was asked)."""
        return int(self._server.server_address[1]) if self._server else self.options.port

    @property
    def version(self) -> Path | None:
        """The store version being served."""
        return self._backend.version if self._backend else None

    def start(self) -> None:
        """Check the store, take the port, start oxigraph and the proxy; a KgError with one clear line otherwise."""
        link = self.options.store
        resolve_store(link)  # StoreError "no store at ..." before anything else
        oxigraph_binary()
        server_class = _IPv6ProxyServer if ":" in self.options.host else _ProxyServer
        try:
            server = server_class((self.options.host, self.options.port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise KgError(f"port {self.options.port} on {self.options.host} is already in use; stop what uses it or pick another with --port") from exc
            if exc.errno == errno.EACCES:
                raise KgError(f"no permission to listen on port {self.options.port} of {self.options.host}; pick a port above 1023 with --port") from exc
            raise KgError(f"cannot listen on {self.options.host}:{self.options.port}: {exc.strerror or exc}") from exc
        server.endpoint = self
        self._server = server
        try:
            self._backend = self._spawn()
        except BaseException:
            server.server_close()
            self._server = None
            raise
        self._thread = threading.Thread(target=server.serve_forever, name="kg-serve-proxy", daemon=True)
        self._thread.start()
        mode = "read-write" if self.options.writable else "read-only"
        self._log(f"SPARQL endpoint at {self.url}/query ({mode}, union default graph, timeout {self.options.timeout_s} s) "
                  f"over {self._backend.version.name}")

    def _spawn(self, version: Path | None = None) -> Backend:
        link = self.options.store
        if version is not None:
            lease = acquire_lease(version) if link.is_symlink() else None
        elif link.is_symlink():
            version, lease = lease_current(link)
        else:
            version, lease = link.resolve(), None
        backend = Backend(version, lease, self.options)
        try:
            backend.start()
        except BaseException:
            backend.stop()
            raise
        return backend

    @contextlib.contextmanager
    def current(self) -> Iterator[Backend]:
        """The backend new requests go to, counted as busy for the block."""
        with self._lock:
            backend = self._backend
        if backend is None:
            raise StoreError("the endpoint is closed")
        with backend.borrowed():
            yield backend

    def run(self, stop: threading.Event) -> None:
        """Watch the store link and the backend until `stop` is set (call from the thread that called start())."""
        while not stop.wait(self.options.poll_s):
            self.check()

    def check(self) -> None:
        """One round of watching: move onto a new build, replace a stuck or dead backend, prune old versions."""
        backend = self._backend
        if backend is None:
            return
        link = self.options.store
        if link.is_symlink():
            try:
                target = resolve_store(link)
            except StoreError:
                target = backend.version  # the link is gone for now: keep serving what we have
            if target != backend.version and target.is_dir():
                self._move(target)
                return
        if backend.poisoned or not backend.alive:
            why = "a query ran past the timeout" if backend.poisoned else "oxigraph stopped"
            self._replace(backend.version if backend.version.is_dir() else None, f"{why}; restarted oxigraph")
        if self._prune_pending and link.is_symlink():
            self._prune()

    def _move(self, target: Path) -> None:
        if self._failed and self._failed[0] == target.name and time.monotonic() - self._failed[1] < 10:
            return
        self._replace(None, "moved to the new build")

    def _replace(self, version: Path | None, why: str) -> None:
        old = self._backend
        link = self.options.store
        target = version or (resolve_store(link) if link.is_symlink() else link.resolve())
        stopped_first = self.options.writable and old is not None and old.version == target
        if stopped_first and old is not None:
            old.stop()  # one writer per store folder: the old process goes first (its requests fail)
        try:
            new = self._spawn(version)
        except KgError as exc:
            self._failed = (target.name, time.monotonic())
            self._log(f"cannot serve {target.name}, still serving {old.version.name if old else 'nothing'}: {exc}")
            return
        with self._lock:
            self._backend = new
        self._failed = None
        moved = f" (was {old.version.name})" if old is not None and old.version != new.version else ""
        self._log(f"{why}: serving {new.version.name}{moved}")
        if stopped_first:
            self._prune_pending = True
        elif old is not None:
            self._retire(old)

    def _retire(self, old: Backend) -> None:
        """Stop a replaced backend once the requests still running on it are done (bounded by the timeout)."""

        def finish() -> None:
            old.drain(self.options.timeout_s + GRACE_S + 1)
            old.stop()
            self._prune_pending = True

        thread = threading.Thread(target=finish, name="kg-serve-retire", daemon=True)
        thread.start()
        self._retiring.append(thread)

    def _prune(self) -> None:
        if any(t.is_alive() for t in self._retiring):
            return
        self._retiring = []
        self._prune_pending = False
        for name in prune_versions(self.options.store):
            self._log(f"removed the old store version {name}")

    def close(self) -> None:
        """Stop the proxy and every backend, and give back the leases."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._retiring:
            thread.join(timeout=self.options.timeout_s + GRACE_S + 10)
        with self._lock:
            backend, self._backend = self._backend, None
        if backend is not None:
            backend.stop()

    def __enter__(self) -> Endpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(options: ServeOptions, stop: threading.Event | None = None) -> None:
    """Run the endpoint in the foreground until SIGINT or SIGTERM (or `stop`); KgError when it cannot start."""
    stop = stop or threading.Event()
    endpoint = Endpoint(options)
    endpoint.start()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        endpoint.run(stop)
    finally:
        endpoint.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
