"""Time to first answer in the Statistics area: a section of the overview (the statistics
call the ``stats_overview_sections`` hook), for the chosen association, period and network."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from wagtail.models import Site

from .figures import answer_times, duration


def section(request: HttpRequest, site: Site, filters: Any) -> SafeString:
    rows = answer_times(
        site,
        start=getattr(filters, "start", None),
        end=getattr(filters, "end", None),
        network=getattr(filters, "network", "") or "",
    )
    table = [
        {
            "row": row,
            "median": duration(row.median_seconds),
            "p90": duration(row.p90_seconds),
        }
        for row in rows
    ]
    return render_to_string("conversations/stats_section.html", {"rows": table}, request=request)
