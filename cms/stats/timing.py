"""When the association's own posts did best: the weekdays and hours at which its past posts on
a network were seen (views) and answered (likes, shares, comments, quotes, saves) the most,
from the last numbers read of each post (``TrackedPost.latest``).

A suggestion is a weekday and an hour (in ``TIME_ZONE``), with the number of posts it rests
on; an hour with fewer posts than ``slot_min_posts`` (``RELAIS_STATS``) is never suggested:
two lucky posts are not a habit of the readers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from syndication import metrics as m

from . import conf
from .models import TrackedPost

SEEN = (m.IMPRESSIONS,)
ANSWERED = m.ENGAGEMENT


@dataclass(frozen=True)
class SlotSuggestion:
    weekday: int  #: 0 is Monday
    hour: int
    posts: int  #: how many posts it rests on
    views: float  #: per post, on average
    interactions: float  #: per post, on average

    @property
    def time(self) -> dt.time:
        return dt.time(self.hour)

    @property
    def score(self) -> float:
        return self.views + self.interactions


def _value(latest: dict[str, Any], names: tuple[str, ...]) -> int:
    total = 0
    for name in names:
        entry = latest.get(name) or {}
        if isinstance(entry, dict) and isinstance(entry.get("value"), int):
            total += entry["value"]
    return total


def suggested_slots(
    site: Any,
    network: str,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    min_posts: int | None = None,
) -> list[SlotSuggestion]:
    """The best weekday-and-hours of ``site``'s posts on ``network`` over the last
    ``slot_history_days`` days, best first (at most ``limit``)."""
    settings = conf.stats()
    now = now or timezone.now()
    min_posts = settings["slot_min_posts"] if min_posts is None else min_posts
    limit = settings["slot_suggestions"] if limit is None else limit
    since = now - dt.timedelta(days=settings["slot_history_days"])
    rows = TrackedPost.objects.filter(
        delivery__account__site=site,
        delivery__network=network,
        posted_at__gte=since,
        posted_at__lte=now,
    ).values_list("posted_at", "latest")
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for posted_at, latest in rows:
        local = timezone.localtime(posted_at)
        latest = latest or {}
        buckets[(local.weekday(), local.hour)].append(
            (_value(latest, SEEN), _value(latest, ANSWERED))
        )
    found = [
        SlotSuggestion(
            weekday=weekday,
            hour=hour,
            posts=len(values),
            views=sum(v for v, _ in values) / len(values),
            interactions=sum(i for _, i in values) / len(values),
        )
        for (weekday, hour), values in buckets.items()
        if len(values) >= max(min_posts, 1)
    ]
    found.sort(key=lambda s: (-s.score, -s.posts, s.weekday, s.hour))
    return found[:limit]
