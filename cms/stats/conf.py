"""Settings of the statistics, with their defaults; ``settings.RELAIS_STATS`` overrides them.

How often a post's metrics are read depends on its age: a post gathers most of its reactions
in its first days, so it is read often then, rarely later, and no more after ``stop_after``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

HOUR = 3600
DAY = 24 * HOUR

STATS: dict[str, Any] = {
    # How often the worker's clock enqueues the pull task (it reads only the posts that are
    # due); 0 turns it off.
    "pull_every": 15 * 60,
    # The first reading, this long after the post went out.
    "first_pull_after": 30 * 60,
    # (age below which, interval between two readings), in seconds, youngest first.
    "intervals": [(2 * DAY, 2 * HOUR), (7 * DAY, 6 * HOUR), (30 * DAY, DAY), (90 * DAY, 7 * DAY)],
    # No reading after this age (the last one is made at that age).
    "stop_after": 90 * DAY,
    # At most this many posts of one account per run: the rest wait for the next run, so that
    # networks counting each call (Mastodon: one per post) are not hammered.
    "max_posts_per_account": 100,
    # After a refusal to answer (rate limit, server down): the delivery policy's backoff,
    # starting at this delay and capped (the network's own Retry-After wins when it gives one).
    "backoff_base": 5 * 60,
    "backoff_max": 6 * HOUR,
    # Suggested posting slots (cms.stats.timing): from the posts of the last this many days,
    # an hour of a weekday suggested only when at least this many posts went out then, and at
    # most this many suggestions per network.
    "slot_history_days": 180,
    "slot_min_posts": 3,
    "slot_suggestions": 3,
    # Posts are compared by their numbers at this age (hours after they went out): younger
    # posts are not judged yet (cms.stats.timing).
    "slot_age_hours": 48,
}


def stats() -> dict[str, Any]:
    return {**STATS, **getattr(settings, "RELAIS_STATS", {})}


def next_pull_at(posted_at: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """When to read a post again after a reading at ``now`` (None: never again)."""
    c = stats()
    end = posted_at + dt.timedelta(seconds=c["stop_after"])
    if now >= end:
        return None
    age = (now - posted_at).total_seconds()
    interval = c["intervals"][-1][1]
    for limit, seconds in c["intervals"]:
        if age < limit:
            interval = seconds
            break
    return min(now + dt.timedelta(seconds=interval), end)
