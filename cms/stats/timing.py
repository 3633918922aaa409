"""When the association's own posts did best: the weekdays and hours at which its past posts on
a network were seen (views) and answered (likes, shares, comments, quotes, saves) the most.

**Posts are compared at the same age.** Counts are cumulative and a post keeps gathering them
for days: read today, last week's post has had a week, this morning's a few hours. So each post
is judged by its numbers at ``slot_age_hours`` (``RELAIS_STATS``, 48 h) after it went out: the
value of each metric is the one of its last :class:`~.models.MetricSample` taken at that age or
before (samples are written when a number changes: that is the value it had then). A post is
left out while it is younger than that age, and when its metrics were never read at or after
that age (``last_pulled_at``): its number at that age is not known, only a lower bound.
A metric unavailable at that age counts as nothing for that post.

A suggestion is a weekday and an hour (in ``TIME_ZONE``), with the number of posts it rests
on; an hour with fewer posts than ``slot_min_posts`` is never suggested: two lucky posts are
not a habit of the readers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from syndication import metrics as m

from . import conf
from .models import MetricSample, TrackedPost

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


def judged_age() -> dt.timedelta:
    """The age at which posts are compared (``slot_age_hours``)."""
    return dt.timedelta(hours=float(conf.stats()["slot_age_hours"]))


def values_at_age(posts: Any, age: dt.timedelta) -> dict[int, dict[str, int | None]]:
    """Per delivery of the ``posts`` (a queryset of :class:`TrackedPost`), each seen or answered
    metric's value at ``age`` after the post went out (``None``: unavailable then)."""
    samples = (
        MetricSample.objects.filter(
            delivery_id__in=posts.values("delivery_id"),
            metric__in=(*SEEN, *ANSWERED),
            taken_at__lte=F("delivery__tracking__posted_at") + age,
        )
        .order_by("delivery_id", "metric", "taken_at", "pk")
        .values_list("delivery_id", "metric", "value")
    )
    found: dict[int, dict[str, int | None]] = defaultdict(dict)
    for delivery_id, metric, value in samples.iterator():
        found[delivery_id][metric] = value  # the last one taken by that age wins
    return found


def _total(values: dict[str, int | None], names: tuple[str, ...]) -> int:
    return sum(values.get(name) or 0 for name in names)


def suggested_slots(
    site: Any,
    network: str,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    min_posts: int | None = None,
) -> list[SlotSuggestion]:
    """The best weekday-and-hours of ``site``'s posts on ``network`` over the last
    ``slot_history_days`` days, each post judged at the same age, best first (at most
    ``limit``)."""
    settings = conf.stats()
    now = now or timezone.now()
    min_posts = settings["slot_min_posts"] if min_posts is None else min_posts
    limit = settings["slot_suggestions"] if limit is None else limit
    since = now - dt.timedelta(days=settings["slot_history_days"])
    age = judged_age()
    posts = TrackedPost.objects.filter(
        delivery__account__site=site,
        delivery__network=network,
        posted_at__gte=since,
        posted_at__lte=now - age,  # younger posts are not judged yet
        last_pulled_at__gte=F("posted_at") + age,  # read at that age or later
    )
    at_age = values_at_age(posts, age)
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for delivery_id, posted_at in posts.values_list("delivery_id", "posted_at"):
        local = timezone.localtime(posted_at)
        values = at_age.get(delivery_id, {})
        buckets[(local.weekday(), local.hour)].append(
            (_total(values, SEEN), _total(values, ANSWERED))
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
