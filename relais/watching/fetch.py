"""One fetcher for feeds and pages, safe against the servers it reads.

:meth:`Fetcher.fetch` makes a GET in named phases, one redirect hop at a time:

1. **check** the address with the policy (:func:`relais.outbound.check_url`: https, public
   addresses after resolution), on every hop;
2. **wait** for the host's turn (:class:`~relais.watching.politeness.HostGate`);
3. **ask**, conditionally when the source's :class:`Validators` are known (``If-None-Match``,
   ``If-Modified-Since``), with connect and read timeouts, the connection pinned to the checked
   address (:func:`relais.outbound.session`);
4. **follow** a redirect within :attr:`Limits.max_redirects`, refusing loops;
5. **read** the body while streaming: at most :attr:`Limits.max_bytes` from the network and
   :attr:`Limits.max_decoded_bytes` once gzip or deflate is undone (a compression bomb stops at
   the limit, never decompressed whole).

A total deadline (:attr:`Limits.deadline`) covers every hop from the first request (not the
wait for the host's first turn); a server that trickles its answer
is cut off when it passes (:mod:`relais.watching.deadline`). Every refusal is a
:class:`~relais.watching.errors.WatchError` naming what was wrong. What was spent, failed or
not, is added to the caller's :class:`Usage`.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests
import urllib3.exceptions

from relais import outbound
from relais.outbound import BlockedAddress, Policy, Resolver, UnsafeAddress

from .deadline import WATCHED_POOLS, Deadline, deadline
from .errors import WatchError, status_error
from .politeness import HostGate

REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
SUPPORTED_ENCODINGS = ("", "identity", "gzip", "x-gzip", "deflate")
CHUNK = 64 * 1024
USER_AGENT = "Relais-veille/0.1 (lecteur de flux d'une association d'anciens)"


@dataclass(frozen=True)
class Limits:
    """What one fetch may cost. Seconds, and bytes."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_decoded_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    per_host: int = 2
    host_delay: float = 1.0


@dataclass(frozen=True)
class Validators:
    """A source's conditional-GET state: the last answer's ``ETag`` and ``Last-Modified``."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {}
        if self.etag:
            found["If-None-Match"] = self.etag
        if self.last_modified:
            found["If-Modified-Since"] = self.last_modified
        return found


@dataclass
class Usage:
    """Requests made and bytes read from the network (headers and bodies, all hops)."""

    requests: int = 0
    bytes_read: int = 0


@dataclass(frozen=True)
class Fetched:
    """An answer: ``url`` is the address after redirects; ``body`` is decompressed (empty when
    ``not_modified``); ``moved_to`` is the new address when every redirect was permanent."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    charset: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    validators: Validators = field(default_factory=Validators)
    moved_to: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Fetches with one policy, one set of limits and one politeness gate, from any number of
    threads (each thread has its own session). Close it, or use it as a context manager."""

    def __init__(
        self,
        policy: Policy,
        limits: Limits | None = None,
        *,
        gate: HostGate | None = None,
        resolve: Resolver = socket.getaddrinfo,
        user_agent: str = USER_AGENT,
    ):
        self.policy = policy
        self.limits = limits or Limits()
        self.gate = gate or HostGate(self.limits.per_host, self.limits.host_delay)
        self.resolve = resolve
        self.user_agent = user_agent
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = outbound.session(self.policy)
            session.trust_env = False  # no proxy, no .netrc credentials sent to a watched site
            session.headers["User-Agent"] = self.user_agent
            session.headers["Accept-Encoding"] = "gzip, deflate"
            for adapter in session.adapters.values():
                adapter.poolmanager.pool_classes_by_scheme = dict(WATCHED_POOLS)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    # -- one fetch -----------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        usage: Usage | None = None,
        accept: str = "*/*",
    ) -> Fetched:
        """GET ``url`` (see the module's docstring); :class:`WatchError` when refused."""
        usage = usage if usage is not None else Usage()
        validators = validators or Validators()
        with deadline(self.limits.deadline) as armed:
            try:
                fetched = self._follow(url, validators, usage, accept, armed)
            except WatchError:
                raise
            except Exception as exc:
                raise self._explain(exc, armed) from None
            if armed.expired:  # cut off while reading: what came is not the whole answer
                raise WatchError("slow", url, seconds=_seconds(self.limits.deadline))
            return fetched

    def _follow(
        self, url: str, validators: Validators, usage: Usage, accept: str, armed: Deadline
    ) -> Fetched:
        seen = {url}
        permanent = True
        for _hop in range(self.limits.max_redirects + 1):
            self.check(url)
            with self.gate.slot(url):
                armed.start()  # the time spent waiting for the first turn is not the server's
                if armed.expired:
                    raise WatchError("slow", url, seconds=_seconds(self.limits.deadline))
                usage.requests += 1
                response = self.ask(url, validators, accept)
                usage.bytes_read += _header_bytes(response)
                try:
                    target = self.session().get_redirect_target(response)
                    if response.status_code in REDIRECTS and target:
                        permanent = permanent and response.status_code in PERMANENT
                        url = urljoin(url, target)
                        if url in seen:
                            raise WatchError("redirect_loop", url, url=url)
                        seen.add(url)
                        continue
                    if response.status_code == 304:
                        return self._answer(url, response, b"", validators, permanent, seen)
                    if response.status_code >= 400 or response.status_code in REDIRECTS:
                        error = status_error(response.status_code, url)
                        error.retry_after = retry_after(response.headers.get("Retry-After"))
                        raise error
                    body = self.read(response, usage)
                    return self._answer(url, response, body, validators, permanent, seen)
                finally:
                    response.close()
        raise WatchError("redirects", url, limit=self.limits.max_redirects)

    def check(self, url: str) -> None:
        """The policy's verdict on ``url``, as a :class:`WatchError` when refused."""
        try:
            outbound.check_url(url, policy=self.policy, resolve=self.resolve)
        except UnsafeAddress as exc:
            code = {"not_server": "not_address"}.get(exc.code, exc.code)
            params = {k: exc.params[k] for k in ("url", "host", "ip") if k in exc.params}
            raise WatchError(code, url, **params) from None

    def ask(self, url: str, validators: Validators, accept: str) -> requests.Response:
        return self.session().get(
            url,
            headers={"Accept": accept, **validators.headers()},
            stream=True,
            allow_redirects=False,
            timeout=(self.limits.connect_timeout, self.limits.read_timeout),
        )

    def read(self, response: requests.Response, usage: Usage) -> bytes:
        """The body, decompressed, within the limits (see the module's docstring)."""
        limits = self.limits
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in SUPPORTED_ENCODINGS:
            raise WatchError("encoding", encoding, encoding=encoding)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise WatchError("too_large", f"announced {declared}", limit=_size(limits.max_bytes))
        inflate = Inflater(encoding) if encoding not in ("", "identity") else None
        parts: list[bytes] = []
        received = decoded = 0
        # the body as it came (chunked or not): counted, then decompressed here, within limits
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            received += len(chunk)
            usage.bytes_read += len(chunk)
            if received > limits.max_bytes:
                raise WatchError("too_large", response.url, limit=_size(limits.max_bytes))
            room = limits.max_decoded_bytes - decoded
            piece = inflate.feed(chunk, room) if inflate else chunk
            decoded += len(piece)
            if decoded > limits.max_decoded_bytes:
                code = "bomb" if inflate else "too_large"
                raise WatchError(code, response.url, limit=_size(limits.max_decoded_bytes))
            parts.append(piece)
        if inflate:
            inflate.finish()
        return b"".join(parts)

    def _answer(
        self,
        url: str,
        response: requests.Response,
        body: bytes,
        validators: Validators,
        permanent: bool,
        seen: set[str],
    ) -> Fetched:
        headers = response.headers
        new = Validators(
            etag=headers.get("ETag") or None, last_modified=headers.get("Last-Modified") or None
        )
        if response.status_code == 304:
            new = Validators(
                etag=new.etag or validators.etag,
                last_modified=new.last_modified or validators.last_modified,
            )
        mime, _, params = headers.get("Content-Type", "").partition(";")
        charset = None
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip("\"'")
        return Fetched(
            url=url,
            status=response.status_code,
            body=body,
            content_type=mime.strip().lower(),
            charset=charset,
            headers=dict(headers),
            validators=new,
            moved_to=url if permanent and len(seen) > 1 else None,
        )

    def _explain(self, exc: Exception, armed: Deadline) -> WatchError:
        """The :class:`WatchError` of an exception raised while fetching."""
        detail = f"{type(exc).__name__}: {exc}"
        if armed.expired:
            return WatchError("slow", detail, seconds=_seconds(self.limits.deadline))
        if isinstance(exc, BlockedAddress):
            return WatchError("private", detail, host=exc.host, ip=exc.ip)
        if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)):
            return WatchError("timeout", detail)
        if isinstance(exc, requests.exceptions.SSLError):
            return WatchError("tls", detail)
        if isinstance(exc, zlib.error):
            return WatchError("encoding", detail, encoding="gzip/deflate")
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
            return WatchError("not_address", detail, url=str(exc))
        return WatchError("connect", detail)


class Inflater:
    """Undoes gzip or deflate a piece at a time, never producing more than asked: a small
    piece of a compression bomb cannot fill the memory before the limit is seen."""

    def __init__(self, encoding: str):
        self.raw_deflate_tried = encoding != "deflate"
        wbits = zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.wbits = wbits
        self.engine = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """What ``data`` decompresses to, stopping past ``room`` bytes (then the result is
        longer than ``room``: the caller refuses it)."""
        out: list[bytes] = []
        produced = 0
        while data and produced <= room:
            try:
                piece = self.engine.decompress(data, room - produced + 1)
            except zlib.error:
                if self.started or self.raw_deflate_tried:
                    raise
                # "deflate" sent without its zlib header, as some servers do
                self.raw_deflate_tried = True
                self.engine = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self.started = True
            out.append(piece)
            produced += len(piece)
            data = self.engine.unconsumed_tail
            if not data and self.engine.eof and self.engine.unused_data:
                data = self.engine.unused_data  # the next member of a multi-member gzip
                self.engine = zlib.decompressobj(self.wbits)
        return b"".join(out)

    def finish(self) -> None:
        """:class:`zlib.error` when the compressed stream stopped before its end."""
        if not self.engine.eof:
            raise zlib.error("the compressed body ends before its end")


def _header_bytes(response: requests.Response) -> int:
    """The size of the status line and headers, as sent (near enough: ``CRLF`` counted)."""
    return 17 + sum(len(k) + len(v) + 4 for k, v in response.raw.headers.items())


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} Mo" if n >= 1024 * 1024 else f"{max(1, n // 1024)} Ko"


def _seconds(seconds: float) -> str:
    return f"{seconds:g}"
