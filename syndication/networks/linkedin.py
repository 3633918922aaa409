"""LinkedIn: a post with an article card (``content.article``) pointing at the item.

3,000 characters of ``commentary``, written in LinkedIn's "little text" format: the reserved
characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` are escaped with a backslash (unescaped, they cut
the post short) and hashtags are written ``{hashtag|\\#|Name}``. The limit is checked on that
escaped text, counted in UTF-16 units, which is never shorter than what LinkedIn counts.
Access tokens live about 60 days; refresh tokens (when the app has them) renew them.

A discussion may carry a poll (Posts API, ``content.poll``: a ``question`` of 140 characters
at most, 2 to 4 ``options`` of 30 characters at most as ``{"text": …}``, and ``settings``:
``duration`` one of ``ONE_DAY``, ``THREE_DAYS``, ``SEVEN_DAYS``, ``FOURTEEN_DAYS``, and the
only vote type ``SINGLE_VOTE``). A post holds one kind of content: with a poll there is no
article card, so the item's link is written at the end of the text. A poll cannot be edited
once posted. Its votes come back to its author with the post (``GET /rest/posts/{URN}``:
``voteCount`` per option, ``uniqueVotersCount``): :meth:`LinkedInClient.poll_results`.

LinkedIn does not read the page for a post made through the API: the card's picture is uploaded
first (Images API: ``POST /rest/images?action=initializeUpload`` gives an upload URL and an
``urn:li:image:…``, the bytes are ``PUT`` there) and named as ``content.article.thumbnail``. A
picture that cannot be had or uploaded leaves the card without it; the post still goes out.

Conversations: the comments of the account's posts (``GET /rest/socialActions/{post URN}/comments``,
then the same for each comment that has answers), read from a mark per post. An answer is a
comment with ``parentComment`` (``POST /rest/socialActions/{comment URN}/comments``; LinkedIn
threads are two levels deep: an answer to an answer goes under the first comment), 1,250
characters at most; a like is a ``LIKE`` reaction (``POST /rest/reactions?actor=…``). LinkedIn
gives commenters as URNs only, no mentions of the organisation, and no way to hide a comment.

Credentials: ``{"access_token", "refresh_token", "client_id", "client_secret", "author"}``
where ``author`` is the URN posted as (``urn:li:organization:…`` or ``urn:li:person:…``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from syndication.conversations import (
    ANSWER,
    COMMENT,
    LIKE,
    Message,
    Reply,
    Watermark,
    pull_posts,
    text_matches,
)
from syndication.errors import OverrideTooLong, PostRejected, RateLimited, TransientError
from syndication.http import Client, parse_time
from syndication.metrics import (
    CLICKS,
    COMMENTS,
    IMPRESSIONS,
    LIKES,
    NOT_FOUND,
    REACH,
    REFUSED,
    SHARES,
    UNSUPPORTED,
    PostMetrics,
    Unavailable,
    all_unavailable,
    chunks,
    counts,
    unavailable_from,
)
from syndication.models import (
    AccountInfo,
    ImageRef,
    Poll,
    PollResults,
    Post,
    RemotePost,
    Segment,
)
from syndication.registry import Network, PollLimits, register
from syndication.text import join_text, same_item, segments_of, utf16_len

logger = logging.getLogger(__name__)

RESERVED = set("\\|{}@[]()<>#*_~")

DAY = 86_400
#: ``settings.duration`` of a poll: the four durations LinkedIn names, in seconds.
POLL_DURATIONS = {
    DAY: "ONE_DAY",
    3 * DAY: "THREE_DAYS",
    7 * DAY: "SEVEN_DAYS",
    14 * DAY: "FOURTEEN_DAYS",
}


def escape(text: str) -> str:
    return "".join("\\" + c if c in RESERVED else c for c in text)


def unescape(text: str) -> str:
    """The text a reader sees of an escaped ``commentary``."""
    return re.sub(r"\\([\\|{}@\[\]()<>#*_~])", r"\1", text)


@register
class LinkedIn(Network):
    name = "linkedin"
    label = "LinkedIn"
    max_length = 3000
    max_hashtags = 3
    link_in_text = "none"
    card = True
    token_refresh = True
    create_endpoint = "POST /rest/posts"
    #: Poll API (``content.poll`` of ``POST /rest/posts``): 2-4 options of 30 characters, a
    #: question of 140, open one of four durations.
    poll_limits = PollLimits(
        max_options=4,
        option_length=30,
        min_seconds=DAY,
        max_seconds=14 * DAY,
        durations=tuple(POLL_DURATIONS),
        question_length=140,
    )
    pulls = frozenset({COMMENT})
    actions = frozenset({ANSWER, LIKE})
    #: A comment may be 1,250 characters long.
    reply_max_length = 1250
    pull_endpoints = "GET /rest/socialActions/{post URN}/comments (and of each answered comment)"
    conversation_gaps = (
        "mentions of the organisation in members' posts",
        "commenters' names: LinkedIn gives their URN only",
        "hiding a comment: LinkedIn's API cannot",
    )

    def render(self, segments: Sequence[Segment]) -> str:
        out = []
        for seg in segments:
            if seg.kind == "tag":
                out.append("{hashtag|\\#|" + escape(seg.value) + "}")
            else:
                out.append(escape(seg.text))
        return "".join(out)

    def measure(self, segments: Sequence[Segment]) -> int:
        return utf16_len(self.render(segments))

    def attach_poll(self, post: Post, poll: Poll) -> None:
        """A post holds one kind of content: the poll takes the card's place, and the item's
        link, if any, is written at the end of the text (raises :class:`OverrideTooLong`
        when it no longer fits)."""
        post.poll = poll
        link = post.link or (post.card.url if post.card is not None else "")
        post.card = None
        if not link:
            return
        segments = [*post.segments, Segment("\n\n"), Segment(link, "link", link, own=True)]
        if not self.fits(segments):
            length = self.measure(segments)
            raise OverrideTooLong(
                f"With a poll, the {self.label} text carries the item's link: it is then "
                f"{length} characters long; the limit is {self.max_length}: shorten it by "
                f"{length - self.max_length}.",
                network=self.name,
                length=length,
                limit=self.max_length,
            )
        post.segments = segments
        post.text = join_text(segments)
        post.length = self.measure(segments)

    @staticmethod
    def poll_content(poll: Poll) -> dict[str, Any]:
        """The ``content.poll`` object of the Posts API."""
        return {
            "question": poll.question.strip(),
            "options": [{"text": option} for option in poll.options],
            "settings": {
                "duration": POLL_DURATIONS[poll.seconds],
                "voteSelectionType": "SINGLE_VOTE",
                "isVoterVisibleToAuthor": True,
            },
        }

    def request_body(
        self, post: Post, account: Mapping[str, Any] | None = None, thumbnail: str | None = None
    ) -> dict[str, Any]:
        """The ``POST /rest/posts`` body. ``thumbnail`` is the card picture's image URN, once
        uploaded; without it (dry run) a card picture shows as a note of what will be uploaded."""
        author = (account or {}).get(
            "author"
        ) or "<author URN: urn:li:organization:… or urn:li:person:…>"
        body: dict[str, Any] = {
            "author": author,
            "commentary": self.render(post.segments),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if post.card is not None:
            article = {"source": post.card.url, "title": post.card.title}
            if post.card.description:
                article["description"] = post.card.description
            if thumbnail:
                article["thumbnail"] = thumbnail
            elif post.card.image is not None:
                image = post.card.image
                article["thumbnail"] = {"pending_upload": image.path or image.url}
            body["content"] = {"article": article}
        if post.poll is not None:
            self.check_poll(post.poll)
            body["content"] = {"poll": self.poll_content(post.poll)}
        return body


class LinkedInClient(Client):
    network_class = LinkedIn
    default_base_url = "https://api.linkedin.com"
    #: Where OAuth tokens are refreshed (another host than the API).
    default_auth_base_url = "https://www.linkedin.com"
    #: The ``LinkedIn-Version`` header (YYYYMM); LinkedIn supports each version for a year.
    api_version = "202511"

    def __init__(
        self, credentials: Mapping[str, Any], *, auth_base_url: str | None = None, **kwargs: Any
    ):
        super().__init__(credentials, **kwargs)
        self.auth_base_url = (auth_base_url or self.default_auth_base_url).rstrip("/")

    def auth_headers(self) -> dict[str, str]:
        return {
            **super().auth_headers(),
            "LinkedIn-Version": self.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    @property
    def can_refresh(self) -> bool:
        return bool(
            self._cred("refresh_token") and self._cred("client_id") and self._cred("client_secret")
        )

    def refresh(self) -> None:
        path = "/oauth/v2/accessToken"
        data = {
            "grant_type": "refresh_token",
            "refresh_token": self._cred("refresh_token"),
            "client_id": self._cred("client_id"),
            "client_secret": self._cred("client_secret"),
        }
        response = self._send(
            "POST", f"{self.auth_base_url}{path}", path, False, {}, {"data": data}
        )
        if response.status_code in (400, 401):  # invalid_grant: refresh token expired/revoked
            raise self.reconnect_needed(
                "the token has expired and LinkedIn refused to renew it "
                f"({self.error_detail(response)})"
            )
        self._check("POST", path, response, False)  # 429, 5xx: try again later
        tokens = response.json()
        self._set_credentials(
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token") or self._cred("refresh_token"),
        )

    def _author(self) -> str:
        author = self._cred("author")
        if not author:
            raise self.reconnect_needed("no author URN is stored for this account")
        return str(author)

    def upload_thumbnail(self, image: ImageRef) -> str | None:
        """Upload a card picture with the Images API; its ``urn:li:image:…``, or None (and a
        log line) when it cannot be had or LinkedIn refuses it. A dead token or a rate limit
        still raises: the post is tried again later, with its picture."""
        loaded = self.image_bytes(image)
        if loaded is None:
            return None
        data, mime = loaded
        try:
            answer = self.request(
                "POST",
                "/rest/images",
                params={"action": "initializeUpload"},
                json={"initializeUploadRequest": {"owner": self._author()}},
            ).json()["value"]
            self.request(
                "PUT",
                "/rest/images (upload)",
                url=answer["uploadUrl"],
                data=data,
                headers={"Content-Type": mime},
            )
        except RateLimited:
            raise  # nothing was posted: the whole post waits, picture included
        except (PostRejected, TransientError, KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "LinkedIn: card picture not uploaded (%s); posting without it",
                self.redact(str(exc)),
            )
            return None
        return str(answer["image"])

    def publish(self, post: Post) -> RemotePost:
        thumbnail = None
        if post.card is not None and post.card.image is not None:
            thumbnail = self.upload_thumbnail(post.card.image)
        body = self.network.request_body(post, {"author": self._author()}, thumbnail=thumbnail)
        article = (body.get("content") or {}).get("article") or {}
        if isinstance(article.get("thumbnail"), dict):  # the picture could not be uploaded
            del article["thumbnail"]
        response = self.request("POST", "/rest/posts", creates=True, json=body)
        urn = response.headers.get("x-restli-id") or ""
        return RemotePost(id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/" if urn else "")

    reads_polls = True

    def poll_results(self, urn: str) -> PollResults | None:
        """The votes of the poll of post ``urn`` (LinkedIn gives them to the post's author:
        ``voteCount`` per option, ``uniqueVotersCount``); None when the post has no poll.
        ``closed`` is worked out from the post's time and the poll's duration."""
        element = self.read(f"/rest/posts/{quote(urn, safe='')}").json()
        poll = (element.get("content") or {}).get("poll")
        if not isinstance(poll, dict):
            return None
        options = [o for o in poll.get("options") or [] if isinstance(o, dict)]
        seconds = {name: s for s, name in POLL_DURATIONS.items()}.get(
            str((poll.get("settings") or {}).get("duration") or "")
        )
        started = parse_time(element.get("publishedAt") or element.get("createdAt"))
        closed = None
        if seconds is not None and started is not None:
            closed = dt.datetime.now(dt.UTC) >= started + dt.timedelta(seconds=seconds)
        return PollResults(
            options=tuple(str(o.get("text") or "") for o in options),
            votes=tuple(int(o.get("voteCount") or 0) for o in options),
            voters=int(poll.get("uniqueVotersCount") or 0),
            closed=closed,
        )

    def find_existing(self, post: Post, since: dt.datetime | None = None) -> RemotePost | None:
        author = self._author()

        def pages() -> Iterator[list[dict[str, Any]]]:
            start = 0
            while True:
                params = {
                    "author": author,
                    "q": "author",
                    "count": 50,
                    "start": start,
                    "sortBy": "LAST_MODIFIED",
                }
                page = (
                    self.request("GET", "/rest/posts", params=params).json().get("elements") or []
                )
                yield page
                if len(page) < 50:
                    return
                start += len(page)

        def match(element: dict[str, Any]) -> RemotePost | None:
            article = ((element.get("content") or {}).get("article")) or {}
            # a poll post has no card: the item's link is in its text
            written = segments_of(unescape(str(element.get("commentary") or "")), tags=False)
            links = [article.get("source") or ""] + [s.value for s in written if s.kind == "link"]
            if any(same_item(link, post.item_url) for link in links):
                urn = str(element.get("id") or "")
                return RemotePost(id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")
            return None

        return self.scan(
            pages(),
            match,
            lambda e: parse_time(e.get("lastModifiedAt") or e.get("createdAt")),
            since,
        )

    # -- conversations -------------------------------------------------------------------------

    comments_page = 100

    def _comments(self, target: str, capability: str = "pull") -> list[dict[str, Any]]:
        """Every comment on ``target`` (a post, or a comment: its answers), oldest first."""
        path = f"/rest/socialActions/{quote(target, safe='')}/comments"
        out: list[dict[str, Any]] = []
        start = 0
        while len(out) < self.max_scan:
            params = {"start": start, "count": self.comments_page}
            try:
                data = self.read(path, params=params).json()
            except PostRejected as exc:
                if exc.status == 403:
                    raise self.refused_access(capability, "reading comments", exc) from None
                raise
            page = [e for e in data.get("elements") or [] if isinstance(e, dict)]
            out += page
            total = (data.get("paging") or {}).get("total")
            start += len(page)
            if len(page) < self.comments_page or (isinstance(total, int) and start >= total):
                break
        return out

    @staticmethod
    def _urn(element: dict[str, Any]) -> str:
        return str(element.get("commentUrn") or element.get("$URN") or element.get("id") or "")

    @staticmethod
    def _time(element: dict[str, Any]) -> str:
        when = parse_time((element.get("created") or {}).get("time"))
        return when.isoformat() if when is not None else ""

    def fetch_conversations(
        self, since_cursor: str | None = None, posts: Sequence[str] = ()
    ) -> tuple[list[Message], str]:
        """The comments of ``posts`` (and their answers) newer than each post's mark."""
        author = self._author()

        def read(post: str, mark: Watermark) -> tuple[list[Message], Watermark]:
            entries = [{**e, "_thread": self._urn(e)} for e in self._comments(post)]
            for element in list(entries):
                summary = element.get("commentsSummary") or {}
                if summary.get("aggregatedTotalComments") or summary.get("totalFirstLevelComments"):
                    entries += [
                        {**e, "_thread": element["_thread"]}
                        for e in self._comments(element["_thread"])
                    ]
            fresh, new_mark = mark.fresh(entries, self._time, self._urn)
            found = [self._comment(e, post) for e in fresh if str(e.get("actor") or "") != author]
            return found, new_mark

        return pull_posts(posts, since_cursor, read)

    def _comment(self, element: dict[str, Any], post: str) -> Message:
        urn = self._urn(element)
        parent = str(element.get("parentComment") or "")
        return Message(
            network=self.network.name,
            id=urn,
            kind=COMMENT,
            text=str((element.get("message") or {}).get("text") or ""),
            author_id=str(element.get("actor") or ""),
            created_at=parse_time((element.get("created") or {}).get("time")),
            post=post,
            parent=parent or post,
            root=post,
            url=f"https://www.linkedin.com/feed/update/{post}/?commentUrn={quote(urn, safe='')}",
            refs={
                "thread": element.get("_thread") or urn,
                "object": str(element.get("object") or post),
            },
        )

    def reply(self, reply: Reply) -> RemotePost:
        message = reply.message
        thread = message.refs.get("thread") or message.id
        body = {
            "actor": self._author(),
            "object": message.refs.get("object") or message.post,
            "message": {"text": reply.text},
            "parentComment": thread,
        }
        path = f"/rest/socialActions/{quote(thread, safe='')}/comments"
        try:
            response = self.request("POST", path, creates=True, json=body)
        except PostRejected as exc:
            if exc.status == 403:
                raise self.refused_access("reply", "commenting", exc) from None
            raise
        urn = response.headers.get("x-restli-id") or ""
        if not urn:
            try:
                urn = self._urn(response.json())
            except ValueError:
                urn = ""
        return RemotePost(id=urn, url=f"https://www.linkedin.com/feed/update/{message.post}/")

    def find_reply(self, reply: Reply, since: dt.datetime | None = None) -> RemotePost | None:
        """The organisation's answer with this text among the thread's comments."""
        author = self._author()
        thread = reply.message.refs.get("thread") or reply.message.id
        for element in self._comments(thread, capability="reply"):
            text = (element.get("message") or {}).get("text") or ""
            if str(element.get("actor")) == author and text_matches(reply.text, text):
                return RemotePost(
                    id=self._urn(element),
                    url=f"https://www.linkedin.com/feed/update/{reply.message.post}/",
                )
        return None

    def like(self, message: Message) -> None:
        """A ``LIKE`` reaction; LinkedIn answers 409 when it is already there (harmless)."""
        author = self._author()
        try:
            self.request(
                "POST",
                f"/rest/reactions?actor={quote(author, safe='')}",
                json={"root": message.id, "reactionType": "LIKE"},
            )
        except PostRejected as exc:
            if exc.status == 409:
                return
            if exc.status == 403:
                raise self.refused_access("like", "reacting to a comment", exc) from None
            raise

    #: ``totalShareStatistics`` of ``GET /rest/organizationalEntityShareStatistics``.
    metric_fields = {
        "impressionCount": IMPRESSIONS,
        "uniqueImpressionsCount": REACH,
        "clickCount": CLICKS,
        "likeCount": LIKES,
        "commentCount": COMMENTS,
        "shareCount": SHARES,
    }
    metric_names = tuple(metric_fields.values())
    metrics_batch = 20
    statistics_path = "/rest/organizationalEntityShareStatistics"

    def metrics(self, urns: list[str]) -> dict[str, PostMetrics]:
        """Share statistics of an organisation's posts (``urn:li:share:…`` and
        ``urn:li:ugcPost:…``), 20 per request. Posts made as a member have no statistics in
        this API; a refusal (the app lacks ``r_organization_social``, 403) makes every metric
        unavailable with LinkedIn's words."""
        author = self._author()
        if not author.startswith("urn:li:organization:"):
            reason = Unavailable(
                UNSUPPORTED,
                "LinkedIn gives share statistics for organisation pages only; this account "
                "posts as a member",
            )
            return {urn: all_unavailable(self.metric_names, reason) for urn in urns}
        out: dict[str, PostMetrics] = {}
        by_kind: dict[str, list[str]] = {"shares": [], "ugcPosts": []}
        for urn in urns:
            by_kind["ugcPosts" if urn.startswith("urn:li:ugcPost:") else "shares"].append(urn)
        absent = Unavailable(REFUSED, "LinkedIn's answer has no such count")
        gone = Unavailable(NOT_FOUND, "LinkedIn returned no statistics for this post")
        for kind, found_urns in by_kind.items():
            for chunk in chunks(found_urns, self.metrics_batch):
                # Rest.li 2.0 encoding: List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)
                listed = ",".join(quote(u, safe="") for u in chunk)
                query = (
                    f"q=organizationalEntity&organizationalEntity={quote(author, safe='')}"
                    f"&{kind}=List({listed})"
                )
                try:
                    data = self.request("GET", f"{self.statistics_path}?{query}").json()
                except PostRejected as exc:
                    for urn in chunk:
                        out[urn] = all_unavailable(self.metric_names, unavailable_from(exc))
                    continue
                elements = {
                    str(e.get("share") or e.get("ugcPost")): e
                    for e in data.get("elements") or []
                    if isinstance(e, dict)
                }
                for urn in chunk:
                    element = elements.get(urn)
                    out[urn] = (
                        counts(
                            element.get("totalShareStatistics") or {},
                            self.metric_fields,
                            absent=absent,
                        )
                        if element is not None
                        else all_unavailable(self.metric_names, gone)
                    )
        return out

    def verify_credentials(self) -> AccountInfo:
        author = self._author()
        if author.startswith("urn:li:organization:"):
            org_id = author.rsplit(":", 1)[1]
            data = self.request("GET", f"/rest/organizations/{quote(org_id)}").json()
            return AccountInfo(
                id=author, name=data.get("localizedName", ""), handle=data.get("vanityName", "")
            )
        data = self.request("GET", "/v2/userinfo").json()
        return AccountInfo(id=author, name=data.get("name", ""))


LinkedIn.client_class = LinkedInClient
