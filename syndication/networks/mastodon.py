"""Mastodon: a status with the link in the text; the server builds the card from the page.

Limits are per server: 500 characters by default, read from ``GET /api/v2/instance``
(``configuration.statuses.max_characters``), links counting
``configuration.statuses.characters_reserved_per_url`` (23). The same answer gives the server's
``domain``, the account domain of its handles (``@alumni@social.example``), which may differ
from the address its web pages and API are served at; servers without ``/api/v2/instance``
answer ``/api/v1/instance``, whose ``uri`` is that domain. Tokens do not expire: a 401 means
the token was revoked, and the account must be reconnected.

Conversations: replies and mentions come as ``mention`` notifications
(``GET /api/v1/notifications?types[]=mention``, read forward from the cursor with ``min_id``,
which is ``since_id`` paging oldest first); the thread of a reply,
and so the post it is under, comes from ``GET /api/v1/statuses/:id/context``. An answer is a
status with ``in_reply_to_id`` that names the person answered (as Mastodon's own apps do, so
that it reaches them); a like is a favourite. Mastodon's API cannot hide a reply.

Credentials: ``{"access_token": ..., "account_id": optional}``; ``base_url`` is the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from syndication.conversations import (
    ANSWER,
    LIKE,
    MENTION,
    REPLY,
    Conversation,
    Message,
    Reply,
    partial,
    plain_text,
    text_matches,
)
from syndication.errors import PostRejected, TransientError
from syndication.http import Client, parse_time
from syndication.metrics import (
    COMMENTS,
    LIKES,
    REFUSED,
    SHARES,
    PostMetrics,
    Unavailable,
    all_unavailable,
    counts,
    unavailable_from,
)
from syndication.models import AccountInfo, PollResults, Post, RemotePost
from syndication.registry import Network, PollLimits, register
from syndication.text import same_item

_HREF = re.compile(r'href="([^"]+)"')


@register
class Mastodon(Network):
    name = "mastodon"
    label = "Mastodon"
    max_length = 500
    url_length = 23
    max_hashtags = 4
    link_in_text = "full"
    create_endpoint = "POST /api/v1/statuses"
    #: Mastodon's defaults (``configuration.polls`` of ``/api/v2/instance``).
    poll_limits = PollLimits(
        max_options=4, option_length=50, min_seconds=300, max_seconds=2_629_746
    )
    pulls = frozenset({REPLY, MENTION})
    actions = frozenset({ANSWER, LIKE})
    pull_endpoints = (
        "GET /api/v1/notifications?types[]=mention (from the cursor, min_id), "
        "GET /api/v1/statuses/:id/context"
    )
    conversation_gaps = (
        "hiding a reply: Mastodon's API can only mute or block its author",
        "replies the account's server never received (from servers it does not federate with)",
    )

    def reply_text(self, message: Message, text: str) -> str:
        """An answer starts with the handle of the person answered, unless it names them."""
        handle = f"@{message.author_handle}" if message.author_handle else ""
        if handle and handle.lower() not in text.lower():
            return f"{handle} {text}"
        return text

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": post.text,
            "visibility": "public",
            "language": post.lang[:2],
        }
        if post.poll is not None:
            self.check_poll(post.poll)
            body["poll"] = {"options": list(post.poll.options), "expires_in": post.poll.seconds}
        return body


class MastodonClient(Client):
    network_class = Mastodon
    default_base_url = "https://mastodon.social"
    #: ``GET /api/v1/statuses/:id``: favourites, reblogs, replies. Mastodon counts no views
    #: and no clicks.
    metric_fields = {"favourites_count": LIKES, "reblogs_count": SHARES, "replies_count": COMMENTS}
    metric_names = tuple(metric_fields.values())

    def publish(self, post: Post) -> RemotePost:
        # Some servers honour Idempotency-Key, some ignore it: the ledger does not rely on it.
        key = hashlib.sha256(
            f"{post.item_key}|{self.base_url}|{self._cred('account_id')}".encode()
        ).hexdigest()
        response = self.request(
            "POST",
            "/api/v1/statuses",
            creates=True,
            json=self.network.request_body(post),
            headers={"Idempotency-Key": key},
        )
        data = response.json()
        return RemotePost(id=str(data["id"]), url=data.get("url") or data.get("uri") or "")

    def _account_id(self) -> str:
        if not self._cred("account_id"):
            self._set_credentials(account_id=self.verify_credentials().id)
        return str(self._cred("account_id"))

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        account = self._account_id()

        def pages() -> Iterator[list[dict[str, Any]]]:
            params: dict[str, Any] = {
                "limit": 40,
                "exclude_replies": "true",
                "exclude_reblogs": "true",
            }
            while True:
                page = self.request(
                    "GET", f"/api/v1/accounts/{account}/statuses", params=params
                ).json()
                yield page
                if not page:
                    return
                params["max_id"] = page[-1]["id"]

        def match(status: dict[str, Any]) -> RemotePost | None:
            links = [html.unescape(u) for u in _HREF.findall(status.get("content") or "")]
            links.append((status.get("card") or {}).get("url") or "")
            if any(same_item(u, post.item_url) for u in links):
                return RemotePost(
                    id=str(status["id"]), url=status.get("url") or status.get("uri") or ""
                )
            return None

        return self.scan(pages(), match, lambda s: parse_time(s.get("created_at")), since)

    # -- conversations -------------------------------------------------------------------------

    #: Notifications read per call (Mastodon's maximum is 80).
    notifications_page = 40

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """Mentions newer than the cursor (a notification id: ``since_id``), oldest first.
        Pages are read forward from the cursor (``min_id``: the page just after it), so each
        page read is progress kept even when a later one fails (:class:`PartialPull`)."""
        me = self._account_id()
        ours = set(posts)
        cursor = since_cursor or "0"
        messages: list[Message] = []
        read = 0
        while read < self.max_scan:
            params = {"types[]": "mention", "limit": self.notifications_page, "min_id": cursor}
            try:
                page = self.read("/api/v1/notifications", params=params).json()
                found = []
                for notification in sorted(page, key=lambda n: _id_order(str(n["id"]))):
                    status = notification.get("status")
                    author = str(((status or {}).get("account") or {}).get("id"))
                    if notification.get("type") == "mention" and status and author != me:
                        found.append(self._message(status, me, ours))
            except TransientError as exc:
                if cursor == (since_cursor or "0"):
                    raise  # nothing read: the error as it is (a rate limit stays one)
                raise partial(exc, messages, cursor) from None
            if not page:
                break
            messages += found
            cursor = max((str(n["id"]) for n in page), key=_id_order)
            read += len(page)
        return messages, cursor

    def _context(self, status_id: str) -> dict[str, Any]:
        return self.read(f"/api/v1/statuses/{status_id}/context").json()

    def _message(
        self,
        status: dict[str, Any],
        me: str,
        ours: set[str],
        ancestors: list[dict[str, Any]] | None = None,
    ) -> Message:
        parent = str(status.get("in_reply_to_id") or "")
        root, post = "", ""
        if parent:
            if parent in ours:
                root = post = parent
            else:
                if ancestors is None:
                    ancestors = self._context(str(status["id"])).get("ancestors") or []
                first = ancestors[0] if ancestors else {}
                root = str(first.get("id") or parent)
                if str((first.get("account") or {}).get("id")) == me:
                    post = root
        account = status.get("account") or {}
        return Message(
            network=self.network.name,
            id=str(status["id"]),
            kind=REPLY if post or str(status.get("in_reply_to_account_id")) == me else MENTION,
            text=plain_text(status.get("content") or ""),
            author_handle=str(account.get("acct") or ""),
            author_name=str(account.get("display_name") or ""),
            author_id=str(account.get("id") or ""),
            created_at=parse_time(status.get("created_at")),
            post=post,
            parent=parent,
            root=root or str(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            refs={"visibility": str(status.get("visibility") or "public")},
        )

    def fetch_thread(self, message: Message) -> Conversation:
        """The statuses before ``message`` and the answers after it (``context``)."""
        me = self._account_id()
        context = self._context(message.id)
        ancestors = context.get("ancestors") or []
        statuses = [*ancestors, *(context.get("descendants") or [])]
        messages = [self._message(s, me, set(), ancestors=ancestors) for s in statuses]
        messages.insert(len(ancestors), message)
        root = str(ancestors[0]["id"]) if ancestors else message.id
        return Conversation(root=root, messages=tuple(messages))

    def reply(self, reply: Reply) -> RemotePost:
        message = reply.message
        visibility = message.refs.get("visibility", "public")
        key = hashlib.sha256(
            f"{reply.item_key}|{self.base_url}|{self._cred('account_id')}".encode()
        ).hexdigest()
        data = self.request(
            "POST",
            "/api/v1/statuses",
            creates=True,
            json={"status": reply.text, "in_reply_to_id": message.id, "visibility": visibility},
            headers={"Idempotency-Key": key},
        ).json()
        return RemotePost(id=str(data["id"]), url=data.get("url") or data.get("uri") or "")

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The account's answer among the message's descendants (its thread, as the server
        holds it: an answer the server accepted is there at once)."""
        me = self._account_id()
        for status in self._context(reply.message.id).get("descendants") or []:
            if (
                str((status.get("account") or {}).get("id")) == me
                and str(status.get("in_reply_to_id")) == reply.message.id
                and text_matches(reply.text, status.get("content") or "")
            ):
                return RemotePost(
                    id=str(status["id"]), url=status.get("url") or status.get("uri") or ""
                )
        return None

    def like(self, message: Message) -> None:
        """Favourite: ``POST /api/v1/statuses/:id/favourite`` (twice is harmless)."""
        self.request("POST", f"/api/v1/statuses/{message.id}/favourite")

    reads_polls = True

    def poll_results(self, remote_id: str) -> PollResults | None:
        """``GET /api/v1/statuses/:id``: its ``poll`` has ``votes_count`` per option,
        ``voters_count`` (null unless several choices are allowed: then each vote is a voter)
        and ``expired``."""
        poll = self.read(f"/api/v1/statuses/{remote_id}").json().get("poll")
        if not isinstance(poll, dict):
            return None
        options = [o for o in poll.get("options") or [] if isinstance(o, dict)]
        votes = tuple(int(o.get("votes_count") or 0) for o in options)
        voters = poll.get("voters_count")
        return PollResults(
            options=tuple(str(o.get("title") or "") for o in options),
            votes=votes,
            voters=int(voters) if voters is not None else sum(votes),
            closed=bool(poll.get("expired")),
        )

    def verify_credentials(self) -> AccountInfo:
        """The account, with ``extra["domain"]`` (the server's account domain: the handle is
        ``@{handle}@{domain}``) and ``extra["limits"]`` (see :meth:`instance_limits`)."""
        data = self.request("GET", "/api/v1/accounts/verify_credentials").json()
        instance = self.instance()
        return AccountInfo(
            id=str(data["id"]),
            name=data.get("display_name", ""),
            handle=data.get("acct", ""),
            url=data.get("url", ""),
            extra={"limits": self.instance_limits(instance), "domain": instance_domain(instance)},
        )

    def metrics(self, status_ids: list[str]) -> dict[str, PostMetrics]:
        """Favourites, reblogs and replies of each status, one ``GET`` per status (the API has
        no batch read). A status that is gone or refused is unavailable; the others go on."""
        out: dict[str, PostMetrics] = {}
        for status_id in status_ids:
            try:
                data = self.request("GET", f"/api/v1/statuses/{status_id}").json()
            except PostRejected as exc:
                out[status_id] = all_unavailable(self.metric_names, unavailable_from(exc))
                continue
            absent = Unavailable(REFUSED, "the server's answer has no such count")
            out[status_id] = counts(data, self.metric_fields, absent=absent)
        return out

    def instance(self) -> dict[str, Any]:
        """The server's description: ``GET /api/v2/instance`` (Mastodon ≥ 4.0), else
        ``GET /api/v1/instance``."""
        try:
            return self.request("GET", "/api/v2/instance", authenticated=False).json()
        except PostRejected as exc:
            if exc.status not in (404, 410):
                raise
        return self.request("GET", "/api/v1/instance", authenticated=False).json()

    def instance_limits(self, data: Mapping[str, Any] | None = None) -> dict[str, int]:
        """The server's limits, as settings of :class:`Mastodon`: ``Mastodon(**limits)``."""
        data = self.instance() if data is None else data
        statuses = (data.get("configuration") or {}).get("statuses") or {}
        return {
            "max_length": int(statuses.get("max_characters") or Mastodon.max_length),
            "url_length": int(statuses.get("characters_reserved_per_url") or Mastodon.url_length),
        }


def _id_order(value: str) -> tuple[int, str]:
    """Mastodon ids are numbers written as strings: compare them as numbers."""
    return (len(value), value)


def instance_domain(data: Mapping[str, Any]) -> str:
    """The account domain in a server's description: v2's ``domain``, v1's ``uri`` (a bare
    domain, or an address on older servers); ``""`` when there is none."""
    value = str(data.get("domain") or data.get("uri") or "").strip().lower()
    if "://" in value:
        value = urlsplit(value).netloc
    return value.strip("/")


Mastodon.client_class = MastodonClient
