from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.federation.scope import is_federation_admin

from . import views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("associations/", views.AssociationsView.as_view(), name="relais_associations"),
        path(
            "associations/nouvelle/",
            views.NewAssociationView.as_view(),
            name="relais_new_association",
        ),
    ]


class FederationMenuItem(MenuItem):
    def is_shown(self, request):
        return is_federation_admin(request.user)


@hooks.register("register_settings_menu_item")
def register_associations_menu_item():
    return FederationMenuItem(
        _("Associations"), reverse("relais_associations"), icon_name="group", order=50
    )
