from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.federation.scope import managed_sites_for

from .views import HandoverView


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("passation/", HandoverView.as_view(), name="handover")]


class HandoverMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return managed_sites_for(request.user).exists()


@hooks.register("register_settings_menu_item")
def register_handover_menu_item():
    return HandoverMenuItem(
        _("Passation"), reverse("handover"), icon_name="clipboard-list", order=950
    )
