"""Posting slots: the times an association posts at on each account (:class:`PostingSlot`),
and "prochain créneau libre", the first of them after a given time that no post of the
account already takes.

A slot is a weekday and a time of day in the installation's time zone (``TIME_ZONE``); a post
takes a slot when its ``post_at`` is that very minute. Posts that will not go out (failed,
skipped) take nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from syndication.ledger import State

from . import conf
from .models import Delivery, PostingSlot, SocialAccount

#: Posts that hold their time: on their way, or out.
HOLDING = [State.PENDING, State.SENDING, State.NEEDS_CHECK, State.SENT]


def slot_times(slots: list[PostingSlot], after: dt.datetime, days: int) -> Iterator[dt.datetime]:
    """Every time of ``slots`` strictly after ``after``, in order, over ``days`` days."""
    by_day: dict[int, list[dt.time]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, []).append(slot.time)
    local = timezone.localtime(after)
    for offset in range(days + 1):
        day = local.date() + dt.timedelta(days=offset)
        for time in sorted(by_day.get(day.weekday(), [])):
            when = timezone.make_aware(dt.datetime.combine(day, time))
            if when > after:
                yield when


def taken_times(account: SocialAccount, start: dt.datetime, end: dt.datetime) -> set[dt.datetime]:
    """The minutes between ``start`` and ``end`` at which a post of ``account`` goes out."""
    rows = Delivery.objects.filter(
        account=account, state__in=HOLDING, post_at__gte=start, post_at__lte=end
    ).values_list("post_at", flat=True)
    return {when.replace(second=0, microsecond=0) for when in rows}


def next_free_slot(account: SocialAccount, after: dt.datetime | None = None) -> dt.datetime | None:
    """The account's first slot after ``after`` (now) that no post takes; None when it has no
    slot, or every slot is taken as far as ``horizon_days`` looks."""
    after = after or timezone.now()
    slots = list(account.slots.all())
    if not slots:
        return None
    days = conf.slots()["horizon_days"]
    taken = taken_times(account, after, after + dt.timedelta(days=days + 1))
    for when in slot_times(slots, after, days):
        if when not in taken:
            return when
    return None


def daily_limit(network: str) -> int | None:
    """The most posts ``network`` takes from one account in a day, if it says so."""
    return conf.slots()["daily_limits"].get(network)
