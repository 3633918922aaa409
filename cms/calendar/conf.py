"""Settings of the editorial calendar, with their defaults; ``settings.RELAIS_CALENDAR``
overrides them."""

from __future__ import annotations

from typing import Any

from django.conf import settings

CALENDAR: dict[str, Any] = {
    # Days of content ready (per network, until the first day without a post) under which the
    # calendar and the dashboard warn.
    "ready_warning_days": 3,
    # How far ahead the days ready are counted.
    "ready_horizon_days": 60,
    # A network without a post for at least this many days in a row is a gap.
    "gap_days": 7,
}


def calendar() -> dict[str, Any]:
    return {**CALENDAR, **getattr(settings, "RELAIS_CALENDAR", {})}
