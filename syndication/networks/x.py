"""X: a post with the link in the text (X wraps it in t.co and shows a card).

280 weighted characters counted by X's own rules (``twitter-text-parser``): URLs weigh 23,
CJK characters and emoji weigh 2. OAuth 2.0 user tokens expire after two hours and are
refreshed with the refresh token (which X rotates: the new one is handed to
``on_credentials_changed`` and must be stored).

Conversations: mentions (``GET /2/users/:id/mentions`` from ``since_id``) bring replies too, as
X names the person answered; a thread is read with the recent search
(``GET /2/tweets/search/recent?query=conversation_id:…``, the last 7 days). Both need an API
access level that includes reading: below it X answers 403, raised as a
:class:`~syndication.errors.CapabilityError`. An answer is a post with
``reply.in_reply_to_tweet_id``; a like is ``POST /2/users/:id/likes`` (scope ``like.write``).

Credentials: ``{"access_token", "refresh_token", "client_id", "client_secret" (confidential
clients only), "user_id" (optional)}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests
from twitter_text import parse_tweet

from syndication.conversations import (
    ANSWER,
    LIKE,
    MENTION,
    REPLY,
    Conversation,
    Message,
    Reply,
    text_matches,
)
from syndication.errors import PostRejected
from syndication.http import Client, parse_time
from syndication.metrics import (
    COMMENTS,
    IMPRESSIONS,
    LIKES,
    NOT_FOUND,
    PERMISSION,
    QUOTES,
    REFUSED,
    SAVES,
    SHARES,
    TIER,
    PostMetrics,
    Unavailable,
    all_unavailable,
    chunks,
    counts,
    unavailable_from,
)
from syndication.models import AccountInfo, Post, RemotePost, Segment
from syndication.registry import Network, PollLimits, register
from syndication.text import join_text, same_item


@register
class X(Network):
    name = "x"
    label = "X"
    max_length = 280
    url_length = 23
    max_hashtags = 2
    link_in_text = "full"
    token_refresh = True
    create_endpoint = "POST /2/tweets"
    #: ``CreatePostsPoll`` of ``POST /2/tweets``: 2-4 options of 1-25 characters, open 5
    #: minutes to 7 days (``duration_minutes``).
    poll_limits = PollLimits(max_options=4, option_length=25, min_seconds=300, max_seconds=604_800)
    pulls = frozenset({REPLY, MENTION})
    actions = frozenset({ANSWER, LIKE})
    pull_endpoints = (
        "GET /2/users/:id/mentions (since_id); "
        "GET /2/tweets/search/recent?query=conversation_id:… for a thread"
    )
    conversation_gaps = (
        "anything at an API access level without reads (the free level): X answers 403",
        "threads older than 7 days (the recent search), and threads at a level without search",
        "hiding a reply (not done by Relais)",
    )

    def measure(self, segments: Sequence[Segment]) -> int:
        return parse_tweet(join_text(segments)).weightedLength

    def fits(self, segments: Sequence[Segment]) -> bool:
        text = join_text(segments)
        result = parse_tweet(text)
        return bool(text.strip()) and result.valid and result.weightedLength <= self.max_length

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": post.text}
        if post.poll is not None:
            self.check_poll(post.poll)
            body["poll"] = {
                "options": list(post.poll.options),
                "duration_minutes": post.poll.seconds // 60,
            }
        return body


class XClient(Client):
    network_class = X
    default_base_url = "https://api.x.com"
    token_path = "/2/oauth2/token"  # noqa: S105 (a path, not a secret)

    @property
    def can_refresh(self) -> bool:
        return bool(self._cred("refresh_token") and self._cred("client_id"))

    def refresh(self) -> None:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": self._cred("refresh_token"),
            "client_id": self._cred("client_id"),
        }
        auth = None
        if self._cred("client_secret"):
            auth = requests.auth.HTTPBasicAuth(self._cred("client_id"), self._cred("client_secret"))
        response = self._send(
            "POST",
            f"{self.base_url}{self.token_path}",
            self.token_path,
            False,
            {},
            {"data": data, "auth": auth},
        )
        if response.status_code in (400, 401):  # the refresh token is expired or revoked
            raise self.reconnect_needed(
                f"the token has expired and X refused to renew it ({self.error_detail(response)})"
            )
        self._check("POST", self.token_path, response, False)  # 429, 5xx: try again later
        tokens = response.json()
        self._set_credentials(
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token") or self._cred("refresh_token"),
        )

    def error_detail(self, response: requests.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:300]
        errors = data.get("errors") if isinstance(data, dict) else None
        if errors and isinstance(errors, list):
            return "; ".join(str(e.get("message") or e.get("detail") or e) for e in errors)[:300]
        return super().error_detail(response)

    def publish(self, post: Post) -> RemotePost:
        data = self.request(
            "POST", "/2/tweets", creates=True, json=self.network.request_body(post)
        ).json()["data"]
        return RemotePost(id=str(data["id"]), url=self._url(str(data["id"])))

    def _url(self, tweet_id: str) -> str:
        username = self._cred("username")
        return (
            f"https://x.com/{username}/status/{tweet_id}"
            if username
            else f"https://x.com/i/web/status/{tweet_id}"
        )

    def _user_id(self) -> str:
        if not self._cred("user_id"):
            info = self.verify_credentials()
            self._set_credentials(user_id=info.id, username=info.handle)
        return str(self._cred("user_id"))

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        user = self._user_id()

        def pages() -> Iterator[list[dict[str, Any]]]:
            params: dict[str, Any] = {
                "max_results": 100,
                "tweet.fields": "entities,created_at",
                "exclude": "replies,retweets",
            }
            if since is not None:
                params["start_time"] = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            while True:
                data = self.request("GET", f"/2/users/{user}/tweets", params=params).json()
                yield data.get("data") or []
                token = (data.get("meta") or {}).get("next_token")
                if not token:
                    return
                params["pagination_token"] = token

        def match(tweet: dict[str, Any]) -> RemotePost | None:
            for url in ((tweet.get("entities") or {}).get("urls")) or []:
                if same_item(url.get("expanded_url") or "", post.item_url):
                    return RemotePost(id=str(tweet["id"]), url=self._url(str(tweet["id"])))
            return None

        return self.scan(pages(), match, lambda t: parse_time(t.get("created_at")), since)

    # -- conversations -------------------------------------------------------------------------

    tweet_fields = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id"

    def _read_pages(
        self, path: str, params: dict[str, Any], capability: str, what: str
    ) -> Iterator[dict[str, Any]]:
        """The answers of a paginated read (``meta.next_token``); a 403 is the access level."""
        params = dict(params)
        read = 0
        while read < self.max_scan:
            try:
                data = self.read(path, params=params).json()
            except PostRejected as exc:
                if exc.status == 403:
                    raise self.refused_access(capability, what, exc) from None
                raise
            yield data
            read += len(data.get("data") or [])
            token = (data.get("meta") or {}).get("next_token")
            if not token:
                return
            params["pagination_token"] = token

    def _messages(
        self, pages: Iterator[dict[str, Any]], me: str, ours: set[str]
    ) -> tuple[list[Message], str]:
        tweets: dict[str, Message] = {}
        newest = ""
        for data in pages:
            users = {
                str(u.get("id")): u
                for u in (data.get("includes") or {}).get("users") or []
                if isinstance(u, dict)
            }
            newest = max(newest, str((data.get("meta") or {}).get("newest_id") or ""), key=_order)
            for tweet in data.get("data") or []:
                if str(tweet.get("author_id")) == me:
                    continue
                message = self._message(tweet, users, me, ours)
                tweets[message.id] = message
        return sorted(tweets.values(), key=lambda m: _order(m.id)), newest

    def _message(
        self, tweet: dict[str, Any], users: dict[str, Any], me: str, ours: set[str]
    ) -> Message:
        parent = next(
            (str(r.get("id")) for r in _references(tweet) if r.get("type") == "replied_to"), ""
        )
        root = str(tweet.get("conversation_id") or tweet["id"])
        mine = root in ours or (
            parent == root and str(tweet.get("in_reply_to_user_id") or "") == me
        )
        author = users.get(str(tweet.get("author_id"))) or {}
        username = str(author.get("username") or "")
        tweet_id = str(tweet["id"])
        return Message(
            network=self.network.name,
            id=tweet_id,
            kind=REPLY if parent and (mine or tweet.get("in_reply_to_user_id") == me) else MENTION,
            text=str(tweet.get("text") or ""),
            author_handle=username,
            author_name=str(author.get("name") or ""),
            author_id=str(tweet.get("author_id") or ""),
            created_at=parse_time(tweet.get("created_at")),
            post=root if mine else "",
            parent=parent,
            root=root,
            url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        )

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """Mentions (replies included) newer than the cursor (a post id), oldest first."""
        me = self._user_id()
        params: dict[str, Any] = {
            "max_results": 100,
            "tweet.fields": self.tweet_fields,
            "expansions": "author_id",
            "user.fields": "username,name",
        }
        if since_cursor:
            params["since_id"] = since_cursor
        pages = self._read_pages(f"/2/users/{me}/mentions", params, "pull", "reading mentions")
        messages, newest = self._messages(pages, me, set(posts))
        return messages, max(since_cursor or "", newest, key=_order)

    def fetch_thread(self, message: Message) -> Conversation:
        """The posts of the message's conversation, by the recent search (7 days)."""
        params = {
            "query": f"conversation_id:{message.root or message.id}",
            "max_results": 100,
            "tweet.fields": self.tweet_fields,
            "expansions": "author_id",
            "user.fields": "username,name",
        }
        pages = self._read_pages(
            "/2/tweets/search/recent", params, "thread", "searching a conversation"
        )
        messages, _newest = self._messages(pages, "", {message.root} if message.post else set())
        return Conversation(root=message.root or message.id, messages=tuple(messages))

    def reply(self, reply: Reply) -> RemotePost:
        body = {"text": reply.text, "reply": {"in_reply_to_tweet_id": reply.message.id}}
        data = self.request("POST", "/2/tweets", creates=True, json=body).json()["data"]
        return RemotePost(id=str(data["id"]), url=self._url(str(data["id"])))

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The account's post answering the message with this text, in its own timeline."""
        user = self._user_id()

        def pages() -> Iterator[list[dict[str, Any]]]:
            params: dict[str, Any] = {
                "max_results": 100,
                "tweet.fields": "created_at,referenced_tweets",
            }
            if since is not None:
                params["start_time"] = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            for data in self._read_pages(
                f"/2/users/{user}/tweets", params, "reply", "reading the account's posts"
            ):
                yield data.get("data") or []

        def match(tweet: dict[str, Any]) -> RemotePost | None:
            answers = any(
                r.get("type") == "replied_to" and str(r.get("id")) == reply.message.id
                for r in _references(tweet)
            )
            if answers and text_matches(reply.text, tweet.get("text") or ""):
                return RemotePost(id=str(tweet["id"]), url=self._url(str(tweet["id"])))
            return None

        return self.scan(pages(), match, lambda t: parse_time(t.get("created_at")), since)

    def like(self, message: Message) -> None:
        try:
            self.request("POST", f"/2/users/{self._user_id()}/likes", json={"tweet_id": message.id})
        except PostRejected as exc:
            if exc.status == 403:
                raise self.refused_access("like", "liking a post", exc) from None
            raise

    #: ``Post.public_metrics`` of ``GET /2/tweets``. Link clicks are in ``non_public_metrics``,
    #: for the author's own posts of the last 30 days only, and not read here: the site's
    #: counter measures the visits those clicks bring.
    metric_fields = {
        "impression_count": IMPRESSIONS,
        "like_count": LIKES,
        "repost_count": SHARES,
        "reply_count": COMMENTS,
        "quote_count": QUOTES,
        "bookmark_count": SAVES,
    }
    metric_names = tuple(metric_fields.values())
    #: ``GET /2/tweets`` takes at most 100 ids.
    metrics_batch = 100

    def metrics(self, tweet_ids: list[str]) -> dict[str, PostMetrics]:
        """Public metrics of posts, 100 per request. A 403 is X's API tier (the app's access
        level does not include reading posts): every metric is unavailable, with X's words.
        Posts X reports in ``errors`` (deleted, protected) are unavailable, the others not."""
        out: dict[str, PostMetrics] = {}
        for chunk in chunks(tweet_ids, self.metrics_batch):
            params = {"ids": ",".join(chunk), "tweet.fields": "public_metrics"}
            try:
                data = self.request("GET", "/2/tweets", params=params).json()
            except PostRejected as exc:
                for tweet_id in chunk:
                    out[tweet_id] = all_unavailable(
                        self.metric_names, unavailable_from(exc, forbidden=TIER)
                    )
                continue
            found = {str(t.get("id")): t for t in data.get("data") or [] if isinstance(t, dict)}
            problems = {
                str(e.get("resource_id") or e.get("value")): e
                for e in data.get("errors") or []
                if isinstance(e, dict)
            }
            absent = Unavailable(REFUSED, "X's answer has no such count in public_metrics")
            for tweet_id in chunk:
                if tweet_id in found:
                    public = found[tweet_id].get("public_metrics") or {}
                    out[tweet_id] = counts(public, self.metric_fields, absent=absent)
                    continue
                problem = problems.get(tweet_id) or {}
                kind = PERMISSION if "not-authorized" in str(problem.get("type")) else NOT_FOUND
                reason = self.redact(str(problem.get("detail") or "X did not return this post"))
                out[tweet_id] = all_unavailable(self.metric_names, Unavailable(kind, reason))
        return out

    def verify_credentials(self) -> AccountInfo:
        data = self.request("GET", "/2/users/me").json()["data"]
        return AccountInfo(
            id=str(data["id"]),
            name=data.get("name", ""),
            handle=data.get("username", ""),
            url=f"https://x.com/{data.get('username', '')}",
        )


def _references(tweet: dict[str, Any]) -> list[dict[str, Any]]:
    """What a post answers or quotes: ``referenced_tweets`` as the API answers it,
    ``referenced_posts`` as its description 2.167 names it."""
    found = tweet.get("referenced_tweets") or tweet.get("referenced_posts") or []
    return [r for r in found if isinstance(r, dict)]


def _order(value: str) -> tuple[int, str]:
    """X ids are numbers written as strings: compare them as numbers."""
    return (len(value), value)


X.client_class = XClient
