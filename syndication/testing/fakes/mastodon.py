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

Conversations: ``add_reply(parent_id, text)`` and ``add_mention(text)`` make the second account
(``other``, ``@lea@autre.example``) write a status and notify the account with a ``mention``
notification; ``GET /api/v1/notifications`` (``types[]``, ``since_id``, ``max_id``,
``min_id``, ``limit`` up to 80, newest first, with a ``Link`` header),
``GET /api/v1/statuses/:id/context`` (ancestors, descendants), ``POST /api/v1/statuses`` with
``in_reply_to_id`` (kept in ``answers``, not in ``posts``) and
``POST /api/v1/statuses/:id/favourite`` (kept in ``liked``) follow Mastodon's documentation.
Successful answers carry ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset``.
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
        self.other = {"id": "2002", "handle": "lea@autre.example", "name": "Léa Martin"}
        #: Every status by id: the account's posts and answers, and the other account's.
        self.all_statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        if instance_v2:
            self.route("GET", r"/api/v2/instance", self.instance, auth=False)
        self.route("GET", r"/api/v1/instance", self.instance_v1, auth=False)
        self.route("GET", r"/api/v1/accounts/verify_credentials", self.verify)
        self.route("POST", r"/api/v1/statuses", self.create)
        self.route("GET", r"/api/v1/accounts/([^/]+)/statuses", self.statuses)
        self.route("GET", r"/api/v1/statuses/([^/]+)", self.status)
        self.route("GET", r"/api/v1/notifications", self.list_notifications)
        self.route("GET", r"/api/v1/statuses/([^/]+)/context", self.context)
        self.route("POST", r"/api/v1/statuses/([^/]+)/favourite", self.favourite)

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

    def rate_headers(self) -> dict[str, str]:
        reset = dt.datetime.fromtimestamp(self.clock(), dt.UTC) + dt.timedelta(minutes=5)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.rate_remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }

    def _account(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "username": "alumni",
            "acct": "alumni",
            "display_name": "Alumni",
            "url": f"https://{self.domain}/@alumni",
        }

    def _other_account(self, author: dict[str, str] | None = None) -> dict[str, Any]:
        who = author or self.other
        user, _, host = who["handle"].partition("@")
        return {
            "id": who["id"],
            "username": user,
            "acct": who["handle"],
            "display_name": who["name"],
            "url": f"https://{host or self.domain}/@{user}",
        }

    def _new_status(
        self, account: dict[str, Any], text: str, parent: str = "", visibility: str = "public"
    ) -> dict[str, Any]:
        status_id = self.new_id()
        parent_status = self.all_statuses.get(parent) if parent else None
        return {
            "id": status_id,
            "created_at": self.timestamp(),
            "in_reply_to_id": parent or None,
            "in_reply_to_account_id": parent_status["account"]["id"] if parent_status else None,
            "uri": f"https://{self.domain}/users/{account['username']}/statuses/{status_id}",
            "url": f"https://{self.domain}/@{account['username']}/{status_id}",
            "visibility": visibility,
            "language": "fr",
            "content": _html(text),
            "card": None,
            "account": account,
            "mentions": [],
            **dict.fromkeys(self.counter_names.values(), 0),
        }

    def add_reply(self, parent: str, text: str, author: dict[str, str] | None = None) -> str:
        """The other account answers status ``parent`` (ours, or anyone's in the thread); the
        account gets a ``mention`` notification. Returns the new status id."""
        with self.lock:
            if str(parent) not in self.all_statuses:
                raise KeyError(f"no status {parent} on the fake Mastodon")
            status = self._new_status(self._other_account(author), f"@alumni {text}", str(parent))
            self.all_statuses[status["id"]] = status
            self._notify(status)
            return status["id"]

    def add_mention(self, text: str, author: dict[str, str] | None = None) -> str:
        """The other account mentions the account in a new status of its own."""
        with self.lock:
            status = self._new_status(self._other_account(author), f"@alumni {text}")
            self.all_statuses[status["id"]] = status
            self._notify(status)
            return status["id"]

    def _notify(self, status: dict[str, Any]) -> None:
        self.notifications.append(
            {
                "id": self.new_id(),
                "type": "mention",
                "group_key": f"ungrouped-{status['id']}",
                "created_at": status["created_at"],
                "account": status["account"],
                "status": status,
            }
        )

    def list_notifications(self, request: Request) -> Response:
        types = request.query.get("types[]") or []
        limit = min(int(request.arg("limit", "40")), 80)
        since_id, max_id, min_id = (request.arg(k) for k in ("since_id", "max_id", "min_id"))

        def after(value: str, bound: str) -> bool:
            return int(value) > int(bound)

        with self.lock:
            found = [
                {**n, "status": self._status_now(n["status"]["id"])}
                for n in self.notifications
                if (not types or n["type"] in types)
                and (not since_id or after(n["id"], since_id))
                and (not min_id or after(n["id"], min_id))
                and (not max_id or after(max_id, n["id"]))
            ]
        found.sort(key=lambda n: int(n["id"]), reverse=not min_id)
        page = found[:limit]
        if min_id:
            page.reverse()
        headers = {}
        if page:
            base = f"{self.url}{request.path}"
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return Response(200, page, headers)

    def _status_now(self, status_id: str) -> dict[str, Any]:
        status = self.all_statuses[status_id]
        return {
            **status,
            **self.counters.get(status_id, {}),
            "favourited": status_id in self.liked,
        }

    def context(self, request: Request, status_id: str) -> Response:
        with self.lock:
            if status_id not in self.all_statuses:
                return Response(404, {"error": "Record not found"})
            ancestors = []
            parent = self.all_statuses[status_id]["in_reply_to_id"]
            while parent and parent in self.all_statuses:
                ancestors.insert(0, self._status_now(parent))
                parent = self.all_statuses[parent]["in_reply_to_id"]
            below, frontier = [], {status_id}
            for sid in sorted(self.all_statuses, key=int):
                if self.all_statuses[sid]["in_reply_to_id"] in frontier:
                    frontier.add(sid)
                    below.append(self._status_now(sid))
        return Response(200, {"ancestors": ancestors, "descendants": below})

    def favourite(self, request: Request, status_id: str) -> Response:
        with self.lock:
            if status_id not in self.all_statuses:
                return Response(404, {"error": "Record not found"})
            if status_id not in self.liked:
                self.liked.add(status_id)
                counters = self.counters.setdefault(status_id, {})
                counters["favourites_count"] = counters.get("favourites_count", 0) + 1
            return Response(200, self._status_now(status_id))

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
        return Response(200, self._account())

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
        parent = str(data.get("in_reply_to_id") or "")
        with self.lock:
            if self.honour_idempotency and key in self._idempotency:
                return Response(200, self._idempotency[key])
            if parent:
                if parent not in self.all_statuses:
                    return Response(404, {"error": "Record not found"})
                answer = self._new_status(
                    self._account(), text, parent, data.get("visibility", "public")
                )
                self.all_statuses[answer["id"]] = answer
                self.answers.append({"id": answer["id"], "parent": parent, "text": text})
                if key:
                    self._idempotency[key] = answer
                return Response(200, answer)
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
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "account": self._account(),
                **dict.fromkeys(self.counter_names.values(), 0),
            }
            self.all_statuses[status_id] = status
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
            if status_id in self.all_statuses:
                return Response(200, self._status_now(status_id))
        return Response(404, {"error": "Record not found"})
