"""The HTTP side shared by every network client: sending, classifying failures, keeping secrets.

A client never lets a token out: credentials live in a private dict, ``repr()`` shows only the
network and the base URL, every message built from an answer is redacted, and errors are raised
``from None`` so that no chained ``requests`` exception (which may quote a URL or a body) is
attached to them.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import requests

from syndication.conversations import Conversation, Message, Reply
from syndication.errors import (
    CapabilityError,
    PermanentError,
    PostRejected,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)
from syndication.models import AccountInfo, ImageRef, PollResults, Post, RemotePost
from syndication.policy import retry_after_from_headers
from syndication.registry import Network

logger = logging.getLogger("syndication.http")
T = TypeVar("T")
_SECRET_KEY = re.compile(r"token|secret|password|jwt|key", re.I)
_NOT_SENT = (
    "NewConnectionError",
    "ConnectTimeoutError",
    "NameResolutionError",
    "LocationParseError",
)


class Client:
    """Talks to one network's API on behalf of one account.

    Subclass it in the network's module and override:

    * ``default_base_url`` (tests and self-hosted servers pass ``base_url=``);
    * :meth:`auth_headers`, and :meth:`refresh` with ``can_refresh`` where tokens can be renewed;
    * :meth:`publish`, :meth:`find_existing` and :meth:`verify_credentials`;
    * for conversations (:mod:`syndication.conversations`), what the network allows of
      :meth:`fetch_conversations`, :meth:`fetch_thread`, :meth:`reply` with
      :meth:`find_reply`, :meth:`like` and :meth:`hide`;
    * :meth:`error_detail` to extract the network's own error message from an answer;
    * :meth:`is_auth_failure` and :meth:`is_rate_limited` when the network does not say so with
      401 and 429 (Meta answers 400 with its own codes).

    ``credentials`` is a plain dict; when tokens are refreshed, the new dict is passed to
    ``on_credentials_changed`` so the caller can store it.
    """

    default_base_url: ClassVar[str] = ""
    network_class: ClassVar[type[Network]] = Network

    def __init__(
        self,
        credentials: Mapping[str, Any],
        *,
        network: Network | None = None,
        base_url: str | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_credentials_changed: Callable[[dict[str, Any]], None] | None = None,
    ):
        self._credentials = dict(credentials)
        self._old_secrets: set[str] = set()
        self.network = network or self.network_class()
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.session = session or requests.Session()
        self.clock = clock
        #: For the few short waits a network asks for within one call (Instagram's processing).
        self.sleep = sleep
        self.on_credentials_changed = on_credentials_changed

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url}>"

    @property
    def label(self) -> str:
        return self.network.label

    @property
    def credentials(self) -> dict[str, Any]:
        """A copy of the current credentials (refreshed tokens included), to store."""
        return dict(self._credentials)

    def _cred(self, key: str, default: Any = "") -> Any:
        return self._credentials.get(key, default)

    def _set_credentials(self, **changes: Any) -> None:
        for key in changes:
            old = self._credentials.get(key)
            if _SECRET_KEY.search(key) and isinstance(old, str) and old:
                self._old_secrets.add(old)
        self._credentials.update(changes)
        if self.on_credentials_changed is not None:
            self.on_credentials_changed(dict(self._credentials))

    def redact(self, text: str) -> str:
        """``text`` with every secret of the credentials replaced by ``[redacted]``."""
        secrets = {
            str(v) for k, v in self._credentials.items() if _SECRET_KEY.search(k) and v
        } | self._old_secrets
        for secret in sorted(secrets, key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, "[redacted]")
        return text

    def image_bytes(self, image: ImageRef) -> tuple[bytes, str] | None:
        """The bytes and MIME type of a card image (from ``path``, else downloaded from
        ``url``) to upload; None, with a log line, when it cannot be had: the post goes out
        without its picture rather than not at all."""
        try:
            if image.path:
                return (
                    Path(image.path).read_bytes(),
                    mimetypes.guess_type(image.path)[0] or "image/jpeg",
                )
            got = self.session.get(image.url, timeout=(self.connect_timeout, self.timeout))
            got.raise_for_status()
            return got.content, got.headers.get("Content-Type", "image/jpeg").split(";")[0]
        except (OSError, requests.RequestException) as exc:
            logger.warning(
                "%s: card image %s not available (%s); posting without it",
                self.label,
                image.path or image.url,
                type(exc).__name__,
            )
            return None

    # -- what subclasses provide ---------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        token = self._cred("access_token")
        return {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def can_refresh(self) -> bool:
        return False

    def refresh(self) -> None:
        """Renew the access token; raise :class:`ReconnectNeeded` when that is impossible."""
        raise self.reconnect_needed("the token has expired")

    def publish(self, post: Post) -> RemotePost:
        raise NotImplementedError

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        """The post already published for this item on this account, if any (matched by link).

        Reads the account's posts newest first, back to ``since`` (the engine passes the time of
        the uncertain attempt, minus a margin) or ``default_scan`` posts when ``since`` is None,
        never more than ``max_scan``."""
        raise NotImplementedError

    #: Posts read back by ``find_existing`` without ``since``, and at most with it.
    default_scan: ClassVar[int] = 100
    max_scan: ClassVar[int] = 2000

    def scan(
        self,
        pages: Iterable[list[T]],
        match: Callable[[T], RemotePost | None],
        created: Callable[[T], dt.datetime | None],
        since: dt.datetime | None,
    ) -> RemotePost | None:
        """Look through ``pages`` of posts (newest first) for one that ``match`` accepts, until
        the posts are older than ``since`` or enough were read."""
        limit = self.max_scan if since is not None else self.default_scan
        seen = 0
        for page in pages:
            for entry in page:
                found = match(entry)
                if found is not None:
                    return found
            seen += len(page)
            if not page or seen >= limit:
                return None
            if since is not None:
                oldest = created(page[-1])
                if oldest is not None and oldest < since:
                    return None
        return None

    def verify_credentials(self) -> AccountInfo:
        raise NotImplementedError

    #: Whether :meth:`poll_results` reads a poll's votes back from the network.
    reads_polls: ClassVar[bool] = False

    def poll_results(self, remote_id: str) -> PollResults | None:
        """The votes of the poll under post ``remote_id`` (None: the post has no poll).
        Override it, and set ``reads_polls``, where the network gives them back."""
        raise NotImplementedError(f"{type(self).__name__} does not read polls back.")

    # -- conversations -------------------------------------------------------------------------

    #: Times a read of conversations is tried again at once after a transient failure (a rate
    #: limit is never tried again at once), waiting ``read_retry_wait`` × the attempt number.
    read_retries: ClassVar[int] = 2
    read_retry_wait: ClassVar[float] = 0.5

    def read(self, path: str, **kwargs: Any) -> requests.Response:
        """``GET path``, tried again at once after a transient failure (reads change nothing):
        a network that fails now and then does not stop a pull of many calls."""
        for attempt in range(self.read_retries + 1):
            try:
                return self.request("GET", path, **kwargs)
            except RateLimited:
                raise
            except TransientError:
                if attempt >= self.read_retries:
                    raise
                self.sleep(self.read_retry_wait * (attempt + 1))
        raise AssertionError("unreachable")

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """The messages newer than ``since_cursor`` (oldest first) and the new cursor.
        ``posts``: the remote ids of the account's posts whose comments are read, where the
        network has no notifications."""
        raise self.incapable("pull", "reading replies, comments or mentions")

    def fetch_thread(self, message: Message) -> Conversation:
        """The thread ``message`` is part of, oldest first."""
        raise self.incapable("thread", "reading a whole thread")

    def reply(self, reply: Reply) -> RemotePost:
        """Post ``reply`` in the thread of its message. Called by the delivery engine."""
        raise self.incapable("reply", "answering a message")

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The answer already posted for ``reply`` (the account's, under its message, with its
        text), if any: what the engine asks before sending again after an uncertain attempt."""
        raise self.incapable("reply", "answering a message")

    def like(self, message: Message) -> None:
        """Like (favourite, react to) ``message``; liking twice is harmless."""
        raise self.incapable("like", "liking a message")

    def hide(self, message: Message, hidden: bool = True) -> None:
        """Hide ``message`` from the public (or show it again)."""
        raise self.incapable("hide", "hiding a message")

    def incapable(self, capability: str, what: str, detail: str = "") -> CapabilityError:
        """The error for something the network (or this app's access) does not allow."""
        because = f" ({self.redact(detail)})" if detail else ""
        return CapabilityError(
            f"{self.label} does not let Relais do this: {what}{because}. Nothing was changed; "
            f"do it on {self.label} itself. The other networks are not affected.",
            network=self.network.name,
            capability=capability,
        )

    def refused_access(self, capability: str, what: str, exc: PostRejected) -> CapabilityError:
        """A 403 on a reading or an action: the app's access level (tier) or the token's scopes
        do not include it. Says what to change, and that the other networks go on."""
        return CapabilityError(
            f"{self.label} refuses {what} to this app ({exc.status}: "
            f"{self.redact(exc.detail or exc.message)}). "
            f"Its access level or the permissions granted when the account was connected do not "
            f"include it: raise the app's access level or reconnect the account with that "
            f"permission in Settings → Networks. The other networks are not affected.",
            network=self.network.name,
            capability=capability,
            status=exc.status,
        )

    def error_detail(self, response: requests.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:300]
        if isinstance(data, dict):
            for key in ("error_description", "message", "detail", "error", "title"):
                value = data.get(key)
                if isinstance(value, str) and value:
                    return value
        return str(data)[:300]

    def is_auth_failure(self, response: requests.Response) -> bool:
        return response.status_code == 401

    def is_rate_limited(self, response: requests.Response) -> bool:
        return response.status_code == 429

    def retry_after(self, response: requests.Response) -> float | None:
        """The delay the answer asks for (``Retry-After``, rate-limit reset headers)."""
        return retry_after_from_headers(response.headers, self.clock)

    # -- errors --------------------------------------------------------------------------------

    def reconnect_needed(self, why: str) -> ReconnectNeeded:
        return ReconnectNeeded(
            f"The {self.label} account cannot post: {self.redact(why)}. "
            "Reconnect the account in Settings → Networks.",
            network=self.network.name,
        )

    # -- sending -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        creates: bool = False,
        authenticated: bool = True,
        url: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request and return the answer if it is a success; raise the right error
        otherwise. ``creates=True`` marks a call that creates something: when it is sent and
        no clear answer comes back, the error is ``uncertain``. An expired token is refreshed
        once when the network allows it."""
        for attempt in (1, 2):
            headers = dict(kwargs.pop("headers", None) or {})
            if authenticated:
                headers.update(self.auth_headers())
            response = self._send(
                method, url or f"{self.base_url}{path}", path, creates, headers, kwargs
            )
            if authenticated and self.is_auth_failure(response):
                if attempt == 1 and self.can_refresh:
                    logger.info("%s: access token refused, refreshing it", self.label)
                    self.refresh()
                    kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                    continue
                raise self.reconnect_needed(
                    f"{self.label} refused the token ({self.error_detail(response)})"
                )
            return self._check(method, path, response, creates)
        raise AssertionError("unreachable")

    def _send(
        self, method: str, url: str, path: str, creates: bool, headers: dict[str, str], kwargs: dict
    ) -> requests.Response:
        where = f"{self.label}: {method} {path}"
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=(self.connect_timeout, self.timeout), **kwargs
            )
        except requests.exceptions.InvalidURL as exc:
            # Refused before anything was sent (a malformed address, or one the session's
            # guard does not allow): a person has to give the account another address.
            raise PermanentError(
                f"{where}: the address was refused before anything was sent "
                f"({self.redact(str(exc))}); check the account's server address and reconnect "
                "it in Settings → Networks.",
                network=self.network.name,
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise TransientError(
                f"{where}: could not connect within {self.connect_timeout:g} s; will retry.",
                network=self.network.name,
            ) from None
        except requests.exceptions.Timeout:
            raise TransientError(
                f"{where}: no answer within {self.timeout:g} s"
                + (
                    "; the post may exist, it will be looked for before any new attempt."
                    if creates
                    else "."
                ),
                network=self.network.name,
                uncertain=creates,
            ) from None
        except requests.exceptions.ConnectionError as exc:
            sent = _was_sent(exc)
            raise TransientError(
                f"{where}: connection {'lost after the request was sent' if sent else 'failed'}"
                + (
                    "; the post may exist, it will be looked for before any new attempt."
                    if creates and sent
                    else "."
                ),
                network=self.network.name,
                uncertain=creates and sent,
            ) from None
        except requests.exceptions.RequestException as exc:
            raise TransientError(
                f"{where}: {self.redact(type(exc).__name__)}",
                network=self.network.name,
                uncertain=creates,
            ) from None
        logger.debug("%s -> %s", where, response.status_code)
        return response

    def _check(
        self, method: str, path: str, response: requests.Response, creates: bool
    ) -> requests.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        where = f"{self.label}: {method} {path}"
        detail = self.redact(self.error_detail(response))
        name = self.network.name
        if self.is_rate_limited(response):
            retry_after = self.retry_after(response)
            wait = f" for {retry_after:.0f} s" if retry_after is not None else ""
            raise RateLimited(
                f"{where}: rate limited{wait} ({detail}); will retry later.",
                network=name,
                status=status,
                retry_after=retry_after,
            )
        if status >= 500 or status == 408:
            raise TransientError(
                f"{where}: server error {status} ({detail})"
                + (
                    "; the post may exist, it will be looked for before any new attempt."
                    if creates and status != 408
                    else "."
                ),
                network=name,
                status=status,
                uncertain=creates and status != 408,
                retry_after=self.retry_after(response),
            )
        raise PostRejected(
            f"{where}: refused with {status}: {detail}. Retrying will not help: check the text "
            f"and the account's permissions on {self.label}.",
            network=name,
            status=status,
            detail=detail,
        )


def parse_time(value: Any) -> dt.datetime | None:
    """A network's timestamp (ISO 8601, Meta's ``+0000``, or Unix milliseconds) as UTC."""
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _was_sent(exc: BaseException) -> bool:
    """Whether a connection error happened after the request left (a reset, a closed
    connection) rather than while connecting (refused, unknown host)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if type(e).__name__ in _NOT_SENT:
            return False
        if isinstance(e, BaseException):
            stack.extend([*e.args, getattr(e, "reason", None), e.__cause__, e.__context__])
    return True
