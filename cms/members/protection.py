"""Protection of the sign-up form against robots and floods, with nothing stored about the
attempts it turns away.

- **Honeypot**: a field people do not see (:data:`HONEYPOT`); a robot filling every field
  fills it too.
- **Rate limits** (``RELAIS_SIGNUP_RATE_LIMITS``): so many attempts per client address and so
  many sign-ups per e-mail address in a time window opened by the first attempt, counted by
  :mod:`cms.core.ratelimit` (keyed hashes, never the address itself).
"""

from __future__ import annotations

from django.conf import settings

from cms.core import ratelimit
from cms.core.ratelimit import client_ip

__all__ = ["HONEYPOT", "allow", "client_ip", "forget"]

HONEYPOT = "site_web"
KEY_PREFIX = ratelimit.KEY_PREFIX + "signup-"


def limit_of(scope: str) -> tuple[int, int]:
    attempts, seconds = settings.RELAIS_SIGNUP_RATE_LIMITS[scope]
    return int(attempts), int(seconds)


def allow(scope: str, value: str) -> bool:
    """Count one attempt for ``value`` (an address) in ``scope`` (``ip`` or ``email``); False
    once the limit of the window is passed."""
    return ratelimit.allow(f"signup-{scope}", value, *limit_of(scope))


def forget(scope: str, value: str) -> None:
    ratelimit.forget(f"signup-{scope}", value)
