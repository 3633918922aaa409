"""When an association's digest is due, and which period it covers.

A weekly letter leaves on its weekday at its hour, a monthly one on its day of the month at its
hour (local time, ``TIME_ZONE``). The clock asks every minute: a slot is due once, when it has
passed and the settings' ``last_run_at`` is before it. A letter switched on (or an installation
started) after its slot only sends the slot of the last hour, never one of last week.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Digest, NewsletterSettings

Frequency = NewsletterSettings.Frequency
CATCH_UP = dt.timedelta(hours=1)


def last_slot(config: NewsletterSettings, now: dt.datetime) -> dt.datetime | None:
    """The latest sending time at or before ``now`` (``None`` when the letter is off)."""
    local = timezone.localtime(now)
    at_hour = local.replace(hour=config.hour, minute=0, second=0, microsecond=0)
    if config.frequency == Frequency.WEEKLY:
        slot = at_hour - dt.timedelta(days=(local.weekday() - config.weekday) % 7)
        return slot if slot <= local else slot - dt.timedelta(days=7)
    if config.frequency == Frequency.MONTHLY:
        slot = at_hour.replace(day=config.day_of_month)
        if slot > local:
            previous = (slot.replace(day=1) - dt.timedelta(days=1)).replace(day=config.day_of_month)
            slot = previous
        return slot
    return None


def is_due(config: NewsletterSettings, now: dt.datetime) -> bool:
    slot = last_slot(config, now)
    if slot is None:
        return False
    if config.last_run_at is None:
        return now - slot <= CATCH_UP
    return config.last_run_at < slot


def period_start(config: NewsletterSettings, now: dt.datetime) -> dt.datetime:
    """Where the next digest's period starts: the end of the last scheduled one, else one
    period ago."""
    last = (
        Digest.objects.filter(site_id=config.site_id, kind=Digest.Kind.SCHEDULED)
        .order_by("-period_end")
        .first()
    )
    if last is not None:
        return last.period_end
    days = 31 if config.frequency == Frequency.MONTHLY else 7
    return now - dt.timedelta(days=days)
