"""Numbers as the Statistics area shows them: grouped thousands, "n/d" when not known."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cms.core.i18n import labelled, not_known
from cms.stats.charts import number
from cms.stats.labels import metric_label, unavailable_label
from cms.stats.series import Amount

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """``12 345``, or "n/d" for an unknown value (never a zero in its place)."""
    if isinstance(value, Amount):
        return number(value.value)
    return number(value)


@register.simple_tag
def amount(value: Amount) -> str:
    """A sum from the networks: its number, with what it could not count in a tooltip and an
    asterisk; "n/d" with the reason when nothing was known."""
    if not isinstance(value, Amount):
        return number(value) if value is not None else "—"
    why = "; ".join(
        labelled(metric_label(m), unavailable_label(kind))
        for m, (kind, _reason) in sorted(value.missing.items())
    )
    if value.value is None:
        if why:
            return format_html(
                '<abbr title="{}">{}</abbr>', _("non disponible — ") + why, not_known()
            )
        return "—"
    if why:
        return format_html('{}<abbr title="{}">*</abbr>', number(value.value), _("sans ") + why)
    return number(value.value)


def _quotient(numerator: Any, denominator: Any, scale: int) -> str:
    """``scale × numerator / denominator`` with one decimal (French comma), "—" when it
    cannot be computed."""
    try:
        n, d = int(numerator or 0), int(denominator or 0)
    except (TypeError, ValueError):
        return "—"
    if not d:
        return "—"
    return f"{scale * n / d:.1f}".replace(".", ",")


@register.filter
def ratio(numerator: Any, denominator: Any) -> str:
    """``numerator / denominator`` with one decimal, "—" when it cannot be computed."""
    return _quotient(numerator, denominator, 1)


@register.filter
def per_hundred(numerator: Any, denominator: Any) -> str:
    """``100 × numerator / denominator``: a rate in percent, "—" when it cannot be computed."""
    return _quotient(numerator, denominator, 100)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
