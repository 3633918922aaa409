"""What the networks say about a post, in one vocabulary, and what they refuse to say.

Every client has ``metrics(remote_ids) -> {remote_id: {metric: int | Unavailable}}``: the
counts the network exposes for each post, named the same way whatever the network calls them
(Mastodon's ``favourites_count``, Bluesky's ``likeCount`` and X's ``like_count`` are all
:data:`LIKES`). A metric the network retired, refuses (permission, API tier) or does not have
for this post is an :class:`Unavailable` carrying the reason — **never a zero** — and it never
stops the other metrics from being read: each one that can be asked alone is asked alone.

A client answers for every id it was given. It raises only what concerns the whole account:
:class:`~syndication.errors.ReconnectNeeded` (the token is dead), and
:class:`~syndication.errors.TransientError` / :class:`~syndication.errors.RateLimited` (try
again later, as for posting: the caller reuses :class:`~syndication.policy.RetryPolicy`).

Each client declares ``metric_names``, the metrics it asks for; what a network cannot give at
all is not asked, and is documented in the README ("Statistics").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, Union

from syndication.errors import DeliveryError

T = TypeVar("T")

# -- the vocabulary ------------------------------------------------------------------------------

IMPRESSIONS = "impressions"  #: times the post was shown (views)
REACH = "reach"  #: distinct accounts it was shown to
CLICKS = "clicks"  #: clicks on the post (its link, its card), as the network counts them
LIKES = "likes"  #: likes, favourites, reactions
SHARES = "shares"  #: reposts, reblogs, shares
COMMENTS = "comments"  #: replies, comments
QUOTES = "quotes"  #: posts quoting it
SAVES = "saves"  #: bookmarks (X), saves (Instagram)

#: Every metric, with its family: ``reach`` (seen), ``engagement`` (acted on), ``clicks``.
METRICS: dict[str, str] = {
    IMPRESSIONS: "reach",
    REACH: "reach",
    LIKES: "engagement",
    SHARES: "engagement",
    COMMENTS: "engagement",
    QUOTES: "engagement",
    SAVES: "engagement",
    CLICKS: "clicks",
}
ENGAGEMENT = tuple(name for name, family in METRICS.items() if family == "engagement")

# -- why a metric is missing ---------------------------------------------------------------------

RETIRED = "retired"  #: the network removed this metric from its API
PERMISSION = "permission"  #: the account or the app lacks a permission to read it
TIER = "tier"  #: the API access level (plan) of the app does not include it
NOT_FOUND = "not_found"  #: the post is gone (deleted) or unknown to the service that counts
HIDDEN = "hidden"  #: the account hides this count (Instagram's hidden likes)
UNSUPPORTED = "unsupported"  #: the network has no such number for this kind of account
REFUSED = "refused"  #: any other refusal; the reason says which

KINDS = (RETIRED, PERMISSION, TIER, NOT_FOUND, HIDDEN, UNSUPPORTED, REFUSED)


@dataclass(frozen=True)
class Unavailable:
    """A metric the network did not give for a post: ``kind`` (one of :data:`KINDS`) and the
    network's own words in ``reason`` (redacted: never a token)."""

    kind: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown kind {self.kind!r}: use one of {', '.join(KINDS)}.")


Value = Union[int, Unavailable]  # noqa: UP007 (a runtime alias, read by older tools too)
PostMetrics = dict[str, Value]


def unavailable_from(error: DeliveryError, *, forbidden: str = PERMISSION) -> Unavailable:
    """An :class:`Unavailable` for a refusal (a 4xx other than 401 and 429): 403 is
    ``forbidden`` (a permission, or the API tier on X), 404 and 410 mean the post is gone."""
    if error.status == 403:
        kind = forbidden
    elif error.status in (404, 410):
        kind = NOT_FOUND
    else:
        kind = REFUSED
    return Unavailable(kind, error.message)


def all_unavailable(names: Iterable[str], reason: Unavailable) -> PostMetrics:
    return dict.fromkeys(names, reason)


def counts(
    data: Mapping[str, object], fields: Mapping[str, str], *, absent: Unavailable
) -> PostMetrics:
    """``{metric: value}`` from an answer's ``{network field: metric}``; a field missing from
    the answer, or not a number, gives ``absent`` (never 0)."""
    out: PostMetrics = {}
    for field, metric in fields.items():
        value = data.get(field)
        out[metric] = value if isinstance(value, int) and not isinstance(value, bool) else absent
    return out


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (APIs cap the ids per request)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
