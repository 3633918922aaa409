"""The watch's settings, read from Django's.

- ``RELAIS_WATCH_ALLOW_PRIVATE`` (off by default): ``1`` lets sources be on private and
  loopback addresses over ``http://``, ``loopback`` this machine only (tests, development);
  unset, sources must be ``https://`` on public addresses (:class:`relais.outbound.Policy`).
- ``RELAIS_WATCH`` (a dict, every key optional): ``cycle_every`` seconds between two cycles of
  the worker's clock (900; 0: never), ``interval`` seconds between two checks of a healthy
  source (3600), ``retry_base`` and ``retry_cap`` of a failing source's backoff (300, 86400),
  ``workers`` (16), ``host_delay`` seconds between two requests to one host (1.0),
  ``timeout`` seconds a fetch may take in all (30), ``alert_digest_every`` seconds between two
  looks of the clock for the alerts' daily mails due (3600; 0: no mail), ``alert_digest_hour``
  the local hour from which they leave (7), ``review_every`` seconds between two looks of the
  clock for the weekly press reviews due (900; 0: none composed by itself, :mod:`.weekly`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from relais.outbound import Policy
from relais.watching.cycle import WatchConfig
from relais.watching.fetch import Limits

DEFAULTS: dict[str, Any] = {
    "cycle_every": 900,
    "interval": 3600,
    "retry_base": 300,
    "retry_cap": 86400,
    "workers": 16,
    "host_delay": 1.0,
    "timeout": 30.0,
    "alert_digest_every": 3600,
    "alert_digest_hour": 7,
    "review_every": 900,
}


def options() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "RELAIS_WATCH", {})}


def cycle_every() -> int:
    return int(options()["cycle_every"])


def alert_digest_every() -> int:
    return int(options()["alert_digest_every"])


def alert_digest_hour() -> int:
    return int(options()["alert_digest_hour"])


def review_every() -> int:
    return int(options()["review_every"])


def policy() -> Policy:
    """The policy ``RELAIS_WATCH_ALLOW_PRIVATE`` names."""
    try:
        return Policy.parse(getattr(settings, "RELAIS_WATCH_ALLOW_PRIVATE", ""))
    except ValueError as exc:
        raise ImproperlyConfigured(f"RELAIS_WATCH_ALLOW_PRIVATE={exc}") from None


def limits() -> Limits:
    o = options()
    timeout = float(o["timeout"])
    return Limits(
        deadline=timeout,
        read_timeout=min(10.0, timeout),
        connect_timeout=min(5.0, timeout),
        host_delay=float(o["host_delay"]),
    )


def watch_config() -> WatchConfig:
    o = options()
    return WatchConfig(
        policy=policy(),
        limits=limits(),
        interval=timedelta(seconds=o["interval"]),
        retry_base=timedelta(seconds=o["retry_base"]),
        retry_cap=timedelta(seconds=o["retry_cap"]),
        workers=int(o["workers"]),
    )
