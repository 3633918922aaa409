"""Rate limits keep their window exactly and survive other traffic (cms.core.ratelimit).

Time is passed in (``now=``): no test sleeps."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connection

from cms.core import ratelimit
from cms.core.models import RateCounter
from cms.publishing.clock import default_jobs

T0 = dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=dt.UTC)
DAY = 24 * 3600


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def attempt(value: str, seconds: float, limit: tuple[int, int] = (3, DAY)) -> bool:
    return ratelimit.allow("signup-email", value, *limit, now=at(seconds))


def test_window_opened_by_the_first_attempt_holds_to_the_second(db):
    """3 a day: the 4th is refused, still refused 1 s before the window ends (not after the
    5 minutes of the cache's default timeout), allowed again when it ends."""
    assert [attempt("lea@example.org", s) for s in (0, 60, 120)] == [True, True, True]
    assert attempt("lea@example.org", 180) is False
    assert attempt("lea@example.org", 301) is False  # the cache's 300 s no longer apply
    assert attempt("lea@example.org", 8 * 60) is False
    assert attempt("lea@example.org", DAY - 1) is False
    assert attempt("lea@example.org", DAY) is True  # the window ended: a new one opens
    assert [attempt("lea@example.org", DAY + s) for s in (1, 2)] == [True, True]
    assert attempt("lea@example.org", DAY + 3) is False


def test_other_traffic_wipes_no_counter(db):
    for s in range(4):
        attempt("lea@example.org", s)
    for i in range(400):  # 400 other addresses, more than any cache keeps
        assert ratelimit.allow("counter", f"203.0.113.{i % 250}-{i}", 300, 3600, now=at(10))
    assert attempt("lea@example.org", 20) is False
    assert attempt("lea@example.org", DAY - 1) is False
    assert attempt("lea@example.org", DAY) is True


def test_scopes_and_values_are_counted_apart_and_case_blind(db):
    limit = (1, 3600)
    assert attempt("Lea@Example.org ", 0, limit) is True
    assert attempt("lea@example.org", 1, limit) is False
    assert ratelimit.allow("signup-ip", "lea@example.org", *limit, now=at(1)) is True
    assert attempt("paul@example.org", 1, limit) is True
    assert attempt("", 1, limit) is True and attempt("", 2, limit) is True  # never limited


def test_only_keyed_hashes_are_stored(db):
    attempt("lea.martin@example.org", 0)
    ratelimit.allow("counter", "198.51.100.23", 300, 3600, now=at(0))
    stored = " ".join(str(v) for row in RateCounter.objects.values() for v in row.values())
    assert RateCounter.objects.count() == 2
    assert "lea" not in stored and "198.51.100.23" not in stored


def test_forget_closes_the_window(db):
    for s in range(4):
        attempt("lea@example.org", s)
    ratelimit.forget("signup-email", "LEA@example.org")
    assert attempt("lea@example.org", 10) is True


def test_ended_windows_are_purged_by_the_clock(db):
    attempt("lea@example.org", 0, (3, 60))
    attempt("paul@example.org", 30, (3, 60))
    assert ratelimit.purge_expired(now=at(60)) == 1
    assert RateCounter.objects.count() == 1
    assert ratelimit.purge_expired(now=at(89)) == 0
    assert "purge_rate_counters" in [job.name for job in default_jobs()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_all_counted_on_postgresql():
    assert connection.vendor == "postgresql"
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(10):
                ok = ratelimit.allow("counter", "203.0.113.9", 25, 3600, now=T0)
                with lock:
                    allowed.append(ok)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 60 and allowed.count(True) == 25
    assert RateCounter.objects.get().count == 60


@pytest.mark.redis
def test_redis_store_counts_with_its_own_expiry(settings):
    import redis

    url = os.environ["RELAIS_TEST_REDIS_URL"]
    settings.RELAIS_RATE_LIMIT_REDIS_URL = url
    client = redis.Redis.from_url(url)
    key = ratelimit.key_of("signup-email", "lea@example.org")
    client.delete(key)
    try:
        assert [ratelimit.allow("signup-email", "lea@example.org", 3, DAY) for _ in range(4)] == [
            True,
            True,
            True,
            False,
        ]
        for i in range(400):
            ratelimit.allow("counter", f"203.0.113.{i}", 300, 3600)
        assert ratelimit.allow("signup-email", "lea@example.org", 3, DAY) is False
        # the expiry was set by the first attempt, for the whole window, and never moved
        assert DAY - 60 < client.ttl(key) <= DAY
        assert int(client.get(key)) == 5
        assert b"lea" not in key.encode() and not client.keys("*lea*")
        ratelimit.forget("signup-email", "lea@example.org")
        assert ratelimit.allow("signup-email", "lea@example.org", 3, DAY) is True
    finally:
        client.delete(key, *client.keys(ratelimit.KEY_PREFIX + "counter:*"))
