from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from cms.federation.scope import chosen_site, sites_for

from . import agenda, conf, views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("calendrier/", views.CalendarView.as_view(), name="editorial_calendar"),
        path(
            "calendrier/publications/<int:pk>/deplacer/",
            views.move_post,
            name="editorial_calendar_move_post",
        ),
        path(
            "calendrier/articles/<int:page_id>/deplacer/",
            views.move_item,
            name="editorial_calendar_move_item",
        ),
        path(
            "calendrier/creneaux/<int:pk>/",
            views.SlotsView.as_view(),
            name="editorial_calendar_slots",
        ),
    ]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return sites_for(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    return CalendarMenuItem(
        _("Calendrier éditorial"), reverse("editorial_calendar"), icon_name="calendar", order=250
    )


class DaysReadyPanel(Component):
    """On the dashboard: the days of content ready per network of the chosen association."""

    name = "editorial_days_ready"
    order = 55
    template_name = "calendar/panels/days_ready.html"

    def __init__(self, site, rows):
        self.site = site
        self.rows = rows

    def get_context_data(self, parent_context=None):
        return {
            "site": self.site,
            "rows": self.rows,
            "warning": any(r.warning for r in self.rows),
            "warning_days": conf.calendar()["ready_warning_days"],
        }


@hooks.register("construct_homepage_panels")
def add_days_ready_panel(request, panels):
    try:
        site = chosen_site(request)
    except PermissionDenied:
        return
    rows = agenda.days_ready(site)
    if rows:
        panels.append(DaysReadyPanel(site, rows))
