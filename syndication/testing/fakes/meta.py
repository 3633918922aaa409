"""Fake Graph API servers: a Facebook Page's feed and an Instagram professional account.

Shaped after Meta's own node and edge descriptions (``shared/specs/meta/*.json``): Page
``POST /{page-id}/feed`` (``message``, ``link``, ``published``), ``GET /{page-id}/posts``,
PagePost fields; IGUser ``POST /{ig-user-id}/media`` then ``media_publish``,
``GET /{ig-user-id}/media``, IGMedia ``permalink``. Errors in Meta's shape: HTTP 400 with
``error.code`` (190 expired token, 32 rate limit, 1/2 transient).
"""

from __future__ import annotations

import json
from typing import Any

import regex

from syndication.testing.fakes.base import FakeServer, Request, Response

_URL = regex.compile(r"https?://[^\s]+")
V = r"/v\d+\.\d+"


class FakeGraph(FakeServer):
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
                    "estimated_time_to_regain_access": 1,
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

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.page_id = "104000000000001"
        self.route("GET", rf"{V}/me/accounts", self.me_accounts)
        self.route("POST", rf"{V}/(\d+)/feed", self.create)
        self.route("GET", rf"{V}/(\d+)/posts", self.list_posts)
        self.route("GET", rf"{V}/(\d+_\d+)", self.get_post)
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
        with self.lock:
            for post in self.posts:
                if post["id"] == post_id:
                    return Response(200, {"id": post_id, "permalink_url": post["permalink_url"]})
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

    def get_page(self, request: Request, page: str) -> Response:
        return Response(
            200, {"id": page, "name": "Alumni", "link": f"https://www.facebook.com/{page}"}
        )


class FakeInstagram(FakeGraph):
    network = "instagram"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.ig_user_id = "17841400000000001"
        self.containers: dict[str, dict[str, str]] = {}
        self.route("GET", rf"{V}/me/accounts", self.me_accounts)
        self.route("POST", rf"{V}/(\d+)/media", self.create_container)
        self.route("POST", rf"{V}/(\d+)/media_publish", self.publish)
        self.route("GET", rf"{V}/(\d+)/media", self.list_media)
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
        return Response(200, {"id": container})

    def publish(self, request: Request, user: str) -> Response:
        creation = self.params(request).get("creation_id", "")
        with self.lock:
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

    def get_node(self, request: Request, node: str) -> Response:
        with self.lock:
            for post in self.posts:
                if post["id"] == node:
                    return Response(200, {"id": node, "permalink": post["permalink"]})
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
