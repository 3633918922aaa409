from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import Site

from cms.federation.scope import is_federation_admin, sites_for

from . import views
from .export import pages_behind
from .models import BuildRecord, SiteState


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("site/", views.site_status, name="relais_site_status"),
        path("site/rebuild/", views.rebuild, name="relais_rebuild"),
        path("sante/", views.health_page, name="relais_health"),
    ]


@hooks.register("register_admin_menu_item")
def register_site_menu_item():
    return MenuItem(_("Site public"), reverse("relais_site_status"), icon_name="globe", order=900)


class HealthMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_federation_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_health_menu_item():
    return HealthMenuItem(_("Santé"), reverse("relais_health"), icon_name="pick", order=910)


class SiteStatusPanel(Component):
    name = "relais_site_status"
    order = 50
    template_name = "publishing/panels/site_status_panel.html"

    def __init__(self, site: Site, several: bool = False):
        self.site = site
        self.several = several

    def get_context_data(self, parent_context=None):
        state = SiteState.get(self.site)
        to_export, to_withdraw = pages_behind(self.site)
        return {
            "site": self.site,
            "several": self.several,
            "last_build": BuildRecord.objects.filter(site=self.site).first(),
            "up_to_date": state.built_version >= state.content_version
            and not to_export
            and not to_withdraw,
        }


@hooks.register("construct_homepage_panels")
def add_site_status_panel(request, panels):
    sites = list(sites_for(request.user)[:5])
    for site in reversed(sites):
        panels.insert(0, SiteStatusPanel(site, several=len(sites) > 1))


@hooks.register("register_permissions")
def register_rebuild_permission():
    # shown in Paramètres → Groupes, to give to the groups that may rebuild the whole site
    return Permission.objects.filter(content_type__app_label="publishing", codename="rebuild_site")
