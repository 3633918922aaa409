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

Conversations: ``add_comment(post_id, text, parent=None)`` makes the second account (``other``)
comment a post (or answer a comment). Facebook serves ``GET /{post-id}/comments`` (``filter``
stream or toplevel, ``order``, ``since``, ``parent{id}``) and ``GET /{comment-id}/comments``,
``POST /{comment-id}/comments`` (kept in ``answers``), ``POST /{comment-id}/likes`` (``liked``)
and ``POST /{comment-id}`` with ``is_hidden`` (``hidden``); Instagram ``GET /{media-id}/comments``
(``replies{…}`` expanded), ``GET`` and ``POST /{comment-id}/replies`` and ``POST /{comment-id}``
with ``hide``. ``comments_allowed = False`` refuses them with Meta's permission error (code 10).
Successful answers carry ``X-Business-Use-Case-Usage``.
"""

from __future__ import annotations

import datetime as dt
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
        #: False: the token lacks the permission to read and manage comments (code 10).
        self.comments_allowed = True
        #: Comments by id: ``id``, ``on`` (post or media), ``parent`` (a comment id or ""),
        #: ``text``, ``author`` ({"id", "handle", "name"}), ``time`` (Unix seconds).
        self.comments: dict[str, dict[str, Any]] = {}

    def rate_headers(self) -> dict[str, str]:
        usage = {
            "1234": [
                {
                    "type": "pages",
                    "call_count": 300 - self.rate_remaining,
                    "total_cputime": 1,
                    "total_time": 1,
                    "estimated_time_to_regain_access": 0,
                }
            ]
        }
        return {"X-Business-Use-Case-Usage": json.dumps(usage)}

    def no_comment_permission(self) -> Response:
        return graph_error(
            10, "(#10) This endpoint requires the permission to read and manage comments."
        )

    def new_comment(
        self, on: str, text: str, parent: str, author: dict[str, str]
    ) -> dict[str, Any]:
        """Store a comment (the caller holds the lock). Threads are two levels deep, as on
        Facebook and Instagram: an answer to an answer goes under the first comment, on its
        post."""
        if parent and parent not in self.comments:
            raise KeyError(f"no comment {parent} on the fake {self.network}")
        if parent:
            parent = self.comments[parent]["parent"] or parent
            on = self.comments[parent]["on"]
        comment = {
            "id": self.comment_id(on),
            "on": on,
            "parent": parent,
            "text": text,
            "author": author,
            "time": self.clock(),
        }
        self.comments[comment["id"]] = comment
        return comment

    def comment_id(self, on: str) -> str:
        return self.new_id()

    def add_comment(
        self, on: str, text: str, parent: str | None = None, author: dict[str, str] | None = None
    ) -> str:
        """The other account (or ``author``) comments ``on`` a post, or answers ``parent``."""
        with self.lock:
            return self.new_comment(str(on), text, str(parent or ""), author or self.other)["id"]

    def meta_time(self, seconds: float) -> str:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")

    @staticmethod
    def since_param(value: str) -> float | None:
        """Meta's ``since``: a Unix time or a date Meta can parse."""
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return when.replace(tzinfo=when.tzinfo or dt.UTC).timestamp()

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
        self.other = {"id": "3003000000000002", "handle": "", "name": "Léa Martin"}
        self.route("GET", rf"{V}/me/accounts", self.me_accounts)
        self.route("GET", rf"{V}/(\d+_\d+)/comments", self.list_comments)
        self.route("POST", rf"{V}/(\d+_\d+)/comments", self.comment_on)
        self.route("POST", rf"{V}/(\d+_\d+)/likes", self.like)
        self.route("POST", rf"{V}/(\d+_\d+)", self.update_comment)
        self.route("POST", rf"{V}/(\d+)/feed", self.create)
        self.route("GET", rf"{V}/(\d+)/posts", self.list_posts)
        self.route("GET", rf"{V}/(\d+_\d+)", self.get_post)
        self.route("GET", rf"{V}/(\d+_\d+)/insights", self.post_insights)
        self.route("GET", rf"{V}/(\d+)", self.get_page)

    def comment_id(self, on: str) -> str:
        return f"{on.rsplit('_', 1)[-1]}_{self.new_id()}"

    def _page_author(self) -> dict[str, str]:
        return {"id": self.page_id, "handle": "", "name": "Alumni"}

    def _known(self, object_id: str) -> bool:
        return object_id in self.comments or any(p["id"] == object_id for p in self.posts)

    def _comment_fields(self, comment: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        shaped: dict[str, Any] = {"id": comment["id"]}
        values = {
            "message": comment["text"],
            "from": {"id": comment["author"]["id"], "name": comment["author"]["name"]},
            "created_time": self.meta_time(comment["time"]),
            "permalink_url": f"https://www.facebook.com/{comment['id']}",
            "is_hidden": comment["id"] in self.hidden,
            "can_hide": True,
        }
        shaped.update({k: v for k, v in values.items() if k in fields})
        if "parent" in fields and comment["parent"]:
            shaped["parent"] = {"id": comment["parent"]}
        return shaped

    def list_comments(self, request: Request, object_id: str) -> Response:
        """``GET /{post-id}/comments`` (``filter=stream``: every comment, answers included;
        ``toplevel``: the first level) and ``GET /{comment-id}/comments`` (its answers)."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        params = self.params(request)
        fields = requested_fields(params.get("fields", "id,message,created_time"))
        since = self.since_param(params.get("since", ""))
        with self.lock:
            if not self._known(object_id):
                return graph_error(100, "(#100) Unsupported get request.", "GraphMethodException")
            if object_id in self.comments:
                found = [c for c in self.comments.values() if c["parent"] == object_id]
            else:
                stream = params.get("filter") == "stream"
                found = [
                    c
                    for c in self.comments.values()
                    if c["on"] == object_id and (stream or not c["parent"])
                ]
            found = [c for c in found if since is None or c["time"] >= int(since)]
            found.sort(key=lambda c: (c["time"], int(c["id"].split("_")[1])))
            if params.get("order") == "reverse_chronological":
                found.reverse()
            data = [self._comment_fields(c, fields) for c in found]
        return self.edge_page(request, data)

    def comment_on(self, request: Request, object_id: str) -> Response:
        """The Page comments a post, or answers a comment (under its first-level comment)."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        message = self.params(request).get("message", "")
        if not message:
            return graph_error(100, "(#100) Missing message or attachment")
        with self.lock:
            if not self._known(object_id):
                return graph_error(100, "(#100) Unsupported post request.", "GraphMethodException")
            above = self.comments.get(object_id)
            if above is None:
                comment = self.new_comment(object_id, message, "", self._page_author())
            else:
                thread = above["parent"] or object_id
                comment = self.new_comment(above["on"], message, thread, self._page_author())
                self.answers.append({"id": comment["id"], "parent": object_id, "text": message})
        return Response(200, {"id": comment["id"]})

    def like(self, request: Request, object_id: str) -> Response:
        if not self.comments_allowed:
            return self.no_comment_permission()
        with self.lock:
            if not self._known(object_id):
                return graph_error(100, "(#100) Unsupported post request.", "GraphMethodException")
            self.liked.add(object_id)
        return Response(200, {"success": True})

    def update_comment(self, request: Request, comment_id: str) -> Response:
        """``POST /{comment-id}`` with ``is_hidden``."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        params = self.params(request)
        with self.lock:
            if comment_id not in self.comments:
                return graph_error(100, "(#100) Unsupported post request.", "GraphMethodException")
            if "is_hidden" in params:
                if params["is_hidden"] == "true":
                    self.hidden.add(comment_id)
                else:
                    self.hidden.discard(comment_id)
        return Response(200, {"success": True})

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
        self.other = {"id": "17841400000000002", "handle": "lea.martin", "name": "Léa Martin"}
        self.route("GET", rf"{V}/(\d+)/comments", self.media_comments)
        self.route("GET", rf"{V}/(\d+)/replies", self.comment_replies)
        self.route("POST", rf"{V}/(\d+)/replies", self.reply_to)
        self.route("POST", rf"{V}/(\d+)", self.update_comment)
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

    def comment_id(self, on: str) -> str:
        return str(17_850_000_000_000_000 + int(self.new_id()))

    def _ig_comment(self, comment: dict[str, Any], fields: str) -> dict[str, Any]:
        names = requested_fields(fields)
        values = {
            "text": comment["text"],
            "username": comment["author"]["handle"],
            "timestamp": self.meta_time(comment["time"]),
            "hidden": comment["id"] in self.hidden,
            "like_count": 0,
        }
        shaped = {"id": comment["id"], **{k: v for k, v in values.items() if k in names}}
        if "replies" in names:
            inner = fields[fields.index("replies{") + 8 : fields.rindex("}")]
            answers = sorted(
                (c for c in self.comments.values() if c["parent"] == comment["id"]),
                key=lambda c: int(c["id"]),
            )
            if answers:
                shaped["replies"] = {"data": [self._ig_comment(c, inner) for c in answers]}
        return shaped

    def media_comments(self, request: Request, media_id: str) -> Response:
        """``GET /{media-id}/comments``: first-level comments, oldest first."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        fields = request.arg("fields", "id,text,timestamp")
        with self.lock:
            if not any(p["id"] == media_id for p in self.posts):
                return graph_error(100, "(#100) Unsupported get request.", "GraphMethodException")
            found = sorted(
                (c for c in self.comments.values() if c["on"] == media_id and not c["parent"]),
                key=lambda c: int(c["id"]),
            )
            data = [self._ig_comment(c, fields) for c in found]
        return self.edge_page(request, data)

    def comment_replies(self, request: Request, comment_id: str) -> Response:
        if not self.comments_allowed:
            return self.no_comment_permission()
        fields = request.arg("fields", "id,text,timestamp")
        with self.lock:
            if comment_id not in self.comments:
                return graph_error(100, "(#100) Unsupported get request.", "GraphMethodException")
            found = sorted(
                (c for c in self.comments.values() if c["parent"] == comment_id),
                key=lambda c: int(c["id"]),
            )
            data = [self._ig_comment(c, fields) for c in found]
        return self.edge_page(request, data)

    def reply_to(self, request: Request, comment_id: str) -> Response:
        """``POST /{comment-id}/replies``: the account answers a first-level comment."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        message = self.params(request).get("message", "")
        with self.lock:
            above = self.comments.get(comment_id)
            if above is None or above["parent"] or not message:
                return graph_error(
                    100,
                    "(#100) Invalid parameter: a first-level comment id and a message are required",
                )
            me = {"id": self.ig_user_id, "handle": "alumni", "name": "Alumni"}
            comment = self.new_comment(above["on"], message, comment_id, me)
            self.answers.append({"id": comment["id"], "parent": comment_id, "text": message})
        return Response(200, {"id": comment["id"]})

    def update_comment(self, request: Request, comment_id: str) -> Response:
        """``POST /{comment-id}`` with ``hide``."""
        if not self.comments_allowed:
            return self.no_comment_permission()
        params = self.params(request)
        with self.lock:
            if comment_id not in self.comments or "hide" not in params:
                return graph_error(100, "(#100) Invalid parameter: hide is required")
            if params["hide"] == "true":
                self.hidden.add(comment_id)
            else:
                self.hidden.discard(comment_id)
        return Response(200, {"success": True})

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
