"""Filters of the admin's templates: durations as people read them."""

from __future__ import annotations

from django import template

from cms.core.i18n import readable_duration

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """``{{ build.seconds|duration }}``: "0,4 s", "3 min", "2 h"; nothing when unknown."""
    return "" if seconds is None else readable_duration(seconds)
