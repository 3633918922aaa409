"""Statistiques in the admin: the overview (funnel, timelines, top items), the contributors, the
CSV exports of the numbers shown. Everything is one association's (the chosen site's, with the
site switcher for who works on several), filtered by period, section and network, and visible
to users with the "view statistics" permission."""

from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.i18n import not_known
from cms.core.spreadsheets import cell as spreadsheet_cell
from cms.federation.scope import chosen_site, sites_for

from .figures import Figures, Row
from .forms import StatsFilterForm
from .presenting import overview
from .series import Amount

PERMISSION = "stats.view_statistics"
EXPORTS = [
    ("reseaux", gettext_lazy("CSV : par réseau")),
    ("entonnoir", gettext_lazy("CSV : entonnoir")),
    ("evolution-impressions", gettext_lazy("CSV : vues")),
    ("evolution-engagement", gettext_lazy("CSV : interactions")),
    ("evolution-visits", gettext_lazy("CSV : visites")),
    ("evolution-signups", gettext_lazy("CSV : adhésions")),
    ("articles", gettext_lazy("CSV : articles")),
    ("contributeurs", gettext_lazy("CSV : contributeurs")),
]


def check_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def figures_for(request: HttpRequest) -> tuple[StatsFilterForm, Figures]:
    """The filter form and the figures of the chosen site (one of the user's)."""
    site = chosen_site(request)
    form = StatsFilterForm(request.GET or None)
    return form, Figures(form.filters(timezone.localdate(), site))


class StatsView(WagtailAdminTemplateMixin, TemplateView):
    """A page of the area: the figures of the period, section and network asked for, with the
    admin's title, header and breadcrumbs (``page_title``, ``header_icon``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, figures = figures_for(self.request)
        context.update(
            overview(figures),
            form=form,
            site=figures.filters.site,
            sites=sites_for(self.request.user),
        )
        return context


class OverviewView(StatsView):
    page_title = gettext_lazy("Statistiques")
    header_icon = "view"
    template_name = "stats/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "exports": EXPORTS, "extra_sections": self.extra_sections(context)}

    def extra_sections(self, context: dict[str, Any]) -> list[str]:
        """The sections other apps add to the overview: each function registered with the
        ``stats_overview_sections`` hook gets ``(request, site, filters)`` and returns the
        HTML of its section, of the same association and period."""
        return [
            fn(self.request, context["site"], context.get("filters"))
            for fn in hooks.get_hooks("stats_overview_sections")
        ]


class ContributorsView(StatsView):
    page_title = gettext_lazy("Statistiques des contributeurs")
    header_icon = "group"
    template_name = "stats/contributors.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "extra_sections": self.extra_sections(context)}

    def extra_sections(self, context: dict[str, Any]) -> list[str]:
        """The sections other apps add (who helped, thank-yous sent): each function registered
        with the ``stats_contributors_sections`` hook gets ``(request, site, filters)`` and
        returns the HTML of its section, of the same association and period."""
        return [
            fn(self.request, context["site"], context.get("filters"))
            for fn in hooks.get_hooks("stats_contributors_sections")
        ]

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        overview_item = {"url": reverse("stats_index"), "label": OverviewView.page_title}
        return [*self.breadcrumbs_items, overview_item, {"url": "", "label": self.page_title}]


# -- CSV -------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A cell as the page shows it: "n/d" when the network refused the number, empty when
    it does not measure it."""
    if isinstance(value, Amount):
        if value.value is None:
            return not_known() if value.missing else ""
        return value.value
    if value is None:
        return ""
    return spreadsheet_cell(value, csv=True)  # a title must not run as a formula


def _row_cells(row: Row) -> list[Any]:
    return [row.posts, row.impressions, row.engagement, row.clicks, row.network_visits]


def tables(figures: Figures) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table the area shows, as (header, rows), from the same context as the pages."""
    context = overview(figures, top=10**9)
    head = [
        _("Publications"),
        _("Vues"),
        _("Interactions"),
        _("Clics"),
        _("Visites depuis les réseaux"),
    ]
    networks = [[r.label, *_row_cells(r), r.signups] for r in context["networks"]]
    total = context["total"]
    networks.append([_("Total"), *_row_cells(total), total.signups])
    out = {
        "reseaux": ([_("Réseau"), *head, _("Adhésions")], networks),
        "articles": (
            [
                _("Article"),
                _("Rubrique"),
                _("Contributeurs"),
                *head,
                _("Visites (toutes origines)"),
                _("Adhésions"),
            ],
            [
                [r.label, r.section, ", ".join(r.contributors), *_row_cells(r), r.visits, r.signups]
                for r in context["items"]
            ],
        ),
        "contributeurs": (
            [
                _("Contributeur"),
                _("Articles"),
                *head,
                _("Visites (toutes origines)"),
                _("Adhésions"),
            ],
            [
                [r.label, r.items, *_row_cells(r), r.visits, r.signups]
                for r in context["contributors"]
            ],
        ),
    }
    for chart in context["timelines"]:
        out[f"evolution-{chart.key}"] = (chart.table.head, chart.table.rows)
    out["entonnoir"] = (context["funnel"].table.head, context["funnel"].table.rows)
    return out


def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    check_permission(request)
    _form, figures = figures_for(request)
    found = tables(figures).get(table)
    if found is None:
        raise Http404(
            _("Ce tableau n'existe pas : choisissez un export depuis la page Statistiques.")
        )
    head, rows = found
    f = figures.filters
    name = f"statistiques-{table}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    writer = csv.writer(response)
    writer.writerow([_cell(h) for h in head])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return response
