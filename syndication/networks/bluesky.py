"""Bluesky (AT Protocol): a post whose link and hashtags are facets, with an external link card.

300 graphemes and 3,000 UTF-8 bytes of text (checked by the server: longer gives a 400). Links
and hashtags are not detected by the server: they are *facets*, UTF-8 byte ranges of the text
(:meth:`syndication.models.Post.facets`). The item's link shows as a short text
("alumni.example.org/parcours/de-sta…") whose facet carries the full URL with UTM; the card
(``app.bsky.embed.external``) repeats it with the title, the description and a thumbnail that
must be uploaded first (``uploadBlob``, 1,000,000 bytes at most).

Conversations: replies, mentions and quotes come from ``app.bsky.notification.listNotifications``
(answered by the App View through the account's server; read newest first down to the mark of
the last pull), threads from ``app.bsky.feed.getPostThread``. An answer is a post whose
``reply`` names the thread's root and the message as parent (``uri`` and ``cid`` each); it is
looked for in the account's own repository (``listRecords``), which holds it as soon as the
server accepted it. A like is an ``app.bsky.feed.like`` record. Bluesky offers no way for an
app to hide a reply in this library.

Credentials: ``{"identifier", "password"}`` (an app password) and/or a session
``{"did", "handle", "accessJwt", "refreshJwt"}``. Sessions are renewed with ``refreshSession``,
then with the app password; when both fail the account must be reconnected.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests
from PIL import Image

from syndication.conversations import (
    ANSWER,
    LIKE,
    MENTION,
    REPLY,
    Conversation,
    Message,
    Reply,
    Watermark,
    by_time,
    normal_time,
    text_matches,
)
from syndication.errors import DeliveryError, PermanentError, PostRejected, ReconnectNeeded
from syndication.http import Client, parse_time
from syndication.metrics import (
    COMMENTS,
    LIKES,
    NOT_FOUND,
    QUOTES,
    REFUSED,
    SHARES,
    PostMetrics,
    Unavailable,
    all_unavailable,
    chunks,
    counts,
    unavailable_from,
)
from syndication.models import AccountInfo, ImageRef, Post, RemotePost, Segment, facets_of
from syndication.registry import Network, register
from syndication.text import same_item

logger = logging.getLogger("syndication.bluesky")
POST_COLLECTION = "app.bsky.feed.post"
LIKE_COLLECTION = "app.bsky.feed.like"
MAX_BLOB_BYTES = 1_000_000


@register
class Bluesky(Network):
    name = "bluesky"
    label = "Bluesky"
    max_length = 300
    max_bytes = 3000
    max_hashtags = 3
    link_in_text = "short"
    card = True
    token_refresh = True
    mention_facets = True
    create_endpoint = "POST /xrpc/com.atproto.repo.createRecord"
    pulls = frozenset({REPLY, MENTION})
    actions = frozenset({ANSWER, LIKE})
    pull_endpoints = (
        "app.bsky.notification.listNotifications (reply, mention, quote), "
        "app.bsky.feed.getPostThread"
    )
    conversation_gaps = (
        "anything when the account's server has no App View (notifications and threads are "
        "answered by it)",
        "hiding a reply (thread gates are not set by Relais)",
    )

    def record(
        self, post: Post, thumb: dict[str, Any] | None = None, created_at: str | None = None
    ) -> dict[str, Any]:
        """The ``app.bsky.feed.post`` record. Without ``thumb`` (dry run) a card image shows as
        ``{"pending_upload": <path or URL>}``: it is uploaded only when really posting."""
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": created_at or _now_iso(),
            "langs": [post.lang],
        }
        facets = post.facets()
        if facets:
            record["facets"] = facets
        if post.card is not None:
            external: dict[str, Any] = {
                "uri": post.card.url,
                "title": post.card.title,
                "description": post.card.description,
            }
            if thumb is not None:
                external["thumb"] = thumb
            elif post.card.image is not None and (post.card.image.path or post.card.image.url):
                external["thumb"] = {"pending_upload": post.card.image.path or post.card.image.url}
            record["embed"] = {"$type": "app.bsky.embed.external", "external": external}
        return record

    def request_body(
        self,
        post: Post,
        account: Mapping[str, Any] | None = None,
        thumb: dict[str, Any] | None = None,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        return {
            "repo": (account or {}).get("did") or "<account DID>",
            "collection": POST_COLLECTION,
            "record": self.record(post, thumb, created_at),
        }


def _now_iso(now: float | None = None) -> str:
    when = dt.datetime.fromtimestamp(now, dt.UTC) if now is not None else dt.datetime.now(dt.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BlueskyClient(Client):
    network_class = Bluesky
    default_base_url = "https://bsky.social"
    #: Where posts are seen on the web: ``<web_url>/profile/<handle>/post/<rkey>``.
    web_url = "https://bsky.app"
    # -- session -------------------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        if not self._cred("accessJwt"):
            self.create_session()
        return {"Authorization": f"Bearer {self._cred('accessJwt')}"}

    def create_session(self) -> None:
        if not (self._cred("identifier") and self._cred("password")):
            raise self.reconnect_needed("the session has expired and no app password is stored")
        path = "/xrpc/com.atproto.server.createSession"
        body = {"identifier": self._cred("identifier"), "password": self._cred("password")}
        response = self._send("POST", f"{self.base_url}{path}", path, False, {}, {"json": body})
        if response.status_code in (400, 401):
            raise self.reconnect_needed(
                f"Bluesky refused the app password ({self.error_detail(response)})"
            )
        data = self._check("POST", path, response, False).json()
        self._set_credentials(
            did=data["did"],
            handle=data.get("handle", ""),
            accessJwt=data["accessJwt"],
            refreshJwt=data["refreshJwt"],
        )

    def is_auth_failure(self, response: requests.Response) -> bool:
        if response.status_code == 401:
            return True
        return response.status_code == 400 and self._error_name(response) in (
            "ExpiredToken",
            "InvalidToken",
        )

    @property
    def can_refresh(self) -> bool:
        return bool(self._cred("refreshJwt") or self._cred("password"))

    def refresh(self) -> None:
        if self._cred("refreshJwt"):
            path = "/xrpc/com.atproto.server.refreshSession"
            headers = {"Authorization": f"Bearer {self._cred('refreshJwt')}"}
            response = self._send("POST", f"{self.base_url}{path}", path, False, headers, {})
            if response.status_code == 200:
                data = response.json()
                self._set_credentials(
                    did=data["did"],
                    handle=data.get("handle", ""),
                    accessJwt=data["accessJwt"],
                    refreshJwt=data["refreshJwt"],
                )
                return
            logger.info("Bluesky: refreshSession refused (%s)", response.status_code)
        self._set_credentials(accessJwt="", refreshJwt="")
        self.create_session()

    @staticmethod
    def _error_name(response: requests.Response) -> str:
        try:
            return str(response.json().get("error") or "")
        except (ValueError, AttributeError):
            return ""

    def error_detail(self, response: requests.Response) -> str:
        try:
            data = response.json()
            return f"{data.get('error', '')}: {data.get('message', '')}".strip(": ")
        except (ValueError, AttributeError):
            return response.text[:300]

    def _did(self) -> str:
        if not self._cred("did"):
            self.create_session()
        return str(self._cred("did"))

    # -- posting -------------------------------------------------------------------------------

    def upload_blob(self, image: ImageRef) -> dict[str, Any] | None:
        """Upload a card thumbnail; None (and a log line) when it cannot be had."""
        loaded = self.image_bytes(image)
        if loaded is None:
            return None
        data, mime = loaded
        if len(data) > MAX_BLOB_BYTES:
            data, mime = _shrink(data), "image/jpeg"
            if len(data) > MAX_BLOB_BYTES:
                logger.warning("Bluesky: card image over 1 MB even shrunk; posting without it")
                return None
        response = self.request(
            "POST", "/xrpc/com.atproto.repo.uploadBlob", data=data, headers={"Content-Type": mime}
        )
        return response.json()["blob"]

    def resolve_mentions(self, post: Post) -> None:
        """Turn the handles of ``post``'s mentions into DIDs
        (``com.atproto.identity.resolveHandle``), so that they become mention facets; a
        handle the network does not know stays plain text."""
        segments = []
        for seg in post.segments:
            if seg.kind == "mention" and not seg.value.startswith("did:"):
                try:
                    did = self.read(
                        "/xrpc/com.atproto.identity.resolveHandle", params={"handle": seg.value}
                    ).json()["did"]
                except ReconnectNeeded:
                    raise
                except (PermanentError, KeyError, ValueError):
                    seg = Segment(seg.text)
                else:
                    seg = Segment(seg.text, "mention", str(did))
            segments.append(seg)
        post.segments = segments

    def publish(self, post: Post) -> RemotePost:
        self.resolve_mentions(post)
        thumb = None
        if post.card is not None and post.card.image is not None:
            thumb = self.upload_blob(post.card.image)
        body = self.network.request_body(
            post, {"did": self._did()}, thumb=thumb, created_at=_now_iso(self.clock())
        )
        if (
            body["record"]
            .get("embed", {})
            .get("external", {})
            .get("thumb", {})
            .get("pending_upload")
        ):
            del body["record"]["embed"]["external"]["thumb"]
        data = self.request(
            "POST", "/xrpc/com.atproto.repo.createRecord", creates=True, json=body
        ).json()
        return RemotePost(id=data["uri"], url=self.web_link(data["uri"]))

    def web_link(self, uri: str) -> str:
        rkey = uri.rsplit("/", 1)[-1]
        return f"{self.web_url}/profile/{self._cred('handle') or self._did()}/post/{rkey}"

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        def pages() -> Iterator[list[dict[str, Any]]]:
            params: dict[str, Any] = {
                "repo": self._did(),
                "collection": POST_COLLECTION,
                "limit": 100,
            }
            while True:
                data = self.request(
                    "GET", "/xrpc/com.atproto.repo.listRecords", params=params
                ).json()
                yield data.get("records") or []
                if not data.get("cursor"):
                    return
                params["cursor"] = data["cursor"]

        def match(entry: dict[str, Any]) -> RemotePost | None:
            value = entry.get("value") or {}
            links = [((value.get("embed") or {}).get("external") or {}).get("uri") or ""]
            for facet in value.get("facets") or []:
                links += [f.get("uri") or "" for f in facet.get("features") or []]
            if any(same_item(u, post.item_url) for u in links):
                return RemotePost(id=entry["uri"], url=self.web_link(entry["uri"]))
            return None

        return self.scan(
            pages(), match, lambda e: parse_time((e.get("value") or {}).get("createdAt")), since
        )

    def verify_credentials(self) -> AccountInfo:
        data = self.request("GET", "/xrpc/com.atproto.server.getSession").json()
        return AccountInfo(
            id=data["did"],
            name=data.get("handle", ""),
            handle=data.get("handle", ""),
            url=f"{self.web_url}/profile/{data.get('handle') or data['did']}",
        )

    # -- conversations -------------------------------------------------------------------------

    #: Notification reasons pulled, and the kind each becomes.
    reasons = {"reply": REPLY, "mention": MENTION, "quote": MENTION}
    #: How far back each read looks again: a notification's time is its post's time, and the
    #: App View may list a post some time after it was written (while it indexes), behind ones
    #: already read; the ids read in that window are kept, so nothing comes twice.
    conversation_lookback = dt.timedelta(minutes=15)

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """Replies, mentions and quotes not read yet, oldest first. The notifications are
        read newest first, down to the cursor's mark less :attr:`conversation_lookback` (the
        cursor is that mark, not the API's paging cursor, which only goes back in time)."""
        me = self._did()
        mark = Watermark.from_json(json.loads(since_cursor)) if since_cursor else Watermark()
        entries: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 50}
        while len(entries) < self.max_scan:
            data = self.read("/xrpc/app.bsky.notification.listNotifications", params=params).json()
            page = [n for n in data.get("notifications") or [] if isinstance(n, dict)]
            entries += page
            floor = mark.floor(self.conversation_lookback)
            older = [n for n in page if normal_time(str(n.get("indexedAt") or "")) < floor]
            if not page or older or not data.get("cursor"):
                break
            params["cursor"] = data["cursor"]
        fresh, new_mark = mark.fresh(
            entries,
            lambda n: str(n.get("indexedAt") or ""),
            lambda n: str(n.get("uri")),
            lookback=self.conversation_lookback,
        )
        messages = [
            self._message(
                n["uri"], n.get("cid") or "", n.get("author") or {}, n.get("record"), me, kind
            )
            for n in fresh
            if (kind := self.reasons.get(str(n.get("reason")))) is not None
            and (n.get("author") or {}).get("did") != me
        ]
        return by_time(messages), json.dumps(new_mark.as_json())

    def _message(
        self,
        uri: str,
        cid: str,
        author: dict[str, Any],
        record: Any,
        me: str,
        kind: str,
    ) -> Message:
        record = record if isinstance(record, dict) else {}
        reply = record.get("reply") or {}
        parent = (reply.get("parent") or {}).get("uri") or ""
        root = reply.get("root") or {}
        root_uri = root.get("uri") or uri
        ours = root_uri.startswith(f"at://{me}/")
        handle = str(author.get("handle") or "")
        rkey = uri.rsplit("/", 1)[-1]
        return Message(
            network=self.network.name,
            id=uri,
            kind=REPLY if parent and ours else kind,
            text=str(record.get("text") or ""),
            author_handle=handle,
            author_name=str(author.get("displayName") or ""),
            author_id=str(author.get("did") or ""),
            created_at=parse_time(record.get("createdAt")),
            post=root_uri if ours and parent else "",
            parent=parent,
            root=root_uri,
            url=f"{self.web_url}/profile/{handle or author.get('did')}/post/{rkey}",
            refs={"cid": cid, "root_cid": root.get("cid") or cid},
        )

    def fetch_thread(self, message: Message) -> Conversation:
        """The thread from its root (``getPostThread``), oldest first."""
        me = self._did()
        data = self.request(
            "GET",
            "/xrpc/app.bsky.feed.getPostThread",
            params={"uri": message.root or message.id, "depth": 20, "parentHeight": 0},
        ).json()
        found: list[Message] = []

        def walk(node: Any) -> None:
            if not isinstance(node, dict) or "post" not in node:
                return
            post = node["post"]
            found.append(
                self._message(
                    post["uri"],
                    post.get("cid") or "",
                    post.get("author") or {},
                    post.get("record"),
                    me,
                    MENTION,
                )
            )
            for child in node.get("replies") or []:
                walk(child)

        walk(data.get("thread"))
        return Conversation(root=message.root or message.id, messages=tuple(by_time(found)))

    def reply(self, reply: Reply) -> RemotePost:
        message = reply.message
        cid = message.refs.get("cid")
        if not cid:
            raise PostRejected(
                "Bluesky: the message has no cid (it was not read by fetch_conversations); "
                "pull the conversations again before answering it.",
                network=self.network.name,
            )
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": reply.text,
            "createdAt": _now_iso(self.clock()),
            "reply": {
                "root": {
                    "uri": message.root or message.id,
                    "cid": message.refs.get("root_cid") or cid,
                },
                "parent": {"uri": message.id, "cid": cid},
            },
        }
        facets = facets_of(list(reply.segments))
        if facets:
            record["facets"] = facets
        body = {"repo": self._did(), "collection": POST_COLLECTION, "record": record}
        data = self.request(
            "POST", "/xrpc/com.atproto.repo.createRecord", creates=True, json=body
        ).json()
        return RemotePost(id=data["uri"], url=self.web_link(data["uri"]))

    def _records(self, collection: str) -> Iterator[list[dict[str, Any]]]:
        params: dict[str, Any] = {"repo": self._did(), "collection": collection, "limit": 100}
        while True:
            data = self.request("GET", "/xrpc/com.atproto.repo.listRecords", params=params).json()
            yield data.get("records") or []
            if not data.get("cursor"):
                return
            params["cursor"] = data["cursor"]

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The account's post answering the message with this text, in its own repository."""

        def match(entry: dict[str, Any]) -> RemotePost | None:
            value = entry.get("value") or {}
            parent = ((value.get("reply") or {}).get("parent") or {}).get("uri")
            if parent == reply.message.id and text_matches(reply.text, value.get("text") or ""):
                return RemotePost(id=entry["uri"], url=self.web_link(entry["uri"]))
            return None

        return self.scan(
            self._records(POST_COLLECTION),
            match,
            lambda e: parse_time((e.get("value") or {}).get("createdAt")),
            since,
        )

    def like(self, message: Message) -> None:
        """A like record, unless the account's newest likes already have one for it."""
        first = next(self._records(LIKE_COLLECTION), [])
        if any(
            ((e.get("value") or {}).get("subject") or {}).get("uri") == message.id for e in first
        ):
            return
        record = {
            "$type": LIKE_COLLECTION,
            "subject": {"uri": message.id, "cid": message.refs.get("cid") or ""},
            "createdAt": _now_iso(self.clock()),
        }
        self.request(
            "POST",
            "/xrpc/com.atproto.repo.createRecord",
            json={"repo": self._did(), "collection": LIKE_COLLECTION, "record": record},
        )

    #: ``app.bsky.feed.getPosts`` (answered by the App View, through the PDS): likes, reposts,
    #: replies, quotes. Bluesky counts no views and no clicks.
    metric_fields = {
        "likeCount": LIKES,
        "repostCount": SHARES,
        "replyCount": COMMENTS,
        "quoteCount": QUOTES,
    }
    metric_names = tuple(metric_fields.values())
    #: ``getPosts`` takes at most 25 URIs.
    metrics_batch = 25

    def metrics(self, uris: list[str]) -> dict[str, PostMetrics]:
        """Like, repost, reply and quote counts of posts, read through the App View. A post the
        App View does not return (deleted, not indexed) is unavailable, not zero."""
        out: dict[str, PostMetrics] = {}
        for chunk in chunks(uris, self.metrics_batch):
            try:
                data = self.request(
                    "GET", "/xrpc/app.bsky.feed.getPosts", params={"uris": chunk}
                ).json()
            except PostRejected as exc:
                for uri in chunk:
                    out[uri] = all_unavailable(self.metric_names, unavailable_from(exc))
                continue
            views = {p.get("uri"): p for p in data.get("posts") or [] if isinstance(p, dict)}
            gone = Unavailable(
                NOT_FOUND, "the App View does not return this post (deleted, or not indexed)"
            )
            absent = Unavailable(REFUSED, "the App View's answer has no such count")
            for uri in chunk:
                view = views.get(uri)
                out[uri] = (
                    counts(view, self.metric_fields, absent=absent)
                    if view is not None
                    else all_unavailable(self.metric_names, gone)
                )
        return out


def _shrink(data: bytes) -> bytes:
    """Re-encode an image as a JPEG of at most 1200 px wide (Pillow), to fit Bluesky's 1 MB."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("RGB")
            img.thumbnail((1200, 1200))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError) as exc:
        raise DeliveryError(
            f"Bluesky: the card image cannot be read ({exc})", network="bluesky"
        ) from None


Bluesky.client_class = BlueskyClient
