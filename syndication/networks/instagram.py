"""Instagram: an image with a caption; the item's link is written in the caption (not clickable).

An item without image cannot go to Instagram: it is skipped with a reason. The image must be at a
public URL that Meta fetches. Caption: 2,200 characters (counted here in UTF-16 units, never
shorter than Meta's count), at most 30 hashtags. Publishing takes two calls: a media container
(``POST /{ig-user-id}/media``, harmless: it is not visible) then ``media_publish`` (the call that
makes the post, the one whose outcome may be uncertain). 50 posts per 24 h per account.
Meta fetches and processes the image after the first call; ``media_publish`` on a container it
has not finished is refused with code 9007, subcode 2207027 ("the media is not ready"): nothing
was published, so the client waits a little and asks again (:attr:`InstagramClient.publish_waits`),
then leaves it to the delivery policy's next attempt.

Conversations: the comments of the account's media (``GET /{media-id}/comments``, with their
``replies`` expanded), read from a mark per media; an answer is ``POST /{comment-id}/replies``
(Instagram threads are two levels deep: an answer to an answer goes under the first comment),
hiding ``POST /{comment-id}`` with ``hide``. The API cannot like a comment, and mentions of the
account come by webhook only. Reading and answering need ``instagram_manage_comments``.

Credentials: ``{"ig_user_id", "access_token", "username" (optional)}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import requests

from syndication.conversations import (
    ANSWER,
    COMMENT,
    HIDE,
    Message,
    Reply,
    Watermark,
    pull_posts,
    text_matches,
)
from syndication.errors import NotSyndicable, TransientError
from syndication.http import parse_time
from syndication.metrics import (
    COMMENTS,
    HIDDEN,
    IMPRESSIONS,
    LIKES,
    NOT_FOUND,
    REACH,
    REFUSED,
    RETIRED,
    SAVES,
    SHARES,
    PostMetrics,
    Unavailable,
    counts,
)
from syndication.models import AccountInfo, Item, Post, RemotePost, Segment
from syndication.networks._graph import GraphClient
from syndication.registry import Network, register
from syndication.text import URL_RE, join_text, same_item, utf16_len


@register
class Instagram(Network):
    name = "instagram"
    label = "Instagram"
    max_length = 2200
    max_hashtags = 30
    hashtag_limit = 30
    link_in_text = "full"
    link_clickable = False
    requires_image = True
    create_endpoint = "POST /{ig-user-id}/media, then POST /{ig-user-id}/media_publish"
    pulls = frozenset({COMMENT})
    actions = frozenset({ANSWER, HIDE})
    pull_endpoints = "GET /{media-id}/comments?fields=…,replies{…}"
    conversation_gaps = (
        "liking a comment: the Instagram API cannot",
        "mentions of the account in other people's posts (Meta sends them by webhook only)",
        "the names of commenters (only their username)",
    )

    def measure(self, segments: Sequence[Segment]) -> int:
        return utf16_len(join_text(segments))

    def check_item(self, item: Item) -> None:
        if item.image is None or not item.image.url:
            raise NotSyndicable(
                "Instagram only publishes images and this item has no image at a public URL: "
                "add an image to the item, or leave Instagram out for it.",
                network=self.name,
            )

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = {"image_url": post.image.url if post.image else "", "caption": post.text}
        if post.image is not None and post.image.alt:
            body["alt_text"] = post.image.alt
        return body


#: Meta's answer to ``media_publish`` on a container whose image is still being processed.
NOT_READY = (9007, 2207027)


class MediaNotReady(TransientError):
    """Instagram has not finished processing the image: nothing was published, ask again."""


class InstagramClient(GraphClient):
    network_class = Instagram
    #: Seconds waited before each new ``media_publish`` of a container Instagram is still
    #: processing (images take a few seconds at most).
    publish_waits: ClassVar[tuple[float, ...]] = (1.0, 2.0, 4.0)

    def _check(
        self, method: str, path: str, response: requests.Response, creates: bool
    ) -> requests.Response:
        error = self._error(response)
        if (
            path.endswith("/media_publish")
            and (error.get("code"), error.get("error_subcode")) == NOT_READY
        ):
            raise MediaNotReady(
                f"{self.label}: the image is still being processed by Instagram "
                f"({self.redact(self.error_detail(response))}); nothing was published, "
                "it will be tried again.",
                network=self.network.name,
                status=response.status_code,
                retry_after=60.0,
            )
        return super()._check(method, path, response, creates)

    def _user(self) -> str:
        user = self._cred("ig_user_id")
        if not user:
            raise self.reconnect_needed("no Instagram account id is stored for this account")
        return str(user)

    def publish(self, post: Post) -> RemotePost:
        container = self.request(
            "POST", self.path(self._user(), "media"), data=self.network.request_body(post)
        ).json()["id"]
        for wait in (*self.publish_waits, None):
            try:
                data = self.request(
                    "POST",
                    self.path(self._user(), "media_publish"),
                    creates=True,
                    data={"creation_id": container},
                ).json()
                break
            except MediaNotReady:
                if wait is None:
                    raise
                self.sleep(wait)
        media_id = str(data["id"])
        return RemotePost(id=media_id, url=self.permalink(media_id, "permalink", ""))

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        params = {"fields": "id,caption,permalink,timestamp", "limit": 50}
        pages = self.edge_pages(self.path(self._user(), "media"), params)

        def match(media: dict[str, Any]) -> RemotePost | None:
            urls = URL_RE.findall(media.get("caption") or "")
            if any(same_item(u, post.item_url) for u in urls):
                return RemotePost(id=str(media["id"]), url=media.get("permalink") or "")
            return None

        return self.scan(pages, match, lambda m: parse_time(m.get("timestamp")), since)

    #: IGMedia fields. Instagram leaves ``like_count`` out when the owner hides like counts.
    node_fields = {"like_count": LIKES, "comments_count": COMMENTS}
    node_query = "like_count,comments_count"
    #: Media insights (``impressions`` and ``plays`` were retired in 2025 for ``views``); they
    #: need the ``instagram_manage_insights`` permission.
    insight_metrics = {"views": IMPRESSIONS, "reach": REACH, "saved": SAVES, "shares": SHARES}
    metric_names = (*node_fields.values(), *insight_metrics.values())

    def metrics(self, media_ids: list[str]) -> dict[str, PostMetrics]:
        """Likes and comments of each media, then each insight asked alone."""
        return {
            media_id: self.post_metrics(media_id, gone=NOT_FOUND, retired=RETIRED)
            for media_id in media_ids
        }

    def node_counts(self, node: dict[str, Any]) -> PostMetrics:
        hidden = Unavailable(HIDDEN, "the account hides its like counts")
        absent = Unavailable(REFUSED, "Instagram's answer has no comment count")
        return {
            **counts(node, {"like_count": LIKES}, absent=hidden),
            **counts(node, {"comments_count": COMMENTS}, absent=absent),
        }

    # -- conversations -------------------------------------------------------------------------

    comment_fields = "id,text,username,timestamp"

    def _username(self) -> str:
        if not self._cred("username"):
            self._set_credentials(username=self.verify_credentials().handle)
        return str(self._cred("username"))

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """The comments (and their replies) of ``posts`` newer than each media's mark."""
        me = self._username()
        fields = f"{self.comment_fields},replies{{{self.comment_fields}}}"

        def read(media_id: str, mark: Watermark) -> tuple[list[Message], Watermark]:
            entries: list[dict[str, Any]] = []
            for comment in self.read_edge(
                self.path(media_id, "comments"),
                {"fields": fields, "limit": 50},
                "pull",
                "reading the comments",
            ):
                entries.append({**comment, "_thread": str(comment["id"]), "_parent": media_id})
                for answer in (comment.get("replies") or {}).get("data") or []:
                    entries.append(
                        {**answer, "_thread": str(comment["id"]), "_parent": str(comment["id"])}
                    )
            fresh, new_mark = self.fresh_comments(mark, entries, "timestamp")
            return [self._comment(c, media_id) for c in fresh if c.get("username") != me], new_mark

        return pull_posts(posts, since_cursor, read)

    def _comment(self, comment: dict[str, Any], media_id: str) -> Message:
        username = str(comment.get("username") or "")
        return Message(
            network=self.network.name,
            id=str(comment["id"]),
            kind=COMMENT,
            text=str(comment.get("text") or ""),
            author_handle=username,
            created_at=parse_time(comment.get("timestamp")),
            post=media_id,
            parent=comment["_parent"],
            root=media_id,
            url=f"https://www.instagram.com/{username}/" if username else "",
            refs={"thread": comment["_thread"]},
        )

    def _thread(self, message: Message) -> str:
        return message.refs.get("thread") or message.id

    def reply(self, reply: Reply) -> RemotePost:
        path = self.path(self._thread(reply.message), "replies")
        data = self.capability_call(
            "reply",
            "answering a comment",
            lambda: self.request("POST", path, creates=True, data={"message": reply.text}).json(),
        )
        return RemotePost(id=str(data["id"]))

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The account's answer with this text among the comment's replies."""
        me = self._username()
        path = self.path(self._thread(reply.message), "replies")
        params = {"fields": self.comment_fields, "limit": 50}
        for answer in self.read_edge(path, params, "reply", "reading a comment's replies"):
            if answer.get("username") == me and text_matches(reply.text, answer.get("text") or ""):
                return RemotePost(id=str(answer["id"]))
        return None

    def hide(self, message: Message, hidden: bool = True) -> None:
        data = {"hide": "true" if hidden else "false"}
        path = self.path(message.id)
        self.capability_call(
            "hide", "hiding a comment", lambda: self.request("POST", path, data=data)
        )

    def verify_credentials(self) -> AccountInfo:
        data = self.request("GET", self.path(self._user()), params={"fields": "id,username"}).json()
        username = data.get("username", "")
        return AccountInfo(
            id=str(data["id"]),
            name=username,
            handle=username,
            url=f"https://www.instagram.com/{username}/" if username else "",
        )


Instagram.client_class = InstagramClient
