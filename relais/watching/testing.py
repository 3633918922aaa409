"""A loopback web site for the tests and the benchmark of the watching engine: never imported
by product code.

:class:`LoopbackSite` is a threaded HTTP/1.1 server on ``127.0.0.1`` (a free port) answering
the :class:`Route` of each path: a body with its ``ETag`` and ``Last-Modified`` (``304`` to a
matching conditional GET), gzip or deflate, a status and headers, a latency; or a hostile
behaviour: ``hang`` (never answers), ``slow_headers`` and ``trickle`` (one byte at a time),
``endless`` (a body that never ends). It records every request (path, headers, start) and the
most requests it served at once. Stopping it wakes every hanging answer.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None  # "gzip" or "deflate": compressed when served
    precompressed: bool = False  # ``body`` is already encoded as ``encoding`` says
    behaviour: str | None = None  # hang, slow_headers, trickle, endless
    latency: float | None = None  # seconds before answering (the site's latency if None)
    trickle_interval: float = 0.2


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    started: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    site: LoopbackSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, limits reached) are what the tests are about."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        site = self.server.site
        site._enter(Seen(self.path, dict(self.headers.items()), time.monotonic()))
        try:
            self._answer(site)
        except OSError:  # the client hung up: a timeout or a limit reached on its side
            self.close_connection = True
        finally:
            site._leave()

    def _answer(self, site: LoopbackSite) -> None:
        route = site.routes.get(self.path.split("?")[0])
        if route is None:
            return self._send(404, b"not found", {"Content-Type": "text/plain"})
        latency = site.latency if route.latency is None else route.latency
        if latency and site.stopping.wait(latency):
            return
        if route.behaviour == "hang":
            site.stopping.wait(60)
            self.close_connection = True
            return
        if route.behaviour == "slow_headers":
            padding = b"".join(b"X-Padding-%d: %d\r\n" % (i, i) for i in range(90))
            return self._trickle(b"HTTP/1.1 200 OK\r\n" + padding + b"\r\n", route)
        if route.behaviour == "endless":
            return self._endless(route)
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified
            and not route.etag
            and self.headers.get("If-Modified-Since") == route.last_modified
        ):
            return self._send(304, b"", validators)
        body = route.body
        headers = {"Content-Type": route.content_type, **validators, **route.headers}
        if route.encoding:
            headers["Content-Encoding"] = route.encoding
            if not route.precompressed:
                body = gzip.compress(body) if route.encoding == "gzip" else zlib.compress(body)
        if route.behaviour == "trickle":
            head = f"HTTP/1.1 {route.status} OK\r\nContent-Length: {len(body)}\r\n".encode()
            self.wfile.write(head)
            for key, value in headers.items():
                self.wfile.write(f"{key}: {value}\r\n".encode())
            self.wfile.write(b"\r\n")
            return self._trickle(body, route)
        return self._send(route.status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def _trickle(self, data: bytes, route: Route) -> None:
        self.close_connection = True
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            if self.server.site.stopping.wait(route.trickle_interval):
                return

    def _endless(self, route: Route) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<item><title>encore</title></item>" * 2000
        while not self.server.site.stopping.is_set():
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


class LoopbackSite:
    """See the module's docstring. Use it as a context manager, or :meth:`start` and
    :meth:`stop`."""

    def __init__(self, routes: dict[str, Route] | None = None, *, latency: float = 0.0):
        self.routes: dict[str, Route] = dict(routes or {})
        self.latency = latency
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LoopbackSite:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackSite:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the site first"
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, **kwargs: Any) -> str:
        """Serve ``Route(**kwargs)`` at ``path``; its address."""
        self.routes[path] = Route(**kwargs)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.route(path, status=status, headers={"Location": to}, content_type="text/plain")

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.split("?")[0] == path]

    def _enter(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1
