"""Time to first answer: from when a message was written to the first answer posted from the
desk, per network and month (of the message), as a median and a 90th percentile, for one
association. Messages never answered are counted apart (they have no time yet); messages
marked "no answer needed" are left out."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Site

from cms.social.models import network_label

from .models import IncomingMessage


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by the nearest rank: a time one message really took."""
    if not values:
        raise ValueError("No value to take a percentile of: give at least one.")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        raise ValueError("No value to take a median of: give at least one.")
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class AnswerTimes:
    """One network × month: how many messages were answered, how fast, how many wait."""

    network: str
    month: dt.date
    answered: int
    unanswered: int
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def network_label(self) -> str:
        return network_label(self.network)


def answer_times(
    site: Site | int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    network: str = "",
) -> list[AnswerTimes]:
    """The rows of the table, newest month first, then by network."""
    messages = IncomingMessage.objects.filter(site=site).exclude(
        state=IncomingMessage.State.NO_ANSWER_NEEDED
    )
    if network:
        messages = messages.filter(network=network)
    delays: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    waiting: dict[tuple[str, dt.date], int] = defaultdict(int)
    for m in messages.only("network", "created_at", "received_at", "first_answer_at"):
        written = m.created_at or m.received_at
        day = timezone.localtime(written).date()
        if (start and day < start) or (end and day > end):
            continue
        key = (m.network, day.replace(day=1))
        if m.first_answer_at is None:
            waiting[key] += 1
        else:
            delays[key].append(max(0.0, (m.first_answer_at - written).total_seconds()))
    rows = []
    for key in sorted(set(delays) | set(waiting), key=lambda k: (-k[1].toordinal(), k[0])):
        values = delays.get(key, [])
        rows.append(
            AnswerTimes(
                network=key[0],
                month=key[1],
                answered=len(values),
                unanswered=waiting.get(key, 0),
                median_seconds=median(values) if values else None,
                p90_seconds=percentile(values, 90) if values else None,
            )
        )
    return rows


def duration(seconds: float | None) -> str:
    """A delay as people read it: "2 h 05", "45 min", "3 j 4 h"."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h"
