"""Mastodon: a status with the link in the text; the server builds the card from the page.

Limits are per server: 500 characters by default, read from ``GET /api/v2/instance``
(``configuration.statuses.max_characters``), links counting
``configuration.statuses.characters_reserved_per_url`` (23). The same answer gives the server's
``domain``, the account domain of its handles (``@alumni@social.example``), which may differ
from the address its web pages and API are served at; servers without ``/api/v2/instance``
answer ``/api/v1/instance``, whose ``uri`` is that domain. Tokens do not expire: a 401 means
the token was revoked, and the account must be reconnected.

Credentials: ``{"access_token": ..., "account_id": optional}``; ``base_url`` is the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from syndication.errors import PostRejected
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
from syndication.models import AccountInfo, Post, RemotePost
from syndication.registry import Network, register
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

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"status": post.text, "visibility": "public", "language": post.lang[:2]}


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


def instance_domain(data: Mapping[str, Any]) -> str:
    """The account domain in a server's description: v2's ``domain``, v1's ``uri`` (a bare
    domain, or an address on older servers); ``""`` when there is none."""
    value = str(data.get("domain") or data.get("uri") or "").strip().lower()
    if "://" in value:
        value = urlsplit(value).netloc
    return value.strip("/")


Mastodon.client_class = MastodonClient
