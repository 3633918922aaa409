from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from cms.federation.scope import associations_for

from . import views


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
        path("watch/review/", views.compose_review, name="watch_compose_review"),
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
        ]
    )
    return SubmenuMenuItem(_("Veille"), menu, icon_name="view", order=860)
