"""On **Statistiques → Contributeurs**: who helped — the items credited to each contributor
that went live in the period, and the thank-yous sent for them (the ``stats_contributors_sections``
hook)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from cms.social.models import Delivery
from cms.taxonomy.models import Contributor

from .models import Discussion


def who_helped(site_id: int, since: dt.datetime, until: dt.datetime) -> list[dict[str, Any]]:
    """Per contributor of the site: items credited that were first published from ``since``
    to before ``until``, and thank-yous for their items that reached a network then."""
    credited = Count(
        "items",
        filter=Q(items__first_published_at__gte=since, items__first_published_at__lt=until),
        distinct=True,
    )
    people = (
        Contributor.objects.filter(site_id=site_id)
        .annotate(credited=credited)
        .order_by("name", "pk")
    )
    sent = set(
        Delivery.objects.filter(
            item_key__startswith="discussion:",
            state=Delivery.State.SENT,
            attempted_at__gte=since,
            attempted_at__lt=until,
            account__site_id=site_id,
        ).values_list("item_key", flat=True)
    )
    thanks = Discussion.objects.filter(
        site_id=site_id, kind=Discussion.Kind.THANKS, page__isnull=False
    ).values_list("pk", "page_id")
    thanked_pages: dict[int, int] = {}
    for pk, page_id in thanks:
        if f"discussion:{pk}" in sent:
            thanked_pages[page_id] = thanked_pages.get(page_id, 0) + 1
    rows = []
    for person in people:
        pages = person.items.values_list("pk", flat=True)
        thanked = sum(thanked_pages.get(pk, 0) for pk in pages)
        if person.credited or thanked:
            rows.append({"name": person.name, "credited": person.credited, "thanked": thanked})
    return rows


def section(request: HttpRequest, site: Any, filters: Any) -> str:
    rows = who_helped(site.pk, filters.since, filters.until)
    return render_to_string("discuss/stats_section.html", {"rows": rows}, request=request)
