"""The retry policy and the reading of rate-limit headers: deterministic, without sleeping."""

from __future__ import annotations

import random

import pytest

from syndication.errors import RateLimited, TransientError
from syndication.policy import RetryPolicy, retry_after_from_headers

NOW = 1_800_000_000.0


def clock() -> float:
    return NOW


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"retry-after": "Fri, 15 Jan 2027 08:00:10 GMT"}, 1_800_000_010 - NOW + 0.0),
        ({"x-rate-limit-reset": str(int(NOW) + 42)}, 42.0),  # X: Unix time
        ({"X-RateLimit-Reset": "2027-01-15T08:00:30.000Z"}, 30.0),  # Mastodon: ISO 8601
        ({"RateLimit-Reset": str(int(NOW) + 7)}, 7.0),  # Bluesky PDS: Unix time
        ({"RateLimit-Reset": "15"}, 15.0),  # IETF draft: seconds
        ({"Retry-After": "soon"}, None),
        ({}, None),
        ({"x-rate-limit-reset": str(int(NOW) - 5)}, 0.0),  # already past
    ],
)
def test_retry_after_from_headers(headers, expected):
    # 1_800_000_000 is 2027-01-15T08:00:00Z
    assert retry_after_from_headers(headers, clock) == expected


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(base_delay=2, max_delay=30, rng=random.Random(7))
    caps = [2, 4, 8, 16, 30, 30]
    delays = [policy.delay(n) for n in range(1, 7)]
    assert all(0 <= d <= cap for d, cap in zip(delays, caps, strict=True))
    assert len(set(delays)) == 6  # jittered
    again = RetryPolicy(base_delay=2, max_delay=30, rng=random.Random(7))
    assert [again.delay(n) for n in range(1, 7)] == delays  # deterministic with a seeded rng


def test_network_delay_wins_over_backoff():
    policy = RetryPolicy(jitter_after=1.0, rng=random.Random(1))
    delay = policy.delay(1, RateLimited("slow down", retry_after=90))
    assert 90 <= delay <= 91
    assert policy.delay(1, TransientError("boom")) <= policy.base_delay
