from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import views
from .export import pages_behind
from .models import BuildRecord, SiteState


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("site/", views.site_status, name="relais_site_status"),
        path("site/rebuild/", views.rebuild, name="relais_rebuild"),
    ]


@hooks.register("register_admin_menu_item")
def register_site_menu_item():
    return MenuItem(_("Site public"), reverse("relais_site_status"), icon_name="globe", order=900)


class SiteStatusPanel(Component):
    name = "relais_site_status"
    order = 50
    template_name = "publishing/panels/site_status_panel.html"

    def get_context_data(self, parent_context=None):
        state = SiteState.get()
        to_export, to_withdraw = pages_behind()
        return {
            "last_build": BuildRecord.objects.first(),
            "up_to_date": state.built_version >= state.content_version
            and not to_export
            and not to_withdraw,
        }


@hooks.register("construct_homepage_panels")
def add_site_status_panel(request, panels):
    panels.insert(0, SiteStatusPanel())


@hooks.register("register_permissions")
def register_rebuild_permission():
    # shown in Paramètres → Groupes, to give to the groups that may rebuild the whole site
    return Permission.objects.filter(content_type__app_label="publishing", codename="rebuild_site")
