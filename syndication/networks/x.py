"""X: a post with the link in the text (X wraps it in t.co and shows a card).

280 weighted characters counted by X's own rules (``twitter-text-parser``): URLs weigh 23,
CJK characters and emoji weigh 2. OAuth 2.0 user tokens expire after two hours and are
refreshed with the refresh token (which X rotates: the new one is handed to
``on_credentials_changed`` and must be stored).

Credentials: ``{"access_token", "refresh_token", "client_id", "client_secret" (confidential
clients only), "user_id" (optional)}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests
from twitter_text import parse_tweet

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
from syndication.registry import Network, register
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

    def measure(self, segments: Sequence[Segment]) -> int:
        return parse_tweet(join_text(segments)).weightedLength

    def fits(self, segments: Sequence[Segment]) -> bool:
        text = join_text(segments)
        result = parse_tweet(text)
        return bool(text.strip()) and result.valid and result.weightedLength <= self.max_length

    def request_body(self, post: Post, account: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"text": post.text}


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


X.client_class = XClient
