# ruff: noqa: S105  (test fakes: no cryptography, no real secrets)
"""A fake X API v2: create posts, a user's posts, ``users/me`` and OAuth 2.0 token refresh.

Shaped after X's OpenAPI description of API v2, version 2.167 (the contract tests check the fake
against an excerpt of it, ``tests/fixtures/contracts/x-api-v2-openapi.yaml``): ``POST /2/tweets``
answers ``201 {"data": {"id", "text", "edit_history_tweet_ids"}}``; text over 280 weighted
characters is refused (400, problem+json), the same text twice too (403 duplicate), as X does.
Links are wrapped in t.co; ``entities.urls[].expanded_url`` keeps the original.

``GET /2/tweets?ids=…`` returns ``public_metrics`` (raised with ``engage``) when asked in
``tweet.fields`` (the description 2.167 names the parameter ``post.fields``: both are read),
unknown ids in ``errors``; with ``reads_allowed = False`` it answers 403 "client-not-enrolled",
as X does when the app's access level does not include reading posts.

Conversations: ``add_reply(parent_id, text)`` and ``add_mention(text)`` make the second account
(``other``) post; ``GET /2/users/:id/mentions`` (``since_id``, ``max_results``,
``pagination_token``, ``expansions=author_id``), ``GET /2/tweets/search/recent`` with
``query=conversation_id:…``, ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id`` (kept in
``answers``) and ``POST /2/users/:id/likes`` (kept in ``liked``) follow the description.
``mentions_allowed``, ``search_allowed`` and ``likes_allowed`` set to False answer X's 403 for an
access level without them. Successful answers carry the ``x-rate-limit-*`` headers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import regex
from twitter_text import parse_tweet

from syndication.testing.fakes.base import FakeServer, Request, Response

_URL = regex.compile(r"https?://[^\s]+")


class FakeX(FakeServer):
    network = "x"
    rate_limit_wait = 5
    counter_names = {
        "impressions": "impression_count",
        "likes": "like_count",
        "shares": "repost_count",
        "comments": "reply_count",
        "quotes": "quote_count",
        "saves": "bookmark_count",
    }

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        #: False: the app's access level does not include reading posts (403).
        self.reads_allowed = True
        self.user_id = "1460000000000000001"
        self.refresh_token = "x-refresh-0"
        self.client_id = "relais-client"
        self.refreshes = 0
        self.other = {"id": "1460000000000000002", "handle": "lea_martin", "name": "Léa Martin"}
        #: Every post by id, the account's and the other account's, in X's shape.
        self.tweets: dict[str, dict[str, Any]] = {}
        self.mentions_allowed = self.search_allowed = self.likes_allowed = True
        self.route("GET", r"/2/users/(\d+)/mentions", self.mentions)
        self.route("GET", r"/2/tweets/search/recent", self.search_recent)
        self.route("POST", r"/2/users/(\d+)/likes", self.like)
        self.route("POST", r"/2/tweets", self.create)
        self.route("GET", r"/2/tweets", self.lookup)
        self.route("GET", r"/2/users/me", self.me)
        self.route("GET", r"/2/users/(\d+)/tweets", self.timeline)
        self.route("POST", r"/2/oauth2/token", self.token_endpoint, auth=False)

    def unauthorized(self, request: Request) -> Response:
        return Response(
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
            {"Content-Type": "application/problem+json"},
        )

    def rate_limited(self, request: Request) -> Response:
        return Response(
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(self.clock()) + self.rate_limit_wait),
                "Content-Type": "application/problem+json",
            },
        )

    def server_error(self, request: Request) -> Response:
        return Response(
            503,
            {
                "title": "Service Unavailable",
                "detail": "Service Unavailable",
                "type": "about:blank",
                "status": 503,
            },
        )

    def rate_headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": str(self.rate_remaining),
            "x-rate-limit-reset": str(int(self.clock()) + 900),
        }

    def forbidden(self, what: str) -> Response:
        """X's answer when the app's access level does not include an endpoint."""
        return Response(
            403,
            {
                "client_id": self.client_id,
                "detail": f"When authenticating requests to the Twitter API v2 endpoints, you "
                f"must use keys and tokens from a Twitter developer App that is attached to a "
                f"Project with the appropriate level of access ({what}).",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden",
                "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
            },
            {"Content-Type": "application/problem+json"},
        )

    def _tweet(
        self, author: str, text: str, parent: str = "", created_at: str | None = None
    ) -> dict[str, Any]:
        tweet_id = str(1_800_000_000_000_000_000 + int(self.new_id()))
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author,
            "created_at": created_at or self.timestamp(),
            "conversation_id": tweet_id,
            "edit_history_tweet_ids": [tweet_id],
        }
        if parent:
            above = self.tweets[parent]
            tweet.update(
                conversation_id=above["conversation_id"],
                in_reply_to_user_id=above["author_id"],
                referenced_tweets=[{"type": "replied_to", "id": parent}],
            )
        self.tweets[tweet_id] = tweet
        return tweet

    def add_reply(self, parent: str, text: str, author: dict[str, str] | None = None) -> str:
        """The other account answers post ``parent`` (X puts the handles answered first)."""
        who = author or self.other
        with self.lock:
            if str(parent) not in self.tweets:
                raise KeyError(f"no post {parent} on the fake X")
            return self._tweet(who["id"], f"@alumni {text}", str(parent))["id"]

    def add_mention(self, text: str, author: dict[str, str] | None = None) -> str:
        who = author or self.other
        with self.lock:
            return self._tweet(who["id"], f"{text} @alumni")["id"]

    def _users(self, tweets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        known = {self.user_id: {"id": self.user_id, "name": "Alumni", "username": "alumni"}}
        known[self.other["id"]] = {
            "id": self.other["id"],
            "name": self.other["name"],
            "username": self.other["handle"],
        }
        return [
            known.get(a, {"id": a, "name": a, "username": f"user{a[-4:]}"})
            for a in sorted({t["author_id"] for t in tweets})
        ]

    @staticmethod
    def _shape(tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        """A post with its default fields and those asked in ``tweet.fields``."""
        shown = {k: tweet[k] for k in ("id", "text", "edit_history_tweet_ids")}
        shown.update({k: v for k, v in tweet.items() if k in fields})
        return shown

    def _listing(self, request: Request, tweets: list[dict[str, Any]]) -> Response:
        """A page of posts, newest first, with ``includes.users`` and ``meta``."""
        size = int(request.arg("max_results", "10"))
        if not 5 <= size <= 100:
            return Response(
                400,
                {
                    "errors": [{"parameters": {"max_results": [str(size)]}, "message": "5-100"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        since_id = request.arg("since_id")
        if since_id:
            tweets = [t for t in tweets if int(t["id"]) > int(since_id)]
        tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        chunk, next_token = self.page(tweets, request.arg("pagination_token"), size)
        fields = set((request.arg("tweet.fields") or request.arg("post.fields")).split(","))
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if chunk:
            meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
        if next_token:
            meta["next_token"] = next_token
        body: dict[str, Any] = {"meta": meta}
        if chunk:
            body["data"] = [self._shape(t, fields) for t in chunk]
            if "author_id" in request.arg("expansions"):
                body["includes"] = {"users": self._users(chunk)}
        return Response(200, body)

    def mentions(self, request: Request, user_id: str) -> Response:
        if not self.mentions_allowed:
            return self.forbidden("mentions")
        with self.lock:
            found = [
                t
                for t in self.tweets.values()
                if t["author_id"] != user_id and "@alumni" in t["text"]
            ]
        return self._listing(request, found)

    def search_recent(self, request: Request) -> Response:
        if not self.search_allowed:
            return self.forbidden("search")
        query = request.arg("query")
        if not query.startswith("conversation_id:"):
            return Response(
                400,
                {
                    "errors": [{"parameters": {"query": [query]}, "message": "bad query"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        conversation = query.split(":", 1)[1]
        with self.lock:
            found = [t for t in self.tweets.values() if t["conversation_id"] == conversation]
        return self._listing(request, found)

    def like(self, request: Request, user_id: str) -> Response:
        if not self.likes_allowed:
            return self.forbidden("likes")
        tweet_id = str((request.json or {}).get("tweet_id") or "")
        with self.lock:
            if tweet_id not in self.tweets:
                return Response(
                    400,
                    {
                        "errors": [{"parameters": {"tweet_id": [tweet_id]}, "message": "unknown"}],
                        "title": "Invalid Request",
                        "detail": "One or more parameters to your request was invalid.",
                        "type": "https://api.twitter.com/2/problems/invalid-request",
                    },
                )
            self.liked.add(tweet_id)
        return Response(200, {"data": {"liked": True}})

    def create(self, request: Request) -> Response:
        body = request.json or {}
        text = body.get("text") or ""
        parsed = parse_tweet(text)
        if not parsed.valid:
            return Response(
                400,
                {
                    "errors": [
                        {"parameters": {"text": [text]}, "message": "Text is too long or invalid."}
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        parent = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        with self.lock:
            if any(p["text"] == text for p in self.posts) or any(
                a["text"] == text for a in self.answers
            ):
                return Response(
                    403,
                    {
                        "detail": "You are not allowed to create a Tweet with duplicate content.",
                        "type": "about:blank",
                        "title": "Forbidden",
                        "status": 403,
                    },
                )
            if parent:
                if parent not in self.tweets:
                    return Response(
                        400,
                        {
                            "errors": [{"message": "The post you are replying to is gone."}],
                            "title": "Invalid Request",
                            "detail": "One or more parameters to your request was invalid.",
                            "type": "https://api.twitter.com/2/problems/invalid-request",
                        },
                    )
                answer = self._tweet(self.user_id, text, parent)
                self.answers.append({"id": answer["id"], "parent": parent, "text": text})
                return Response(
                    201,
                    {
                        "data": {
                            "id": answer["id"],
                            "text": text,
                            "edit_history_tweet_ids": [answer["id"]],
                        }
                    },
                )
            tweet_id = str(1_800_000_000_000_000_000 + int(self.new_id()))
            urls = []
            shown = text
            for i, m in enumerate(_URL.finditer(text)):
                tco = f"https://t.co/fake{tweet_id[-6:]}{i}"
                urls.append(
                    {"url": tco, "expanded_url": m.group(0), "display_url": m.group(0)[8:40]}
                )
                shown = shown.replace(m.group(0), tco, 1)
            self.posts.append(
                {
                    "id": tweet_id,
                    "text": text,
                    "shown": shown,
                    "urls": urls,
                    "link": urls[0]["expanded_url"] if urls else "",
                    "created_at": self.timestamp(),
                }
            )
            self.tweets[tweet_id] = {
                "id": tweet_id,
                "text": shown,
                "author_id": self.user_id,
                "created_at": self.posts[-1]["created_at"],
                "conversation_id": tweet_id,
                "edit_history_tweet_ids": [tweet_id],
            }
        return Response(
            201, {"data": {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}}
        )

    def lookup(self, request: Request) -> Response:
        """``GET /2/tweets`` (getPostsByIds): the posts asked for, the others in ``errors``."""
        if not self.reads_allowed:
            return Response(
                403,
                {
                    "client_id": "relais-client",
                    "detail": "When authenticating requests to the Twitter API v2 endpoints, "
                    "you must use keys and tokens from a Twitter developer App that is attached "
                    "to a Project. You can create a project via the developer portal.",
                    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                    "title": "Client Forbidden",
                    "required_enrollment": "Appropriate Level of API Access",
                    "reason": "client-not-enrolled",
                    "type": "https://api.twitter.com/2/problems/client-forbidden",
                },
            )
        ids = [i for i in request.arg("ids").split(",") if i]
        if not ids or len(ids) > 100:
            return Response(
                400,
                {
                    "errors": [{"parameters": {"ids": ids}, "message": "1 to 100 ids"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fields = set((request.arg("tweet.fields") or request.arg("post.fields")).split(","))
        data, errors = [], []
        with self.lock:
            posts = {p["id"]: p for p in self.posts}
            for tweet_id in ids:
                post = posts.get(tweet_id)
                if post is None:
                    errors.append(
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with ids: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "ids",
                            "resource_id": tweet_id,
                            "type": "https://api.x.com/2/problems/resource-not-found",
                        }
                    )
                    continue
                tweet: dict[str, Any] = {
                    "id": tweet_id,
                    "text": post["shown"],
                    "edit_history_tweet_ids": [tweet_id],
                }
                if "public_metrics" in fields:
                    tweet["public_metrics"] = {
                        name: self.counters.get(tweet_id, {}).get(name, 0)
                        for name in self.counter_names.values()
                    }
                data.append(tweet)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return Response(200, body)

    def me(self, request: Request) -> Response:
        return Response(200, {"data": {"id": self.user_id, "name": "Alumni", "username": "alumni"}})

    def timeline(self, request: Request, user_id: str) -> Response:
        size = int(request.arg("max_results", "10"))
        start_time = request.arg("start_time")
        since = dt.datetime.fromisoformat(start_time.replace("Z", "+00:00")) if start_time else None
        fields = set((request.arg("tweet.fields") or request.arg("post.fields")).split(","))
        excluded = set(request.arg("exclude").split(","))

        def recent(created_at: str) -> bool:
            return (
                since is None
                or dt.datetime.fromisoformat(created_at.replace("Z", "+00:00")) >= since
            )

        with self.lock:
            everything = [
                {
                    "id": p["id"],
                    "text": p["shown"],
                    "edit_history_tweet_ids": [p["id"]],
                    "created_at": p["created_at"],
                    "entities": {"urls": [{"start": 0, "end": 23, **u} for u in p["urls"]]},
                }
                for p in self.posts
            ]
            if "replies" not in excluded:
                everything += [
                    self._shape(self.tweets[a["id"]], fields | {"created_at"}) for a in self.answers
                ]
            tweets = [
                t
                for t in sorted(everything, key=lambda t: int(t["id"]), reverse=True)
                if recent(t["created_at"])
            ]
        tweets, next_token = self.page(tweets, request.arg("pagination_token"), size)
        meta: dict[str, Any] = {"result_count": len(tweets)}
        if tweets:
            meta.update(newest_id=tweets[0]["id"], oldest_id=tweets[-1]["id"])
        if next_token:
            meta["next_token"] = next_token
        return Response(200, {"data": tweets, "meta": meta} if tweets else {"meta": meta})

    def token_endpoint(self, request: Request) -> Response:
        form = request.form
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
            or form.get("client_id") != self.client_id
        ):
            return Response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Value passed for the token was invalid.",
                },
            )
        with self.lock:
            self.refreshes += 1
            self.token = f"x-access-{self.refreshes}"
            self.refresh_token = f"x-refresh-{self.refreshes}"
            self.valid_tokens.add(self.token)
        return Response(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": self.token,
                "scope": "tweet.read tweet.write users.read offline.access",
                "refresh_token": self.refresh_token,
            },
        )
