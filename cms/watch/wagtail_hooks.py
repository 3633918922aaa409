from datetime import timedelta

from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from cms.federation.scope import associations_for

from . import alerts, views, weekly
from .models import AlertFollow

#: The dashboard panel shows the unread alerts, and the read ones of the last days.
PANEL_DAYS = 7
PANEL_SIZE = 10


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("watch/", views.desk, name="watch_desk"),
        path("watch/sources/", views.sources, name="watch_sources"),
        path("watch/sources/add/", views.add_source, name="watch_add_source"),
        *(
            path(
                f"watch/sources/<int:pk>/{action}/",
                views.act_on_source,
                {"action": action},
                name=f"watch_source_{action}",
            )
            for action in views.SOURCE_ACTIONS
        ),
        *(
            path(
                f"watch/shared/<int:pk>/{action}/",
                views.act_on_shared,
                {"action": action},
                name=f"watch_shared_{action}",
            )
            for action in views.SHARED_ACTIONS
        ),
        path("watch/alerts/", views.alerts_page, name="watch_alerts"),
        path("watch/alerts/rules/add/", views.add_alert_rule, name="watch_add_alert_rule"),
        *(
            path(
                f"watch/alerts/rules/<int:pk>/{action}/",
                views.act_on_alert_rule,
                {"action": action},
                name=f"watch_alert_rule_{action}",
            )
            for action in views.RULE_ACTIONS
        ),
        path(
            "watch/alerts/follow-all/",
            views.follow_all,
            {"follow": True},
            name="watch_alerts_follow_all",
        ),
        path(
            "watch/alerts/unfollow-all/",
            views.follow_all,
            {"follow": False},
            name="watch_alerts_unfollow_all",
        ),
        path("watch/alerts/<int:pk>/read/", views.read_alert, name="watch_alert_read"),
        path("watch/alerts/read-all/", views.read_all_alerts, name="watch_alerts_read_all"),
        path("watch/alerts/email/", views.alerts_email, name="watch_alerts_email"),
        path("watch/review/", views.compose_review, name="watch_compose_review"),
        path("watch/review/schedule/", views.review_schedule, name="watch_review_schedule"),
        path("watch/rules/add/", views.add_rule, name="watch_add_rule"),
        path("watch/rules/<int:pk>/delete/", views.delete_rule, name="watch_delete_rule"),
        *(
            path(
                f"watch/entries/<int:pk>/{action}/",
                views.act_on_entry,
                {"action": action},
                name=f"watch_entry_{action}",
            )
            for action in views.ENTRY_ACTIONS
        ),
    ]


class WatchMenuItem(MenuItem):
    def is_shown(self, request):
        return associations_for(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_watch_menu():
    menu = Menu(
        items=[
            WatchMenuItem(_("Tri du jour"), reverse("watch_desk"), icon_name="tasks", order=1),
            WatchMenuItem(_("Sources"), reverse("watch_sources"), icon_name="link", order=2),
            WatchMenuItem(_("Alertes"), reverse("watch_alerts"), icon_name="warning", order=3),
        ]
    )
    return SubmenuMenuItem(_("Veille"), menu, icon_name="view", order=860)


class AlertsPanel(Component):
    """On the dashboard: "Alertes de la veille", the alerts the person follows in their
    associations, the unread first, each to mark read."""

    name = "watch_alerts"
    order = 70
    template_name = "watch/panels/alerts_panel.html"

    def __init__(self, rows, unread: int):
        self.rows = rows
        self.unread = unread

    def get_context_data(self, parent_context=None):
        return {"alerts": self.rows, "unread": self.unread, "request": parent_context["request"]}


@hooks.register("construct_homepage_panels")
def add_alerts_panel(request, panels):
    if not AlertFollow.objects.filter(user=request.user).exists():
        return
    recent = timezone.now() - timedelta(days=PANEL_DAYS)
    mine = alerts.followed(request.user)
    shown = mine.filter(Q(is_read=False) | Q(created_at__gte=recent))
    rows = list(shown.order_by("is_read", "-created_at")[:PANEL_SIZE])
    panels.append(AlertsPanel(rows, mine.filter(is_read=False).count()))


class ReviewPanel(Component):
    """On the dashboard: the weekly press reviews composed by themselves, still in draft."""

    name = "watch_review"
    order = 71
    template_name = "watch/panels/review_panel.html"

    def __init__(self, runs):
        self.runs = runs

    def get_context_data(self, parent_context=None):
        return {"runs": self.runs}


@hooks.register("construct_homepage_panels")
def add_review_panel(request, panels):
    runs = list(weekly.ready_reviews(request.user)[:PANEL_SIZE])
    if runs:
        panels.append(ReviewPanel(runs))
