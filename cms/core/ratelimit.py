"""Rate limits per client address (or any value), counted in a store that keeps its windows.

Used by the sign-up form (:mod:`cms.members.protection`) and the audience counter
(:mod:`cms.audience.views`).

**Window.** A *fixed window opened by the first attempt*: the first attempt for a value opens a
window of ``seconds``; every attempt in it is counted (refused ones too); once more than
``attempts`` were counted, the value is refused until the window ends, exactly ``seconds`` after
that first attempt. The next attempt then opens a new window. (Not a sliding window: a value is
never refused for longer than ``seconds``.)

**Stores.** The counters are not kept in Django's cache: the file and local-memory caches evict
entries past ``MAX_ENTRIES`` (any other traffic wipes a counter) and ``cache.incr`` re-saves a
value with the default timeout (a day's window became 5 minutes). By default they are rows of
the database (:class:`cms.core.models.RateCounter`, counted under a row lock, purged by the
worker's clock); with ``RELAIS_RATE_LIMIT_REDIS_URL`` they are Redis keys (``INCR``, then
``EXPIRE … NX`` in the same transaction), for several machines sharing one Redis that does not
evict keys (``maxmemory-policy noeviction``).

Either way the key is a keyed hash (HMAC with the secret key) of the scope and the value,
never the value itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import RateCounter

KEY_PREFIX = "relais:rate:"


def client_ip(request: HttpRequest) -> str:
    """The client's address: the last value of ``RELAIS_CLIENT_IP_HEADER`` behind a reverse
    proxy (the one the proxy itself added), else ``REMOTE_ADDR``."""
    header = settings.RELAIS_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def key_of(scope: str, value: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}:{value.strip().lower()}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{KEY_PREFIX}{scope}:{digest[:40]}"


class CounterStore(Protocol):
    def hit(self, key: str, seconds: int, now: dt.datetime) -> int:
        """Count one attempt in the window of ``key`` (opening one if none is running at
        ``now``) and return the attempts counted in that window so far."""

    def forget(self, key: str) -> None:
        """Drop the window of ``key``."""


class DatabaseCounters:
    """Windows as :class:`RateCounter` rows, counted under a row lock (SQLite runs its
    transactions ``IMMEDIATE`` here: they are serialised anyway)."""

    def hit(self, key: str, seconds: int, now: dt.datetime) -> int:
        with transaction.atomic():
            row = RateCounter.objects.select_for_update().filter(key=key).first()
            if row is None:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(
                            key=key, window_end=now + dt.timedelta(seconds=seconds), count=1
                        )
                    return 1
                except IntegrityError:  # opened by a concurrent attempt in between
                    row = RateCounter.objects.select_for_update().get(key=key)
            if row.window_end <= now:
                row.window_end, row.count = now + dt.timedelta(seconds=seconds), 1
            else:
                row.count += 1
            row.save(update_fields=["window_end", "count"])
            return row.count

    def forget(self, key: str) -> None:
        RateCounter.objects.filter(key=key).delete()


class RedisCounters:
    """Windows as Redis keys: ``INCR`` then ``EXPIRE key seconds NX`` (Redis ≥ 7), so that the
    expiry is set by the attempt that opened the window and never moved after. Redis keeps the
    time: ``now`` is not used."""

    def __init__(self, client: Any):
        self.client = client

    def hit(self, key: str, seconds: int, now: dt.datetime) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def forget(self, key: str) -> None:
        self.client.delete(key)


@functools.cache
def _redis_counters(url: str) -> RedisCounters:
    # redis is installed with the `rq` extra; only a machine that names a Redis needs it.
    import redis

    return RedisCounters(redis.Redis.from_url(url))


def store() -> CounterStore:
    """The counters' store: Redis when ``RELAIS_RATE_LIMIT_REDIS_URL`` is set, else the
    database."""
    url = getattr(settings, "RELAIS_RATE_LIMIT_REDIS_URL", "")
    return _redis_counters(url) if url else DatabaseCounters()


def allow(
    scope: str, value: str, attempts: int, seconds: int, *, now: dt.datetime | None = None
) -> bool:
    """Count one attempt for ``value`` in ``scope``; False once more than ``attempts`` were
    counted in the current window (see the module's docstring). An empty value is never
    limited. ``now`` is for tests: the default is the current time."""
    if not value:
        return True
    count = store().hit(key_of(scope, value), int(seconds), now or timezone.now())
    return count <= attempts


def forget(scope: str, value: str) -> None:
    store().forget(key_of(scope, value))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the database windows that have ended; returns how many."""
    deleted, _ = RateCounter.objects.filter(window_end__lte=now or timezone.now()).delete()
    return deleted
