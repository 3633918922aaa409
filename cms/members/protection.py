"""Protection of the sign-up form against robots and floods, with nothing stored about the
attempts it turns away.

- **Honeypot**: a field people do not see (:data:`HONEYPOT`); a robot filling every field
  fills it too.
- **Rate limits** (``RELAIS_SIGNUP_RATE_LIMITS``): so many attempts per client address and so
  many sign-ups per e-mail address in a time window, counted in the cache. The cache keys are
  keyed hashes (HMAC with the secret key) of the address, never the address itself, and they
  expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

HONEYPOT = "site_web"
CACHE_PREFIX = "relais:signup:rate:"


def client_ip(request: HttpRequest) -> str:
    """The client's address: the last value of ``RELAIS_CLIENT_IP_HEADER`` behind a reverse
    proxy (the one the proxy itself added), else ``REMOTE_ADDR``."""
    header = settings.RELAIS_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value.strip().lower()}".encode(),
                      hashlib.sha256).hexdigest()
    return f"{CACHE_PREFIX}{scope}:{digest[:40]}"


def limit_of(scope: str) -> tuple[int, int]:
    attempts, seconds = settings.RELAIS_SIGNUP_RATE_LIMITS[scope]
    return int(attempts), int(seconds)


def allow(scope: str, value: str) -> bool:
    """Count one attempt for ``value`` (an address) in ``scope`` (``ip`` or ``email``); False
    once the limit of the window is passed."""
    if not value:
        return True
    attempts, seconds = limit_of(scope)
    key = _key(scope, value)
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= attempts


def forget(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))
