"""The retry policy: how long to wait before the next attempt, and when to stop waiting inline.

Kept small and explicit rather than built on tenacity: the decision between two attempts is not
only "wait and call again". The delivery engine writes the ledger, and after an *uncertain*
attempt it must call ``find_existing`` before it may send again; with a retry library that logic
would hide in callbacks around a single callable. What is left for a library to do is one
formula (exponential backoff with full jitter, capped, overridden by what the network asked for),
which is easier to read, and to test without sleeping, as the forty lines below. The clock and the
random source are injected, so tests are deterministic and never sleep.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syndication.errors import TransientError

_RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_EPOCH_THRESHOLD = 1_000_000_000  # a number above this is a Unix time, below it a delay


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, honouring the delay a network asks for.

    The n-th retry waits a random time in ``[0, min(max_delay, base_delay * 2**(n-1))]``
    (AWS's "full jitter"), or the network's ``Retry-After`` / rate-limit reset when it gave one
    (plus up to ``jitter_after`` seconds, so that many workers do not all come back at once).
    A delay longer than ``max_inline_delay`` is not slept: the engine returns and the caller
    reschedules the delivery (a task queue's ETA) at ``retry_at``.

    After an *uncertain* attempt the engine waits at least ``check_delay`` before looking for
    the post: a request the client gave up on may still be on its way or being processed, and
    looking too early would miss it and post twice. Keep it above the time a network may take
    to process a request (the client's timeout is a floor).
    """

    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 120.0
    max_inline_delay: float = 60.0
    jitter_after: float = 1.0
    check_delay: float = 20.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, retry_number: int, error: TransientError | None = None) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry)."""
        floor = self.check_delay if error is not None and error.uncertain else 0.0
        if error is not None and error.retry_after is not None:
            return max(floor, error.retry_after) + self.rng.uniform(0, self.jitter_after)
        cap = min(self.max_delay, self.base_delay * 2 ** max(0, retry_number - 1))
        return max(floor, self.rng.uniform(0, cap))


def retry_after_from_headers(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """The delay in seconds a response asks for, from ``Retry-After`` (seconds or HTTP date) or
    the rate-limit reset headers (``x-rate-limit-reset``: X, Unix time; ``X-RateLimit-Reset``:
    Mastodon, ISO 8601; ``RateLimit-Reset``: Bluesky's PDS, Unix time, or the IETF draft's delay
    in seconds). None when the response says nothing usable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        seconds = _parse_time(value, now, http_date=True)
        if seconds is not None:
            return seconds
    for name in _RESET_HEADERS:
        value = lowered.get(name)
        if value:
            seconds = _parse_time(value, now)
            if seconds is not None:
                return seconds
    return None


def _parse_time(value: str, now: Callable[[], float], http_date: bool = False) -> float | None:
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > _EPOCH_THRESHOLD:
            return max(0.0, number - now())
        return max(0.0, number)
    when: dt.datetime | None = None
    if http_date:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
    if when is None:
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now())
