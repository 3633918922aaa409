"""A fake Mastodon server: statuses, account statuses, verify_credentials, instance limits.

Shaped after Mastodon's API documentation (``POST /api/v1/statuses``,
``GET /api/v1/accounts/:id/statuses``, ``GET /api/v2/instance``). Counts text like Mastodon
(graphemes, every URL weighing ``characters_reserved_per_url``) and answers 422 over the limit.
``Idempotency-Key`` is ignored unless ``honour_idempotency`` is set, as on some servers.
Statuses carry ``favourites_count``, ``reblogs_count`` and ``replies_count`` (raised with
``engage``), also read one by one with ``GET /api/v1/statuses/:id``; a deleted status is 404.

Like many real servers, its account domain (``domain``, default ``social.example``: handles are
``@alumni@social.example``, profiles and statuses live under ``https://social.example/``) is not
the address it is served at (``url``, on 127.0.0.1). ``instance_v2=False`` serves only
``GET /api/v1/instance`` (``uri``), as servers older than Mastodon 4.0 do.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import regex

from syndication.testing.fakes.base import FakeServer, Request, Response

_URL = regex.compile(r"https?://[^\s<>\"]+")


def _html(text: str) -> str:
    """A status's ``content`` as Mastodon renders it: paragraphs, links as ``<a href>``."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = html.escape(m.group(0))
        out += [
            html.escape(text[pos : m.start()], quote=False),
            f'<a href="{url}" rel="nofollow noopener" target="_blank">{url}</a>',
        ]
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "<p>" + "".join(out).replace("\n", "<br />") + "</p>"


def mastodon_length(text: str, per_url: int = 23) -> int:
    return len(regex.findall(r"\X", _URL.sub("x" * per_url, text)))


class FakeMastodon(FakeServer):
    network = "mastodon"
    rate_limit_wait = 3
    counter_names = {
        "likes": "favourites_count",
        "shares": "reblogs_count",
        "comments": "replies_count",
    }

    def __init__(
        self,
        *,
        max_characters: int = 500,
        honour_idempotency: bool = False,
        domain: str = "social.example",
        instance_v2: bool = True,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.max_characters = max_characters
        self.honour_idempotency = honour_idempotency
        self.domain = domain
        self.account_id = "109"
        self._idempotency: dict[str, dict[str, Any]] = {}
        if instance_v2:
            self.route("GET", r"/api/v2/instance", self.instance, auth=False)
        self.route("GET", r"/api/v1/instance", self.instance_v1, auth=False)
        self.route("GET", r"/api/v1/accounts/verify_credentials", self.verify)
        self.route("POST", r"/api/v1/statuses", self.create)
        self.route("GET", r"/api/v1/accounts/([^/]+)/statuses", self.statuses)
        self.route("GET", r"/api/v1/statuses/([^/]+)", self.status)

    def unauthorized(self, request: Request) -> Response:
        return Response(
            401,
            {"error": "The access token is invalid"},
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    def rate_limited(self, request: Request) -> Response:
        reset = dt.datetime.fromtimestamp(self.clock(), dt.UTC) + dt.timedelta(
            seconds=self.rate_limit_wait
        )
        return Response(
            429,
            {"error": "Too many requests"},
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace(
                    "+00:00", "Z"
                ),
            },
        )

    def _configuration(self) -> dict[str, Any]:
        return {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            }
        }

    def instance(self, request: Request) -> Response:
        return Response(
            200,
            {
                "domain": self.domain,
                "title": "Fake Mastodon",
                "version": "4.3.0",
                "configuration": self._configuration(),
            },
        )

    def instance_v1(self, request: Request) -> Response:
        return Response(
            200,
            {
                "uri": self.domain,
                "title": "Fake Mastodon",
                "version": "3.5.3",
                "configuration": self._configuration(),
            },
        )

    def verify(self, request: Request) -> Response:
        return Response(
            200,
            {
                "id": self.account_id,
                "username": "alumni",
                "acct": "alumni",
                "display_name": "Alumni",
                "url": f"https://{self.domain}/@alumni",
            },
        )

    def create(self, request: Request) -> Response:
        data = request.json if request.content_type == "application/json" else request.form
        text = data.get("status") or ""
        if not text.strip():
            return Response(422, {"error": "Validation failed: Text can't be blank"})
        limit = self.max_characters
        if mastodon_length(text) > limit:
            return Response(
                422,
                {"error": f"Validation failed: Text character limit of {limit} exceeded"},
            )
        key = request.headers.get("idempotency-key")
        with self.lock:
            if self.honour_idempotency and key in self._idempotency:
                return Response(200, self._idempotency[key])
            status_id = self.new_id()
            links = _URL.findall(text)
            status = {
                "id": status_id,
                "created_at": self.timestamp(),
                "uri": f"https://{self.domain}/users/alumni/statuses/{status_id}",
                "url": f"https://{self.domain}/@alumni/{status_id}",
                "visibility": data.get("visibility", "public"),
                "language": data.get("language"),
                "content": _html(text),
                "card": None,
                **dict.fromkeys(self.counter_names.values(), 0),
            }
            self.posts.append(
                {"id": status_id, "text": text, "link": links[0] if links else "", "status": status}
            )
            if key:
                self._idempotency[key] = status
        return Response(200, status)

    def _status(self, post: dict[str, Any]) -> dict[str, Any]:
        """A status as served now, with its current counts."""
        return {**post["status"], **self.counters.get(post["id"], {})}

    def statuses(self, request: Request, account: str) -> Response:
        limit = min(int(request.arg("limit", "20")), 40)
        max_id = request.arg("max_id")
        with self.lock:
            found = [
                self._status(p)
                for p in reversed(self.posts)
                if not max_id or int(p["id"]) < int(max_id)
            ]
        return Response(200, found[:limit])

    def status(self, request: Request, status_id: str) -> Response:
        with self.lock:
            for post in self.posts:
                if post["id"] == status_id:
                    return Response(200, self._status(post))
        return Response(404, {"error": "Record not found"})
