from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.federation.scope import sites_for

from . import stats, views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("conversations/", views.DeskView.as_view(), name="conversations_desk"),
        path("conversations/<int:pk>/", views.MessageView.as_view(), name="conversations_message"),
        path(
            "conversations/<int:pk>/compter/", views.CountView.as_view(), name="conversations_count"
        ),
        path(
            "conversations/preferences/",
            views.PreferencesView.as_view(),
            name="conversations_preferences",
        ),
    ]


class DeskMenuItem(MenuItem):
    def is_shown(self, request):
        return sites_for(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_desk_menu_item():
    return DeskMenuItem(
        _("Conversations"), reverse("conversations_desk"), icon_name="comment", order=255
    )


@hooks.register("stats_overview_sections")
def answer_times_section(request, site, filters):
    return stats.section(request, site, filters)
