from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from cms.content.models import ITEM_PANELS_HOOK

from . import report, views
from .panels import ItemStatsPanel


@hooks.register(ITEM_PANELS_HOOK, order=10)
def item_stats_panels() -> list[ItemStatsPanel]:
    """Below the item's posts on its Social tab: what they brought."""
    return [ItemStatsPanel(heading=_("Statistiques"))]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("stats/", views.OverviewView.as_view(), name="stats_index"),
        path("stats/contributeurs/", views.ContributorsView.as_view(), name="stats_contributors"),
        path("stats/rapport/", report.monthly, name="stats_report"),
        path("stats/export/<str:table>.csv", views.export_csv, name="stats_export"),
    ]


class StatsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(views.PERMISSION)


class StatsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm(views.PERMISSION)


@hooks.register("register_admin_menu_item")
def register_stats_menu():
    submenu = Menu(
        items=[
            StatsMenuItem(_("Vue d'ensemble"), reverse("stats_index"), icon_name="view", order=10),
            StatsMenuItem(
                _("Contributeurs"), reverse("stats_contributors"), icon_name="group", order=20
            ),
            StatsMenuItem(
                _("Rapport mensuel"), reverse("stats_report"), icon_name="doc-full", order=30
            ),
        ]
    )
    return StatsSubmenu(_("Statistiques"), submenu, icon_name="view", order=260)


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(content_type__app_label="stats", codename="view_statistics")
