"""Fake Graph API servers: a Facebook Page's feed and an Instagram professional account.

Shaped after Meta's own node and edge descriptions (the specs of Meta's Business SDK codegen;
the contract tests keep excerpts in ``tests/fixtures/contracts/meta``): Page
``POST /{page-id}/feed`` (``message``, ``link``, ``published``), ``GET /{page-id}/posts``,
PagePost fields; IGUser ``POST /{ig-user-id}/media`` then ``media_publish``,
``GET /{ig-user-id}/media``, IGMedia ``permalink``. Errors in Meta's shape: HTTP 400 with
``error.code`` (190 expired token, 32 rate limit, 1/2 transient).

Metrics, from the counters ``engage`` raises: a Page post's ``shares``,
``reactions.summary(total_count)``, ``comments.summary(total_count)`` and its ``insights``
edge; an IG media's ``like_count``, ``comments_count`` and ``insights``. As Meta does, a
metric of ``retired_insights`` fails the whole insights request it is in (code 100), and
``insights_allowed = False`` refuses every insight with a permission error (code 10).
"""

from __future__ import annotations

import json
from typing import Any

import regex

from syndication.testing.fakes.base import FakeServer, Request, Response

_URL = regex.compile(r"https?://[^\s]+")
V = r"/v\d+\.\d+"


def requested_fields(value: str) -> set[str]:
    """The top-level names of a ``fields`` value, modifiers removed:
    ``"shares,reactions.summary(total_count).limit(0)"`` -> ``{"shares", "reactions"}``."""
    names, depth, current = set(), 0, ""
    for ch in value + ",":
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            names.add(current.split(".")[0].strip())
            current = ""
        elif depth == 0:
            current += ch
    return {n for n in names if n}


def graph_error(code: int, message: str, kind: str = "OAuthException") -> Response:
    return Response(
        400, {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}}
    )


class FakeGraph(FakeServer):
    #: Meta says how long to wait in minutes (``estimated_time_to_regain_access``).
    rate_limit_wait = 60
    #: Insights metrics the fake knows, and those Meta retired (asking one fails the request).
    insights: tuple[str, ...] = ()
    retired_insights: frozenset[str] = frozenset()

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.retired_insights = set(type(self).retired_insights)
        #: False: the token lacks the permission to read insights (code 10).
        self.insights_allowed = True

    def insights_answer(self, request: Request, node: str) -> Response:
        """``GET /{node}/insights?metric=a,b``: lifetime values from the counters."""
        metrics = [m for m in self.params(request).get("metric", "").split(",") if m]
        if not metrics:
            return graph_error(100, "(#100) The parameter metric is required")
        if not self.insights_allowed:
            return graph_error(10, "(#10) Application does not have permission for this action")
        bad = [m for m in metrics if m in self.retired_insights or m not in self.insights]
        if bad:
            return graph_error(100, f"(#100) The value must be a valid insights metric: {bad[0]}")
        data = [
            {
                "name": metric,
                "period": "lifetime",
                "values": [{"value": self.counter(node, metric)}],
                "title": metric.replace("_", " ").capitalize(),
                "description": f"Lifetime: {metric}",
                "id": f"{node}/insights/{metric}/lifetime",
            }
            for metric in metrics
        ]
        return Response(200, {"data": data, "paging": {}})

    def unauthorized(self, request: Request) -> Response:
        return Response(
            400,
            {
                "error": {
                    "message": "Error validating access token: Session has expired on Tuesday.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                    "fbtrace_id": "AbCdEf",
                }
            },
        )

    def rate_limited(self, request: Request) -> Response:
        usage = {
            "1234": [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 30,
                    "total_time": 40,
                    "estimated_time_to_regain_access": self.rate_limit_wait // 60,  # minutes
                }
            ]
        }
        return Response(
            400,
            {
                "error": {
                    "message": "(#32) Page request limit reached",
                    "type": "OAuthException",
                    "code": 32,
                    "fbtrace_id": "AbCdEf",
                }
            },
            {"X-Business-Use-Case-Usage": json.dumps(usage)},
        )

    def server_error(self, request: Request) -> Response:
        return Response(
            500,
            {
                "error": {
                    "message": "An unknown error has occurred.",
                    "type": "OAuthException",
                    "code": 1,
                    "is_transient": True,
                    "fbtrace_id": "AbCdEf",
                }
            },
        )

    def edge_page(self, request: Request, data: list[dict[str, Any]]) -> Response:
        """A page of an edge, with Meta's cursor paging (``after``; ``next`` when more)."""
        chunk, after = self.page(data, request.arg("after"), int(request.arg("limit", "25")))
        paging: dict[str, Any] = {
            "cursors": {"before": request.arg("after") or "0", "after": after or ""}
        }
        if after:
            paging["next"] = f"{self.url}{request.path}?after={after}"
        return Response(200, {"data": chunk, "paging": paging})

    @staticmethod
    def params(request: Request) -> dict[str, str]:
        """Graph API parameters: query string and form body together."""
        data = {k: v[-1] for k, v in request.query.items()}
        if request.body:
            data.update(
                request.form if request.content_type != "application/json" else request.json
            )
        return data


class FakeFacebook(FakeGraph):
    network = "facebook"
    counter_names = {
        "likes": "reactions",
        "comments": "comments",
        "shares": "shares",
        "impressions": "post_media_view",
        "reach": "post_total_media_view_unique",
        "clicks": "post_clicks",
    }
    insights = (
        "post_media_view",
        "post_total_media_view_unique",
        "post_clicks",
        "post_impressions",
        "post_impressions_unique",
    )
    retired_insights = frozenset({"post_impressions", "post_impressions_unique"})

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.page_id = "104000000000001"
        #: False: the Page token lacks ``pages_read_engagement`` (reactions, comments: code 10).
        self.engagement_allowed = True
        self.route("GET", rf"{V}/me/accounts", self.me_accounts)
        self.route("POST", rf"{V}/(\d+)/feed", self.create)
        self.route("GET", rf"{V}/(\d+)/posts", self.list_posts)
        self.route("GET", rf"{V}/(\d+_\d+)", self.get_post)
        self.route("GET", rf"{V}/(\d+_\d+)/insights", self.post_insights)
        self.route("GET", rf"{V}/(\d+)", self.get_page)

    def me_accounts(self, request: Request) -> Response:
        """``GET /me/accounts``: the Pages the user manages, each with its Page token (what a
        connect flow stores; the user token itself is not used to post)."""
        page = {
            "id": self.page_id,
            "name": "Alumni",
            "category": "Education",
            "access_token": self.token,
            "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
        }
        return self.edge_page(request, [page])

    def create(self, request: Request, page: str) -> Response:
        params = self.params(request)
        if not params.get("message") and not params.get("link"):
            return Response(
                400,
                {
                    "error": {
                        "message": "(#100) Missing message or attachment",
                        "type": "OAuthException",
                        "code": 100,
                    }
                },
            )
        with self.lock:
            post_id = f"{page}_{self.new_id()}"
            self.posts.append(
                {
                    "id": post_id,
                    "message": params.get("message", ""),
                    "link": params.get("link", ""),
                    "permalink_url": f"https://www.facebook.com/{page}/posts/{post_id.split('_')[1]}",
                    "created_time": self.timestamp("meta"),
                }
            )
        return Response(200, {"id": post_id})

    def _shape(self, post: dict[str, Any]) -> dict[str, Any]:
        shim = "https://l.facebook.com/l.php?u=" + post["link"]
        return {
            "id": post["id"],
            "message": post["message"],
            "permalink_url": post["permalink_url"],
            "created_time": post["created_time"],
            "attachments": {"data": [{"unshimmed_url": post["link"], "url": shim}]},
        }

    def list_posts(self, request: Request, page: str) -> Response:
        with self.lock:
            data = [self._shape(p) for p in reversed(self.posts)]
        return self.edge_page(request, data)

    def get_post(self, request: Request, post_id: str) -> Response:
        fields = requested_fields(request.arg("fields", "permalink_url"))
        if fields & {"reactions", "comments"} and not self.engagement_allowed:
            return graph_error(
                10,
                "(#10) This endpoint requires the 'pages_read_engagement' "
                "permission or the 'Page Public Content Access' feature.",
            )
        with self.lock:
            for post in self.posts:
                if post["id"] == post_id:
                    return Response(200, self._post_fields(post, fields))
        return Response(
            404,
            {
                "error": {
                    "message": "Unsupported get request.",
                    "type": "GraphMethodException",
                    "code": 100,
                }
            },
        )

    def _post_fields(self, post: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        counters = self.counters.get(post["id"], {})
        node: dict[str, Any] = {"id": post["id"]}
        if "permalink_url" in fields:
            node["permalink_url"] = post["permalink_url"]
        if "shares" in fields and counters.get("shares"):  # Meta leaves out "no share"
            node["shares"] = {"count": counters["shares"]}
        for edge in ("reactions", "comments"):
            if edge in fields:
                node[edge] = {"data": [], "summary": {"total_count": counters.get(edge, 0)}}
        return node

    def post_insights(self, request: Request, post_id: str) -> Response:
        with self.lock:
            known = any(p["id"] == post_id for p in self.posts)
        if not known:
            return graph_error(100, "(#100) Unsupported get request.", "GraphMethodException")
        return self.insights_answer(request, post_id)

    def get_page(self, request: Request, page: str) -> Response:
        return Response(
            200, {"id": page, "name": "Alumni", "link": f"https://www.facebook.com/{page}"}
        )


class FakeInstagram(FakeGraph):
    network = "instagram"
    counter_names = {
        "likes": "like_count",
        "comments": "comments_count",
        "impressions": "views",
        "reach": "reach",
        "saves": "saved",
        "shares": "shares",
    }
    insights = ("views", "reach", "saved", "shares", "total_interactions", "impressions", "plays")
    retired_insights = frozenset({"impressions", "plays"})

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.ig_user_id = "17841400000000001"
        #: True: the owner hides like counts (``like_count`` is left out).
        self.hide_likes = False
        self.containers: dict[str, dict[str, str]] = {}
        #: How many ``media_publish`` calls on a new container are refused as "not ready"
        #: (Meta still processing the image) before it can be published.
        self.processing_rounds = 0
        self._not_ready: dict[str, int] = {}
        self.route("GET", rf"{V}/me/accounts", self.me_accounts)
        self.route("POST", rf"{V}/(\d+)/media", self.create_container)
        self.route("POST", rf"{V}/(\d+)/media_publish", self.publish)
        self.route("GET", rf"{V}/(\d+)/media", self.list_media)
        self.route("GET", rf"{V}/(\d+)/insights", self.media_insights)
        self.route("GET", rf"{V}/(\d+)", self.get_node)

    def me_accounts(self, request: Request) -> Response:
        """``GET /me/accounts?fields=...instagram_business_account``: the user's Pages and the
        Instagram professional account linked to each."""
        page = {
            "id": "104000000000002",
            "name": "Alumni",
            "access_token": self.token,
            "instagram_business_account": {"id": self.ig_user_id, "username": "alumni"},
        }
        return self.edge_page(request, [page])

    def create_container(self, request: Request, user: str) -> Response:
        params = self.params(request)
        if not params.get("image_url"):
            return Response(
                400,
                {
                    "error": {
                        "message": "(#9004) Only photo or video can be accepted as media type.",
                        "type": "OAuthException",
                        "code": 9004,
                    }
                },
            )
        caption = params.get("caption", "")
        if len(caption) > 2200 or len(regex.findall(r"#\w", caption)) > 30:
            return Response(
                400,
                {
                    "error": {
                        "message": "(#100) The caption is too long or has too many hashtags.",
                        "type": "OAuthException",
                        "code": 100,
                    }
                },
            )
        with self.lock:
            container = self.new_id()
            self.containers[container] = params
            self._not_ready[container] = self.processing_rounds
        return Response(200, {"id": container})

    def publish(self, request: Request, user: str) -> Response:
        creation = self.params(request).get("creation_id", "")
        with self.lock:
            if self._not_ready.get(creation, 0) > 0:
                self._not_ready[creation] -= 1
                return Response(
                    400,
                    {
                        "error": {
                            "message": "Media ID is not available",
                            "type": "OAuthException",
                            "code": 9007,
                            "error_subcode": 2207027,
                            "error_user_msg": "The media is not ready for publishing, please "
                            "wait for a moment",
                        }
                    },
                )
            params = self.containers.pop(creation, None)
            if params is None:
                return Response(
                    400,
                    {
                        "error": {
                            "message": "(#9007) Media ID is not available",
                            "type": "OAuthException",
                            "code": 9007,
                        }
                    },
                )
            media_id = str(17_900_000_000_000_000 + int(self.new_id()))
            links = _URL.findall(params.get("caption", ""))
            self.posts.append(
                {
                    "id": media_id,
                    "caption": params.get("caption", ""),
                    "link": links[0] if links else "",
                    "permalink": f"https://www.instagram.com/p/Fake{media_id[-6:]}/",
                    "timestamp": self.timestamp("meta"),
                }
            )
        return Response(200, {"id": media_id})

    def list_media(self, request: Request, user: str) -> Response:
        with self.lock:
            data = [
                {
                    "id": p["id"],
                    "caption": p["caption"],
                    "permalink": p["permalink"],
                    "timestamp": p["timestamp"],
                }
                for p in reversed(self.posts)
            ]
        return self.edge_page(request, data)

    def media_insights(self, request: Request, media_id: str) -> Response:
        with self.lock:
            known = any(p["id"] == media_id for p in self.posts)
        if not known:
            return graph_error(100, "(#100) Unsupported get request.", "GraphMethodException")
        return self.insights_answer(request, media_id)

    def get_node(self, request: Request, node: str) -> Response:
        fields = requested_fields(request.arg("fields", "permalink"))
        with self.lock:
            for post in self.posts:
                if post["id"] == node:
                    media: dict[str, Any] = {"id": node}
                    if "permalink" in fields:
                        media["permalink"] = post["permalink"]
                    if "like_count" in fields and not self.hide_likes:
                        media["like_count"] = self.counter(node, "like_count")
                    if "comments_count" in fields:
                        media["comments_count"] = self.counter(node, "comments_count")
                    return Response(200, media)
        if node == self.ig_user_id:
            return Response(200, {"id": node, "username": "alumni"})
        return Response(
            404,
            {
                "error": {
                    "message": "Unsupported get request.",
                    "type": "GraphMethodException",
                    "code": 100,
                }
            },
        )
