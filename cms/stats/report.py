"""The monthly report for the board: one printable page (print CSS, no admin chrome) with the
month's key figures against the month before, the funnel, the month day by day, the items that
brought the most, the contributors to thank, and what the networks did not say. A PDF is the
browser's "Print → Save as PDF"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.core.models import AssociationSettings
from cms.federation.scope import chosen_site, sites_for
from relais.french import interpolate

from .figures import Figures, Filters, Row
from .forms import month_bounds
from .presenting import overview
from .views import check_permission

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_asked(value: str | None, today: dt.date) -> tuple[dt.date, str]:
    """The first day of the month asked for (``YYYY-MM``), by default the last full month;
    and an error to show when the value was not usable."""
    default = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if not value:
        return default, ""
    m = MONTH.match(value.strip())
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= today.year:
        return dt.date(int(m.group(1)), int(m.group(2)), 1), ""
    return default, _(
        "Le mois « %(value)s » n'est pas compris : écrivez-le AAAA-MM (par exemple "
        "2026-10). Voici le dernier mois complet."
    ) % {"value": value}


def key_figures(figures: Figures, before: Figures, total: Row, previous: Row) -> list[Any]:
    """(label, the month's number, the month before's), each label agreeing with its number."""
    posts, views, gains = total.posts, total.impressions.value, total.engagement.value
    signups = figures.all_signups()
    return [
        (
            ngettext("Publication sur les réseaux", "Publications sur les réseaux", posts),
            posts,
            previous.posts,
        ),
        (
            ngettext("Vue sur les réseaux", "Vues sur les réseaux", views or 0),
            views,
            previous.impressions.value,
        ),
        (
            ngettext("Interaction", "Interactions", gains or 0),
            gains,
            previous.engagement.value,
        ),
        (
            ngettext(
                "Visite du site depuis les réseaux",
                "Visites du site depuis les réseaux",
                total.network_visits,
            ),
            total.network_visits,
            previous.network_visits,
        ),
        (
            ngettext("Adhésion venue des réseaux", "Adhésions venues des réseaux", total.signups),
            total.signups,
            previous.signups,
        ),
        (
            ngettext("Adhésion (toutes origines)", "Adhésions (toutes origines)", signups),
            signups,
            before.all_signups(),
        ),
    ]


def monthly(request: HttpRequest) -> HttpResponse:
    """The report of the chosen association (one of the user's)."""
    check_permission(request)
    site = chosen_site(request)
    today = timezone.localdate()
    first, error = month_asked(request.GET.get("month"), today)
    start, end = month_bounds(first)
    end = min(end, today) if start <= today else end
    figures = Figures(Filters(start=start, end=end, site=site), granularity="week")
    previous_start, previous_end = month_bounds(start - dt.timedelta(days=1))
    before = Figures(Filters(start=previous_start, end=previous_end, site=site))
    context = overview(figures, top=5)
    previous = before.total(before.by_network())
    total = context["total"]
    context.update(
        month=first,
        title=interpolate(_("Rapport de %(month)s"), {"month": date_format(first, "F Y")}),
        error=error,
        previous_month=previous_start,
        next_month=(first + dt.timedelta(days=32)).replace(day=1),
        can_go_next=(first + dt.timedelta(days=32)).replace(day=1) <= today,
        association=AssociationSettings.for_site(site).name or site.site_name or "Relais",
        site=site,
        sites=sites_for(request.user),
        generated_at=timezone.now(),
        key_figures=key_figures(figures, before, total, previous),
        thanks=[c for c in context["contributors"] if c.posts or c.visits or c.signups][:12],
        timeline_charts=[c for c in context["timelines"] if c.key in ("engagement", "visits")],
    )
    return TemplateResponse(request, "stats/report.html", context)
