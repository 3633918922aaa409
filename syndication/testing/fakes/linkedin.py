# ruff: noqa: S105  (test fakes: no cryptography, no real secrets)
"""A fake LinkedIn Posts API (``/rest/posts``), member info and OAuth token refresh.

LinkedIn publishes no machine-readable description; this follows its Marketing API
documentation (Posts API, Images API, Organization Share Statistics, versioned by the
``LinkedIn-Version`` header); ``linkedin_problems`` is that shape, the contract tests' check:
``POST /rest/posts`` needs ``LinkedIn-Version`` and
``X-Restli-Protocol-Version: 2.0.0``, a body with ``author``, ``commentary``, ``visibility``,
``distribution``, ``lifecycleState`` (and ``content.article`` for a link), and answers 201 with
the new URN in ``x-restli-id``. Requests that miss any of that get a 400/422 as LinkedIn gives.

Share statistics: ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&
organizationalEntity=<org URN>&shares=List(<URN>,…)`` (Rest.li 2.0 list syntax, URNs
URL-encoded) answers ``elements[].totalShareStatistics`` from the counters ``engage`` raises;
``statistics_allowed = False`` gives LinkedIn's 403 ACCESS_DENIED.

Images API (card pictures): ``POST /rest/images?action=initializeUpload`` with
``{"initializeUploadRequest": {"owner": <author URN>}}`` answers ``value.uploadUrl`` and
``value.image`` (``urn:li:image:…``); the bytes are ``PUT`` to the upload URL (authenticated).
A post's ``content.article.thumbnail`` must name an image whose bytes were uploaded.

Polls (Poll API, through the Posts API; see ``tests/fixtures/contracts/linkedin-poll.md``): a
post's ``content`` holds one kind of content, an ``article`` or a ``poll`` (``question`` of 1-140
characters, 2-4 ``options`` ``{"text"}`` of 1-30 characters, ``settings.duration`` one of
``ONE_DAY``, ``THREE_DAYS``, ``SEVEN_DAYS``, ``FOURTEEN_DAYS``, ``settings.voteSelectionType``
``SINGLE_VOTE`` only); ``linkedin_poll_problems`` is that shape. ``vote(urn, option, voter)``
makes a member vote (once per member); ``GET /rest/posts/{URN}`` gives the post back, its poll
with ``voteCount`` per option and ``uniqueVotersCount`` (to its author; 403 to anyone else).

Comments (Comments API, ``/rest/socialActions``): ``add_comment(post_urn, text, parent=None)``
makes the second account (``other``, a member URN) comment a post or answer a comment;
``GET /rest/socialActions/{URN}/comments`` (``start``, ``count``, ``paging.total``) lists the
comments of a post, or the answers of a comment; ``POST`` there comments as the organisation
(checked by ``linkedin_comment_problems``; kept in ``answers`` when it answers a comment), and
``POST /rest/reactions?actor=…`` reacts (kept in ``liked``; 409 when already there).
``comments_allowed = False`` answers 403 ACCESS_DENIED.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from syndication.testing.fakes.base import FakeServer, Request, Response

REQUIRED_POST_FIELDS = ("author", "commentary", "visibility", "distribution", "lifecycleState")
POLL_DURATIONS = ("ONE_DAY", "THREE_DAYS", "SEVEN_DAYS", "FOURTEEN_DAYS")


def linkedin_poll_problems(poll: Any) -> list[str]:
    """What is wrong with a ``content.poll`` object, by the Poll API's documented shape."""
    if not isinstance(poll, dict):
        return ["content.poll must be an object"]
    problems = [
        f"unknown field content.poll.{name}"
        for name in poll
        if name not in ("question", "options", "settings")
    ]
    question = poll.get("question")
    if not isinstance(question, str) or not 1 <= len(question) <= 140:
        problems.append("content.poll.question must be a string of 1 to 140 characters")
    options = poll.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 4:
        problems.append("content.poll.options must hold 2 to 4 options")
    else:
        for option in options:
            if not isinstance(option, dict) or set(option) != {"text"}:
                problems.append("each content.poll.options item takes text only")
            elif not isinstance(option["text"], str) or not 1 <= len(option["text"]) <= 30:
                problems.append("content.poll.options[].text must be 1 to 30 characters")
    settings = poll.get("settings")
    if not isinstance(settings, dict):
        problems.append("content.poll.settings is required")
    else:
        problems += [
            f"unknown field content.poll.settings.{name}"
            for name in settings
            if name not in ("duration", "voteSelectionType", "isVoterVisibleToAuthor")
        ]
        if settings.get("duration") not in POLL_DURATIONS:
            problems.append(f"content.poll.settings.duration must be one of {POLL_DURATIONS}")
        if settings.get("voteSelectionType", "SINGLE_VOTE") != "SINGLE_VOTE":
            problems.append("content.poll.settings.voteSelectionType must be SINGLE_VOTE")
        if not isinstance(settings.get("isVoterVisibleToAuthor", True), bool):
            problems.append("content.poll.settings.isVoterVisibleToAuthor must be a boolean")
    return problems


def linkedin_problems(request: Request) -> list[str]:
    """What is wrong with a ``POST /rest/posts`` request, by LinkedIn's documented shape."""
    problems = []
    version = request.headers.get("linkedin-version", "")
    if not (len(version) == 6 and version.isdigit()):
        problems.append("header LinkedIn-Version must be YYYYMM")
    if request.headers.get("x-restli-protocol-version") != "2.0.0":
        problems.append("header X-Restli-Protocol-Version must be 2.0.0")
    try:
        body = request.json
    except ValueError:
        return [*problems, "body is not JSON"]
    if not isinstance(body, dict):
        return [*problems, "body must be an object"]
    problems += [f"missing field {name}" for name in REQUIRED_POST_FIELDS if name not in body]
    allowed = {
        *REQUIRED_POST_FIELDS,
        "content",
        "isReshareDisabledByAuthor",
        "contentLandingPage",
        "contentCallToActionLabel",
        "adContext",
        "container",
    }
    problems += [f"unknown field {name}" for name in body if name not in allowed]
    if not str(body.get("author", "")).startswith(("urn:li:organization:", "urn:li:person:")):
        problems.append("author must be an organization or person URN")
    if body.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
        problems.append("bad visibility")
    if body.get("lifecycleState") not in ("PUBLISHED", "DRAFT"):
        problems.append("bad lifecycleState")
    dist = body.get("distribution") or {}
    if dist.get("feedDistribution") not in ("MAIN_FEED", "NONE"):
        problems.append("distribution.feedDistribution must be MAIN_FEED or NONE")
    content = body.get("content")
    article = (content or {}).get("article") if isinstance(content, dict) else None
    if isinstance(content, dict) and len(content) != 1:
        problems.append("content holds one kind of content (article or poll)")
    if isinstance(content, dict) and "poll" in content:
        problems += linkedin_poll_problems(content["poll"])
    elif "content" in body and (
        not isinstance(article, dict) or not article.get("source") or not article.get("title")
    ):
        problems.append("content.article needs source and title")
    if isinstance(article, dict):
        problems += [
            f"unknown field content.article.{name}"
            for name in article
            if name not in ("source", "title", "description", "thumbnail")
        ]
        if "thumbnail" in article and not str(article["thumbnail"]).startswith("urn:li:image:"):
            problems.append("content.article.thumbnail must be an image URN (urn:li:image:…)")
    if len(str(body.get("commentary", ""))) > 3000:
        problems.append("commentary over 3000 characters")
    return problems


COMMENT_FIELDS = ("actor", "object", "message", "parentComment", "content", "agent")
REACTION_TYPES = ("LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT")


def restli_headers_problems(request: Request) -> list[str]:
    problems = []
    if not re.fullmatch(r"\d{6}", request.headers.get("linkedin-version", "")):
        problems.append("header LinkedIn-Version must be YYYYMM")
    if request.headers.get("x-restli-protocol-version") != "2.0.0":
        problems.append("header X-Restli-Protocol-Version must be 2.0.0")
    return problems


def linkedin_comment_problems(request: Request, target: str) -> list[str]:
    """What is wrong with a ``POST /rest/socialActions/{target}/comments`` request, by the
    Comments API documentation: ``actor`` (the organisation or member commenting), ``object``
    (the post), ``message.text``; ``parentComment`` (the comment answered, which is then the
    target of the call); nothing else."""
    problems = restli_headers_problems(request)
    try:
        body = request.json
    except ValueError:
        return [*problems, "body is not JSON"]
    if not isinstance(body, dict):
        return [*problems, "body must be an object"]
    problems += [f"unknown field {name}" for name in body if name not in COMMENT_FIELDS]
    problems += [
        f"missing field {name}" for name in ("actor", "object", "message") if name not in body
    ]
    if not str(body.get("actor", "")).startswith(("urn:li:organization:", "urn:li:person:")):
        problems.append("actor must be an organization or person URN")
    if not str(body.get("object", "")).startswith("urn:li:"):
        problems.append("object must be the URN of the post")
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        problems.append("message.text is required")
    elif set(message) - {"text", "attributes"}:
        problems.append("message takes text and attributes only")
    parent = body.get("parentComment")
    if target.startswith("urn:li:comment:") and parent != target:
        problems.append("parentComment must be the comment the call is on")
    if parent is not None and not str(parent).startswith("urn:li:comment:"):
        problems.append("parentComment must be a comment URN")
    return problems


def linkedin_reaction_problems(request: Request) -> list[str]:
    """What is wrong with a ``POST /rest/reactions?actor=…`` request (Reactions API)."""
    problems = restli_headers_problems(request)
    if not request.arg("actor").startswith(("urn:li:organization:", "urn:li:person:")):
        problems.append("the actor query parameter must be an organization or person URN")
    try:
        body = request.json
    except ValueError:
        return [*problems, "body is not JSON"]
    if not isinstance(body, dict):
        return [*problems, "body must be an object"]
    problems += [f"unknown field {name}" for name in body if name not in ("root", "reactionType")]
    if not str(body.get("root", "")).startswith("urn:li:"):
        problems.append("root must be the URN of a post or a comment")
    if body.get("reactionType") not in REACTION_TYPES:
        problems.append(f"reactionType must be one of {', '.join(REACTION_TYPES)}")
    return problems


def restli_list(value: str) -> list[str] | None:
    """The items of a Rest.li 2.0 ``List(a,b)`` (already URL-decoded), None if malformed."""
    if not (value.startswith("List(") and value.endswith(")")):
        return None
    inner = value[5:-1]
    return [item for item in inner.split(",") if item] if inner else []


class FakeLinkedIn(FakeServer):
    network = "linkedin"
    rate_limit_wait = 4
    counter_names = {
        "impressions": "impressionCount",
        "reach": "uniqueImpressionsCount",
        "clicks": "clickCount",
        "likes": "likeCount",
        "comments": "commentCount",
        "shares": "shareCount",
    }

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        #: False: the app lacks the permission to read the page's statistics (403).
        self.statistics_allowed = True
        self.author = "urn:li:organization:5515715"
        self.refresh_token = "li-refresh-0"
        self.client_id, self.client_secret = "li-client", "li-secret-value"
        self.refreshes = 0
        #: Organisations the member administers (what a connect flow offers to post as).
        self.administered = [self.author]
        #: Uploaded pictures: image URN → bytes (None until the PUT arrives).
        self.images: dict[str, bytes | None] = {}
        self.other = {"id": "urn:li:person:lea0002", "handle": "", "name": "Léa Martin"}
        self.comments_allowed = True
        #: Comments by URN: ``urn``, ``id``, ``on`` (post URN), ``parent`` (comment URN or ""),
        #: ``actor``, ``text``, ``time`` (ms).
        self.comments: dict[str, dict[str, Any]] = {}
        self.reactions: set[tuple[str, str]] = set()
        #: Votes by post URN: voter URN → index of the option chosen.
        self.votes: dict[str, dict[str, int]] = {}
        self.route("GET", r"/rest/posts/(urn[^/]+)", self.get_post)
        self.route("GET", r"/rest/socialActions/([^/]+)/comments", self.list_comments)
        self.route("POST", r"/rest/socialActions/([^/]+)/comments", self.comment_on)
        self.route("POST", r"/rest/reactions", self.react)
        self.route("POST", r"/rest/posts", self.create)
        self.route("POST", r"/rest/images", self.initialize_upload)
        self.route("PUT", r"/dms-uploads/([\w-]+)", self.upload)
        self.route("GET", r"/rest/posts", self.by_author)
        self.route("GET", r"/v2/userinfo", self.userinfo)
        self.route("GET", r"/rest/organizations/(\d+)", self.organization)
        self.route("GET", r"/rest/organizationAcls", self.organization_acls)
        self.route("GET", r"/rest/organizationalEntityShareStatistics", self.share_statistics)
        self.route("POST", r"/oauth/v2/accessToken", self.token_endpoint, auth=False)

    def unauthorized(self, request: Request) -> Response:
        return Response(
            401,
            {
                "status": 401,
                "serviceErrorCode": 65601,
                "code": "EXPIRED_ACCESS_TOKEN",
                "message": "The token used in the request has expired",
            },
        )

    def rate_limited(self, request: Request) -> Response:
        return Response(
            429,
            {
                "status": 429,
                "message": "Resource level throttle APPLICATION DAY limit "
                "for calls to this resource is reached.",
            },
            {"Retry-After": str(self.rate_limit_wait)},
        )

    def access_denied(self, what: str) -> Response:
        return Response(
            403,
            {
                "status": 403,
                "serviceErrorCode": 100,
                "code": "ACCESS_DENIED",
                "message": f"Not enough permissions to access: {what}.20251101",
            },
        )

    def _new_comment(self, on: str, text: str, parent: str, actor: str) -> dict[str, Any]:
        comment_id = str(6_970_000_000_000_000_000 + int(self.new_id()))
        comment = {
            "urn": f"urn:li:comment:({on},{comment_id})",
            "id": comment_id,
            "on": on,
            "parent": parent,
            "actor": actor,
            "text": text,
            "time": self.timestamp("ms"),
        }
        self.comments[comment["urn"]] = comment
        return comment

    def add_comment(
        self, on: str, text: str, parent: str | None = None, author: dict[str, str] | None = None
    ) -> str:
        """The other member (or ``author``) comments post ``on``, or answers ``parent``
        (LinkedIn threads are two levels deep: an answer to an answer goes under the first
        comment, as LinkedIn's own apps do)."""
        with self.lock:
            if parent and parent not in self.comments:
                raise KeyError(f"no comment {parent} on the fake LinkedIn")
            if parent:
                parent = self.comments[parent]["parent"] or parent
                on = self.comments[parent]["on"]
            return self._new_comment(on, text, parent or "", (author or self.other)["id"])["urn"]

    def _element(self, comment: dict[str, Any]) -> dict[str, Any]:
        answers = sum(1 for c in self.comments.values() if c["parent"] == comment["urn"])
        stamp = {"actor": comment["actor"], "time": comment["time"]}
        element: dict[str, Any] = {
            "id": comment["id"],
            "commentUrn": comment["urn"],
            "$URN": comment["urn"],
            "actor": comment["actor"],
            "object": comment["on"],
            "message": {"text": comment["text"], "attributes": []},
            "created": stamp,
            "lastModified": stamp,
            "commentsSummary": {
                "totalFirstLevelComments": answers,
                "aggregatedTotalComments": answers,
                "selectedComments": [],
            },
            "likesSummary": {"totalLikes": 0, "likedByCurrentUser": False},
        }
        if comment["parent"]:
            element["parentComment"] = comment["parent"]
        return element

    def _target_known(self, target: str) -> bool:
        return target in self.comments or any(p["id"] == target for p in self.posts)

    def list_comments(self, request: Request, target: str) -> Response:
        target = unquote(target)
        problems = restli_headers_problems(request)
        if problems:
            return Response(400, {"status": 400, "message": "; ".join(problems)})
        if not self.comments_allowed:
            return self.access_denied("socialActions.comments.GET")
        start, count = int(request.arg("start") or 0), int(request.arg("count") or 10)
        with self.lock:
            if not self._target_known(target):
                return Response(404, {"status": 404, "message": f"{target} not found"})
            if target in self.comments:
                found = [c for c in self.comments.values() if c["parent"] == target]
            else:
                found = [c for c in self.comments.values() if c["on"] == target and not c["parent"]]
            found.sort(key=lambda c: (c["time"], int(c["id"])))
            elements = [self._element(c) for c in found[start : start + count]]
        return Response(
            200,
            {"elements": elements, "paging": {"start": start, "count": count, "total": len(found)}},
        )

    def comment_on(self, request: Request, target: str) -> Response:
        target = unquote(target)
        problems = linkedin_comment_problems(request, target)
        if problems:
            return Response(422, {"status": 422, "message": "; ".join(problems)})
        if not self.comments_allowed:
            return self.access_denied("socialActions.comments.CREATE")
        body = request.json
        with self.lock:
            if not self._target_known(target):
                return Response(404, {"status": 404, "message": f"{target} not found"})
            parent = str(body.get("parentComment") or "")
            on = self.comments[parent]["on"] if parent else target
            comment = self._new_comment(on, body["message"]["text"], parent, body["actor"])
            if parent:
                self.answers.append(
                    {"id": comment["urn"], "parent": parent, "text": comment["text"]}
                )
            element = self._element(comment)
        return Response(201, element, {"x-restli-id": comment["urn"]})

    def react(self, request: Request) -> Response:
        problems = linkedin_reaction_problems(request)
        if problems:
            return Response(422, {"status": 422, "message": "; ".join(problems)})
        if not self.comments_allowed:
            return self.access_denied("reactions.CREATE")
        actor, root = request.arg("actor"), request.json["root"]
        with self.lock:
            if not self._target_known(root):
                return Response(404, {"status": 404, "message": f"{root} not found"})
            if (actor, root) in self.reactions:
                return Response(
                    409, {"status": 409, "message": "The actor already reacted to this root."}
                )
            self.reactions.add((actor, root))
            self.liked.add(root)
        return Response(
            201,
            {"root": root, "reactionType": request.json["reactionType"]},
            {"x-restli-id": f"urn:li:reaction:({actor},{root})"},
        )

    def initialize_upload(self, request: Request) -> Response:
        body = request.json if request.body else None
        owner = ((body or {}).get("initializeUploadRequest") or {}).get("owner", "")
        if request.arg("action") != "initializeUpload" or not str(owner).startswith(
            ("urn:li:organization:", "urn:li:person:")
        ):
            return Response(
                400,
                {
                    "status": 400,
                    "message": "action=initializeUpload and "
                    "initializeUploadRequest.owner (an URN) are required",
                },
            )
        with self.lock:
            key = f"D4E10AQ{self.new_id()}"
            urn = f"urn:li:image:{key}"
            self.images[urn] = None
        return Response(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": self.timestamp("ms") + 86_400_000,
                    "uploadUrl": f"{self.url}/dms-uploads/{key}",
                    "image": urn,
                }
            },
        )

    def upload(self, request: Request, key: str) -> Response:
        urn = f"urn:li:image:{key}"
        with self.lock:
            if urn not in self.images or not request.body:
                return Response(400, {"status": 400, "message": "unknown upload or no bytes"})
            self.images[urn] = request.body
        return Response(201, None)

    def create(self, request: Request) -> Response:
        problems = linkedin_problems(request)
        if not problems:
            thumbnail = ((request.json.get("content") or {}).get("article") or {}).get("thumbnail")
            if thumbnail is not None and self.images.get(thumbnail) is None:
                problems.append(f"content.article.thumbnail {thumbnail} was never uploaded")
        if problems:
            return Response(422, {"status": 422, "message": "; ".join(problems)})
        body = request.json
        with self.lock:
            urn = f"urn:li:share:{self.new_id()}"
            article = (body.get("content") or {}).get("article") or {}
            now = self.timestamp("ms")
            self.posts.append(
                {
                    "id": urn,
                    "link": article.get("source", ""),
                    "body": body,
                    "createdAt": now,
                    "lastModifiedAt": now,
                }
            )
        return Response(201, None, {"x-restli-id": urn})

    def vote(self, urn: str, option: int, voter: str = "") -> None:
        """A member (``voter``, the other member by default) votes ``option`` (its index) in
        the poll of post ``urn``; a member's second vote replaces the first (single vote)."""
        with self.lock:
            [post] = [p for p in self.posts if p["id"] == urn]
            poll = (post["body"].get("content") or {}).get("poll")
            if poll is None or not 0 <= option < len(poll["options"]):
                raise ValueError(f"{urn} has no poll option {option}")
            self.votes.setdefault(urn, {})[voter or self.other["id"]] = option

    def get_post(self, request: Request, urn: str) -> Response:
        """``GET /rest/posts/{URN}``: the post; a poll's counts are given to its author only."""
        problems = restli_headers_problems(request)
        if problems:
            return Response(400, {"status": 400, "message": "; ".join(problems)})
        urn = unquote(urn)
        with self.lock:
            found = [p for p in self.posts if p["id"] == urn]
            if not found:
                return Response(404, {"status": 404, "message": f"{urn} not found"})
            post = found[0]
            if post["body"]["author"] not in self.administered:
                return self.access_denied("posts.GET")
            element = {
                "id": urn,
                **post["body"],
                "createdAt": post["createdAt"],
                "publishedAt": post["createdAt"],
                "lastModifiedAt": post["lastModifiedAt"],
            }
            poll = (post["body"].get("content") or {}).get("poll")
            if poll is not None:
                votes = self.votes.get(urn, {})
                element["content"] = {
                    "poll": {
                        **poll,
                        "options": [
                            {
                                "text": o["text"],
                                "voteCount": sum(1 for v in votes.values() if v == i),
                                "isVotedByViewer": False,
                            }
                            for i, o in enumerate(poll["options"])
                        ],
                        "uniqueVotersCount": len(votes),
                    }
                }
        return Response(200, element)

    def by_author(self, request: Request) -> Response:
        if request.arg("q") != "author" or not request.arg("author"):
            return Response(400, {"status": 400, "message": "q=author and author are required"})
        count = int(request.arg("count", "10"))
        with self.lock:
            elements = [
                {
                    "id": p["id"],
                    **p["body"],
                    "createdAt": p["createdAt"],
                    "lastModifiedAt": p["lastModifiedAt"],
                }
                for p in reversed(self.posts)
                if p["body"]["author"] == request.arg("author")
            ]
        elements, _next = self.page(elements, request.arg("start"), count)
        start = int(request.arg("start") or 0)
        return Response(200, {"elements": elements, "paging": {"start": start, "count": count}})

    def share_statistics(self, request: Request) -> Response:
        problems = []
        if not re.fullmatch(r"\d{6}", request.headers.get("linkedin-version", "")):
            problems.append("header LinkedIn-Version must be YYYYMM")
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            problems.append("header X-Restli-Protocol-Version must be 2.0.0")
        if request.arg("q") != "organizationalEntity":
            problems.append("q=organizationalEntity is required")
        lists = {
            k: restli_list(request.arg(k)) for k in ("shares", "ugcPosts") if k in request.query
        }
        if not lists or any(v is None for v in lists.values()):
            problems.append("shares=List(...) or ugcPosts=List(...) is required")
        if problems:
            return Response(400, {"status": 400, "message": "; ".join(problems)})
        organization = request.arg("organizationalEntity")
        if not self.statistics_allowed or organization not in self.administered:
            return Response(
                403,
                {
                    "status": 403,
                    "serviceErrorCode": 100,
                    "code": "ACCESS_DENIED",
                    "message": "Not enough permissions to access: "
                    "organizationalEntityShareStatistics.GET.20251101",
                },
            )
        elements = []
        with self.lock:
            known = {p["id"] for p in self.posts if p["body"]["author"] == organization}
            for kind, urns in lists.items():
                for urn in urns or []:
                    if urn not in known:
                        continue
                    stats = {
                        name: self.counters.get(urn, {}).get(name, 0)
                        for name in self.counter_names.values()
                    }
                    impressions = stats["impressionCount"]
                    acted = (
                        stats["clickCount"]
                        + stats["likeCount"]
                        + stats["commentCount"]
                        + stats["shareCount"]
                    )
                    stats["engagement"] = acted / impressions if impressions else 0.0
                    elements.append(
                        {
                            "organizationalEntity": organization,
                            "share" if kind == "shares" else "ugcPost": urn,
                            "totalShareStatistics": stats,
                        }
                    )
        return Response(
            200, {"paging": {"count": 10, "start": 0, "links": []}, "elements": elements}
        )

    def userinfo(self, request: Request) -> Response:
        return Response(200, {"sub": "782bbtaQ", "name": "Alumni Relais", "email_verified": True})

    def organization(self, request: Request, org_id: str) -> Response:
        return Response(200, {"id": int(org_id), "localizedName": "Alumni", "vanityName": "alumni"})

    def organization_acls(self, request: Request) -> Response:
        """``GET /rest/organizationAcls?q=roleAssignee``: the member's roles on organisations."""
        if request.arg("q") != "roleAssignee":
            return Response(400, {"status": 400, "message": "q=roleAssignee is required"})
        role = request.arg("role")
        elements = [
            {
                "roleAssignee": "urn:li:person:782bbtaQ",
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": urn,
            }
            for urn in self.administered
            if role in ("", "ADMINISTRATOR")
        ]
        return Response(200, {"elements": elements, "paging": {"start": 0, "count": 10}})

    def token_endpoint(self, request: Request) -> Response:
        form = request.form
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
            or form.get("client_secret") != self.client_secret
        ):
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The refresh token is invalid, expired or revoked",
                },
            )
        with self.lock:
            self.refreshes += 1
            self.token = f"li-access-{self.refreshes}"
            self.valid_tokens.add(self.token)
        return Response(
            200,
            {
                "access_token": self.token,
                "expires_in": 5183999,
                "refresh_token": self.refresh_token,
                "refresh_token_expires_in": 31536000,
            },
        )
