"""Facebook Pages: a link post (``message`` + ``link``); Facebook builds the card from the page.

The message may be 63,206 characters long; the composer keeps it short anyway. The link is not
repeated in the message. Existing posts are found through the ``attachments`` edge of the Page's
posts (``unshimmed_url``): the ``link`` field is not a field of a Page post in Meta's own
node description (``PagePost``; the tests keep an excerpt in ``tests/fixtures/contracts/meta``).

Conversations: the comments of the Page's posts (``GET /{post-id}/comments`` with
``filter=stream``: answers between commenters included, each with its ``parent``), read from a
mark per post; an answer is ``POST /{comment-id}/comments`` (Facebook threads are two levels
deep: an answer to an answer goes under the first comment), a like ``POST /{comment-id}/likes``,
hiding ``POST /{comment-id}`` with ``is_hidden``. Mentions of the Page elsewhere come only by
webhook. Reading comments needs ``pages_read_engagement`` (and ``pages_read_user_content`` for
their authors); answering, liking and hiding need ``pages_manage_engagement``.

Credentials: ``{"page_id", "access_token"}`` (a long-lived Page token; no refresh exists).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from syndication.conversations import (
    ANSWER,
    COMMENT,
    HIDE,
    LIKE,
    Message,
    Reply,
    Watermark,
    pull_posts,
    text_matches,
)
from syndication.http import parse_time
from syndication.metrics import (
    CLICKS,
    COMMENTS,
    IMPRESSIONS,
    LIKES,
    NOT_FOUND,
    REACH,
    REFUSED,
    RETIRED,
    SHARES,
    PostMetrics,
    Unavailable,
)
from syndication.models import AccountInfo, Post, RemotePost, Segment
from syndication.networks._graph import GraphClient
from syndication.registry import Network, register
from syndication.text import join_text, same_item, utf16_len


@register
class Facebook(Network):
    name = "facebook"
    label = "Facebook"
    max_length = 63206
    max_hashtags = 3
    link_in_text = "none"
    create_endpoint = "POST /{page-id}/feed"
    pulls = frozenset({COMMENT})
    actions = frozenset({ANSWER, LIKE, HIDE})
    #: A comment may be 8,000 characters long.
    reply_max_length = 8000
    pull_endpoints = "GET /{post-id}/comments?filter=stream&order=chronological&since=…"
    conversation_gaps = (
        "mentions of the Page in other people's posts (Meta sends them by webhook only)",
        "who wrote a comment, when the token lacks pages_read_user_content",
        "comments on posts Relais did not make",
    )

    def measure(self, segments: Sequence[Segment]) -> int:
        return utf16_len(join_text(segments))

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = {"message": post.text, "link": post.link, "published": "true"}
        if not post.link:  # a message without a link (a question, a thank-you)
            del body["link"]
        return body


def _unshim(url: str) -> str:
    """Facebook wraps outgoing links as l.facebook.com/l.php?u=<url>: the real one."""
    parts = urlsplit(url)
    if parts.netloc.startswith(("l.facebook.com", "lm.facebook.com")):
        return parse_qs(parts.query).get("u", [url])[0]
    return url


class FacebookClient(GraphClient):
    network_class = Facebook

    def _page(self) -> str:
        page = self._cred("page_id")
        if not page:
            raise self.reconnect_needed("no Page id is stored for this account")
        return str(page)

    def publish(self, post: Post) -> RemotePost:
        body = self.network.request_body(post)
        data = self.request("POST", self.path(self._page(), "feed"), creates=True, data=body).json()
        post_id = str(data["id"])
        return RemotePost(
            id=post_id,
            url=self.permalink(post_id, "permalink_url", f"https://www.facebook.com/{post_id}"),
        )

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        fields = "message,created_time,permalink_url,attachments{unshimmed_url,url}"
        pages = self.edge_pages(self.path(self._page(), "posts"), {"fields": fields, "limit": 50})

        def match(entry: dict[str, Any]) -> RemotePost | None:
            attachments = ((entry.get("attachments") or {}).get("data")) or []
            urls = [_unshim(a.get("unshimmed_url") or a.get("url") or "") for a in attachments]
            if any(same_item(u, post.item_url) for u in urls):
                return RemotePost(id=str(entry["id"]), url=entry.get("permalink_url") or "")
            return None

        return self.scan(pages, match, lambda e: parse_time(e.get("created_time")), since)

    #: Read on the post: reactions (all kinds: like, love...) and comments through the
    #: summaries of their edges, shares from the ``shares`` field.
    node_fields = {"reactions": LIKES, "comments": COMMENTS, "shares": SHARES}
    node_query = (
        "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
    )
    #: Lifetime post insights still offered (``post_impressions*`` were retired in 2025).
    insight_metrics = {
        "post_media_view": IMPRESSIONS,
        "post_total_media_view_unique": REACH,
        "post_clicks": CLICKS,
    }
    metric_names = (*node_fields.values(), *insight_metrics.values())

    def metrics(self, post_ids: list[str]) -> dict[str, PostMetrics]:
        """Reactions, comments, shares, then each insight asked alone: a retired or refused
        insight is unavailable and the others are still read."""
        return {
            post_id: self.post_metrics(post_id, gone=NOT_FOUND, retired=RETIRED)
            for post_id in post_ids
        }

    def node_counts(self, node: dict[str, Any]) -> PostMetrics:
        absent = Unavailable(REFUSED, "Facebook's answer has no such summary")
        values: PostMetrics = {}
        for edge in ("reactions", "comments"):
            total = ((node.get(edge) or {}).get("summary") or {}).get("total_count")
            values[self.node_fields[edge]] = total if isinstance(total, int) else absent
        # Facebook leaves ``shares`` out of a post nobody shared: absent here means none.
        shares = (node.get("shares") or {}).get("count", 0)
        values[SHARES] = shares if isinstance(shares, int) else absent
        return values

    # -- conversations -------------------------------------------------------------------------

    comment_fields = "id,message,from,created_time,parent{id},permalink_url"

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """The comments of ``posts`` newer than each post's mark in the cursor."""
        page = self._page()

        def read(post_id: str, mark: Watermark) -> tuple[list[Message], Watermark]:
            params: dict[str, Any] = {
                "fields": self.comment_fields,
                "filter": "stream",
                "order": "chronological",
                "limit": 100,
            }
            since = parse_time(mark.time)
            if since is not None:
                params["since"] = int(since.timestamp())
            entries = self.read_edge(
                self.path(post_id, "comments"), params, "pull", "reading the comments"
            )
            fresh, new_mark = self.fresh_comments(mark, entries, "created_time")
            found = [
                self._comment(c, post_id)
                for c in fresh
                if str((c.get("from") or {}).get("id") or "") != page
            ]
            return found, new_mark

        return pull_posts(posts, since_cursor, read)

    def _comment(self, comment: dict[str, Any], post_id: str) -> Message:
        author = comment.get("from") or {}
        parent = str((comment.get("parent") or {}).get("id") or "")
        return Message(
            network=self.network.name,
            id=str(comment["id"]),
            kind=COMMENT,
            text=str(comment.get("message") or ""),
            author_name=str(author.get("name") or ""),
            author_id=str(author.get("id") or ""),
            created_at=parse_time(comment.get("created_time")),
            post=post_id,
            parent=parent or post_id,
            root=post_id,
            url=str(comment.get("permalink_url") or ""),
            refs={"thread": parent or str(comment["id"])},
        )

    def _thread(self, message: Message) -> str:
        return message.refs.get("thread") or message.id

    def reply(self, reply: Reply) -> RemotePost:
        path = self.path(self._thread(reply.message), "comments")
        data = self.capability_call(
            "reply",
            "answering a comment",
            lambda: self.request("POST", path, creates=True, data={"message": reply.text}).json(),
        )
        comment_id = str(data["id"])
        return RemotePost(id=comment_id, url=f"https://www.facebook.com/{comment_id}")

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The Page's answer with this text under the comment's thread."""
        page = self._page()
        params = {
            "fields": "id,message,from,created_time,permalink_url",
            "order": "reverse_chronological",
            "limit": 100,
        }
        path = self.path(self._thread(reply.message), "comments")
        for comment in self.read_edge(path, params, "reply", "reading a comment's answers"):
            if str((comment.get("from") or {}).get("id")) == page and text_matches(
                reply.text, comment.get("message") or ""
            ):
                comment_id = str(comment["id"])
                return RemotePost(
                    id=comment_id,
                    url=comment.get("permalink_url") or f"https://www.facebook.com/{comment_id}",
                )
        return None

    def like(self, message: Message) -> None:
        path = self.path(message.id, "likes")
        self.capability_call("like", "liking a comment", lambda: self.request("POST", path))

    def hide(self, message: Message, hidden: bool = True) -> None:
        data = {"is_hidden": "true" if hidden else "false"}
        path = self.path(message.id)
        self.capability_call(
            "hide", "hiding a comment", lambda: self.request("POST", path, data=data)
        )

    def verify_credentials(self) -> AccountInfo:
        data = self.request(
            "GET", self.path(self._page()), params={"fields": "id,name,link"}
        ).json()
        return AccountInfo(id=str(data["id"]), name=data.get("name", ""), url=data.get("link", ""))


Facebook.client_class = FacebookClient
