"""Rate limits per client address (or any value), counted in the cache with nothing stored.

Used by the sign-up form (:mod:`cms.members.protection`) and the audience counter
(:mod:`cms.audience.views`). The cache keys are keyed hashes (HMAC with the secret key) of the
value, never the value itself, and they expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CACHE_PREFIX = "relais:rate:"


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
    return f"{CACHE_PREFIX}{scope}:{digest[:40]}"


def allow(scope: str, value: str, attempts: int, seconds: int) -> bool:
    """Count one attempt for ``value`` in ``scope``; False once more than ``attempts`` were
    counted in the window of ``seconds``. An empty value is never limited."""
    if not value:
        return True
    key = key_of(scope, value)
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= attempts


def forget(scope: str, value: str) -> None:
    cache.delete(key_of(scope, value))
