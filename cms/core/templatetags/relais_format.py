"""Filters of the admin's templates: durations and lists as people read them."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cms.core.i18n import readable_duration, readable_list

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """``{{ build.seconds|duration }}``: "0,4 s", "3 min", "2 h"; nothing when unknown."""
    return "" if seconds is None else readable_duration(seconds)


@register.filter
def and_list(items: Iterable[object]) -> str:
    """``{{ accounts|and_list }}``: "A, B et C" in French, "A, B and C" in English."""
    return readable_list([str(item) for item in items])
