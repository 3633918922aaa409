# ruff: noqa: S311  (test fakes: no cryptography, no real secrets)
"""A fake network API on 127.0.0.1, in a thread, that can fail on purpose.

Each fake answers the endpoints the clients use, shaped like the network's official description,
keeps what was posted (``posts``) and every request received (``requests``, for contract tests),
and injects faults on demand::

    with FakeMastodon() as fake:
        fake.faults.add("reset_after", method="POST")    # the next POST is recorded, then RST
        fake.faults.randomize(0.3, seed=1)               # or 30 % of requests, reproducibly
        client = MastodonClient({"access_token": fake.token}, base_url=fake.url)

Fault kinds (``*_after`` ones let the request take effect first, which is what makes
exactly-once hard: "it was created but you never heard back"):

``rate_limit``      429 with ``Retry-After`` and the network's rate-limit headers
``error_500``       500, nothing done          ``error_500_after``  done, then 500
``timeout``         no answer for ``stall`` s, nothing done
``timeout_after``   done, then no answer for ``stall`` s
``reset_before``    request read, connection reset (RST), nothing done
``reset_after``     done, then connection reset
``expired_token``   the token presented expires now: 401 (the network's shape)
``hold_after``      done, then the answer waits until ``release()`` (``held`` is set meanwhile)
``slow``            done, answered after ``slow`` s (a slow network, below the client's timeout)

Every answer also takes ``latency`` seconds (0 by default: a network's usual answer time).
Each :class:`Request` says when it arrived and when its answer left (``received_at``,
``answered_at``, on :func:`time.monotonic`), for tests of what overlapped what.

Engagement: each fake serves its network's metrics endpoints from per-post counters that tests
(and the demo) raise as readers would, with the library's metric names (``syndication.metrics``)::

    fake.engage(post_id, likes=3, shares=1, impressions=120)

``counter_names`` maps those names to the network's own (``likes`` is Mastodon's
``favourites_count``); a name the network does not count is refused.

Conversations: each fake holds what other people say to the account, injected by tests through
the fake's own methods (``add_reply``, ``add_comment``, ``add_mention``: see each fake), written
by a second account, :attr:`FakeServer.other` (or any ``author`` given); it serves them with
the network's shapes, cursors and pagination, and records the account's answers
(:attr:`FakeServer.answers`), likes (:attr:`FakeServer.liked`) and hidden messages
(:attr:`FakeServer.hidden`). Successful answers carry the network's rate-limit headers
(:meth:`FakeServer.rate_headers`).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import requests

PRE_FAULTS = ("rate_limit", "error_500", "timeout", "reset_before", "expired_token")
POST_FAULTS = ("error_500_after", "timeout_after", "reset_after", "hold_after", "slow")
ALL_FAULTS = PRE_FAULTS + POST_FAULTS
#: What ``randomize`` injects by default: every kind a retry can get through on its own.
RANDOM_FAULTS = (
    "rate_limit",
    "error_500",
    "error_500_after",
    "timeout",
    "timeout_after",
    "reset_before",
    "reset_after",
)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    #: The answer given (None: the connection was reset), for contract tests of the fakes.
    response: Response | None = None
    fault: str | None = None
    #: When it arrived and when its answer left (``time.monotonic``).
    received_at: float = 0.0
    answered_at: float = 0.0

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> dict[str, str]:
        return {
            k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()
        }

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[-1]

    @property
    def bearer(self) -> str:
        auth = self.headers.get("authorization", "")
        return auth.split(" ", 1)[1] if " " in auth else ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


class Faults:
    """Faults to inject: queued ones first (``add``), then random ones (``randomize``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[list[Any]] = []
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._methods: tuple[str, ...] = ()
        self._rng = random.Random(0)
        self.injected: Counter[str] = Counter()

    def add(self, kind: str, *, method: str = "POST", path: str = "", times: int = 1) -> None:
        if kind not in ALL_FAULTS:
            raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(ALL_FAULTS)}")
        with self._lock:
            self._queue.append([kind, method, re.compile(path), times])

    def randomize(
        self,
        rate: float,
        *,
        seed: int = 0,
        kinds: Iterable[str] = RANDOM_FAULTS,
        methods: Iterable[str] = ("GET", "POST"),
    ) -> None:
        with self._lock:
            self._rate, self._kinds, self._methods = rate, tuple(kinds), tuple(methods)
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rate = 0.0

    def pick(self, request: Request) -> str | None:
        with self._lock:
            for entry in self._queue:
                kind, method, path, _times = entry
                if request.method == method and path.search(request.path):
                    entry[3] -= 1
                    if entry[3] <= 0:
                        self._queue.remove(entry)
                    self.injected[kind] += 1
                    return kind
            if self._rate and request.method in self._methods and self._rng.random() < self._rate:
                kind = self._rng.choice(self._kinds)
                self.injected[kind] += 1
                return kind
        return None


Route = tuple[str, "re.Pattern[str]", Callable[..., Response], bool]


class FakeServer:
    """Base of the fakes. Subclasses fill ``routes`` (method, path regex, handler, needs auth)
    and override :meth:`unauthorized` and :meth:`rate_limited` with the network's shapes."""

    network = ""
    #: Seconds a rate-limited answer asks the client to wait (counted on :attr:`clock`).
    rate_limit_wait: ClassVar[int] = 2
    #: The library's metric name -> the network's own counter, for :meth:`engage`.
    counter_names: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        *,
        stall: float = 1.0,
        hold_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        latency: float = 0.0,
        slow: float = 1.0,
    ):
        self.stall = stall
        #: Seconds every answer takes; seconds a ``slow`` fault adds.
        self.latency = latency
        self.slow = slow
        #: Where the fake's timestamps come from (share a test's virtual clock with it).
        self.clock = clock
        self.hold_timeout = hold_timeout
        self.faults = Faults()
        self.requests: list[Request] = []
        self.posts: list[dict[str, Any]] = []
        self.lock = threading.RLock()
        self.token = f"{self.network}-token-{random.Random().getrandbits(64):016x}"
        self.valid_tokens = {self.token}
        self.held = threading.Event()
        self._idle = threading.Condition()
        self._in_flight = 0
        self._last_arrival = 0.0
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._next_id = 1000
        self.routes: list[Route] = []
        #: Per post id: the network's own counter name -> its value (see :meth:`engage`).
        self.counters: dict[str, dict[str, int]] = {}
        #: The account's answers to messages, as stored (each has ``id``, ``parent``, ``text``).
        self.answers: list[dict[str, Any]] = []
        #: Ids of the messages the account liked, and of those it hid.
        self.liked: set[str] = set()
        self.hidden: set[str] = set()
        #: The second account, who replies, comments and mentions (ids in the network's form).
        self.other: dict[str, str] = {"id": "2002", "handle": "lea", "name": "Léa Martin"}
        #: Calls left in the current rate-limit window, for :meth:`rate_headers`.
        self.rate_remaining = 300

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeServer:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            daemon=True,
            name=f"fake-{self.network}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def release(self) -> None:
        """Let a held request answer (``hold_after``)."""
        self._release.set()

    def timestamp(self, style: str = "iso") -> Any:
        """Now, as the network writes it: ISO 8601 with Z, Meta's ``+0000``, or Unix ms."""
        now = self.clock()
        if style == "ms":
            return int(now * 1000)
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        if style == "meta":
            return when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    @staticmethod
    def page(items: list[Any], offset: str, size: int) -> tuple[list[Any], str | None]:
        """A page of ``items`` from the cursor ``offset`` (an index), and the next cursor."""
        start = int(offset or 0)
        chunk = items[start : start + size]
        return chunk, (str(start + size) if start + size < len(items) else None)

    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def engage(self, post_id: str, **increments: int) -> dict[str, int]:
        """Raise the counters of a post (``likes=3, impressions=120``: the library's metric
        names) and return them, under the network's own names."""
        unknown = set(increments) - set(self.counter_names)
        if unknown:
            raise ValueError(
                f"{self.network} counts no {', '.join(sorted(unknown))}: use "
                f"{', '.join(self.counter_names)}."
            )
        with self.lock:
            counters = self.counters.setdefault(str(post_id), {})
            for name, amount in increments.items():
                native = self.counter_names[name]
                counters[native] = counters.get(native, 0) + int(amount)
            return dict(counters)

    def counter(self, post_id: str, native: str) -> int:
        """The value of one of the network's own counters for a post (0 when never raised)."""
        with self.lock:
            return self.counters.get(str(post_id), {}).get(native, 0)

    def expire_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    # -- what subclasses shape -----------------------------------------------------------------

    def route(
        self, method: str, pattern: str, handler: Callable[..., Response], auth: bool = True
    ) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler, auth))

    def unauthorized(self, request: Request) -> Response:
        return Response(401, {"error": "The access token is invalid"})

    def rate_limited(self, request: Request) -> Response:
        return Response(
            429, {"error": "Too many requests"}, {"Retry-After": str(self.rate_limit_wait)}
        )

    def server_error(self, request: Request) -> Response:
        return Response(500, {"error": "Internal server error"})

    def rate_headers(self) -> dict[str, str]:
        """The rate-limit headers of a successful answer (none by default)."""
        return {}

    def answers_to(self, parent: str) -> list[dict[str, Any]]:
        """The account's answers to one message (for duplicate counting)."""
        with self.lock:
            return [a for a in self.answers if a["parent"] == str(parent)]

    def published_links(self) -> list[str]:
        """The item link of every post, as the network holds them (for duplicate counting)."""
        return [p["link"] for p in self.posts]

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[Response | None, str | None]:
        """The answer to ``request`` (None: reset the connection) and the fault applied."""
        with self._idle:
            self._in_flight += 1
            self._last_arrival = request.received_at = time.monotonic()
        try:
            if self.latency:
                time.sleep(self.latency)
            response, fault = self._handle(request)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
        request.response, request.fault = response, fault
        request.answered_at = time.monotonic()
        return response, fault

    def wait_idle(self, timeout: float = 5.0, quiet: float = 0.02, sent: int = 0) -> bool:
        """Wait until no request is being handled and none arrived for ``quiet`` seconds: what a
        real ``check_delay`` gives in production (requests the client gave up on have landed).
        Tests inject it as the engine's ``sleep`` instead of sleeping for real. ``sent`` (a
        :class:`CountingSession`'s count) also waits for every request the client sent to have
        arrived: on a loaded machine one may still wait in the listening queue."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while time.monotonic() < deadline:
                calm = time.monotonic() - self._last_arrival
                arrived = len(self.requests) >= sent
                if self._in_flight == 0 and calm >= quiet and arrived:
                    return True
                self._idle.wait(min(quiet, max(0.0, deadline - time.monotonic())) or 0.001)
        return False

    def _handle(self, request: Request) -> tuple[Response | None, str | None]:
        with self.lock:
            self.requests.append(request)
        fault = self.faults.pick(request)
        if fault == "rate_limit":
            return self.rate_limited(request), fault
        if fault == "error_500":
            return self.server_error(request), fault
        if fault == "timeout":
            time.sleep(self.stall)
            return self.server_error(request), fault
        if fault == "reset_before":
            return None, fault
        if fault == "expired_token":
            with self.lock:
                self.valid_tokens.discard(request.bearer)
            return self.unauthorized(request), fault
        response = self._route(request)
        if 200 <= response.status < 300:
            with self.lock:
                self.rate_remaining = max(0, self.rate_remaining - 1)
            response.headers = {**self.rate_headers(), **response.headers}
        if fault == "error_500_after":
            return self.server_error(request), fault
        if fault == "timeout_after":
            time.sleep(self.stall)
        elif fault == "reset_after":
            return None, fault
        elif fault == "slow":
            time.sleep(self.slow)
        elif fault == "hold_after":
            self.held.set()
            self._release.wait(self.hold_timeout)
        return response, fault

    def _route(self, request: Request) -> Response:
        for method, pattern, handler, auth in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                if auth and request.bearer not in self.valid_tokens:
                    return self.unauthorized(request)
                return handler(request, *match.groups())
        return Response(404, {"error": f"no route {request.method} {request.path}"})


class CountingSession(requests.Session):
    """A client session that counts the requests it sends to one fake (``fake.url``; see
    :meth:`FakeServer.wait_idle`). Requests to other addresses are not counted."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url.rstrip("/") + "/"
        self.sent = 0
        self._count_lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if (request.url or "").startswith(self.url):
            with self._count_lock:
                self.sent += 1
        return super().send(request, **kwargs)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait for a delayed ACK (40 ms)
    server_fake: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response, _fault = self.server_fake.handle(request)
        if response is None:
            self._reset()
            return
        payload = response.encoded()
        try:
            self.send_response(response.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (timeout, killed)

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = _serve
