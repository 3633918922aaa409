from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.federation.models import Sector
from cms.federation.scope import associations_for
from cms.social.planning import POST_AT_HOOK

from . import spreading, views
from .sectors import SectorPermissionPolicy
from .sharing import can_share


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("pool/", views.inbox, name="pool_inbox"),
        path("pool/offers/<int:pk>/changes/", views.changes, name="pool_changes"),
        *(
            path(
                f"pool/offers/<int:pk>/{action}/",
                views.act,
                {"action": action},
                name=f"pool_{action}",
            )
            for action in views.ACTIONS
        ),
        path("pool/share/<int:page_id>/", views.share, name="pool_share"),
        path("pool/tableau/", views.federation_dashboard, name="pool_dashboard"),
    ]


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return associations_for(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(
        _("Articles proposés"), reverse("pool_inbox"), icon_name="tasks", order=850
    )


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return views.dashboard_sites(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        _("Tableau de la fédération"), reverse("pool_dashboard"), icon_name="table", order=855
    )


class SharePageButton(PageMenuItem):
    label = _("Partage")
    icon_name = "group"
    url_name = "pool_share"

    def is_shown(self, user):
        if not hasattr(self.page.specific_class, "social_texts"):
            return False
        site = self.page.get_site()
        association = getattr(site, "association", None) if site else None
        return (
            association is not None
            and can_share(association)
            and self.page.permissions_for_user(user).can_edit()
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_share_button(page, user, next_url=None):
    yield SharePageButton(page=page, priority=46)


@hooks.register("register_page_header_buttons")
def page_header_share_button(page, user, view_name, next_url=None):
    yield SharePageButton(page=page, priority=63)


hooks.register(POST_AT_HOOK, spreading.post_at)


# The federation-wide sectors of activity: everyone chooses among them, only the federation's
# administrators change the list.
register_permission_policy(Sector, SectorPermissionPolicy(Sector))


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "tag"
    menu_label = _("Secteurs d'activité")
    menu_order = 260
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    # (searched through the model's own index: naming fields here makes the SQLite backend
    # query a column its index does not have)


register_snippet(SectorViewSet)
