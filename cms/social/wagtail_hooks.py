from typing import Any

from django.contrib.auth.models import Permission
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem

from cms.content.models import ITEM_FORM_HOOK, ITEM_PANELS_HOOK
from cms.federation.scope import managed_sites_for

from .forms import SocialPageForm
from .models import SocialAccount
from .panels import SocialDeliveriesPanel
from .views import accounts, connect, ledger, preview


@hooks.register(ITEM_PANELS_HOOK, order=0)
def item_social_panels() -> list[Any]:
    """The item's Social tab: the text per network, then what was posted where."""
    return [
        FieldPanel("social_texts", heading=_("Ce qui sera publié sur chaque réseau")),
        SocialDeliveriesPanel(heading=_("Publications")),
    ]


@hooks.register(ITEM_FORM_HOOK)
def item_social_form() -> type[SocialPageForm]:
    return SocialPageForm


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("social/accounts/", accounts.index, name="social_accounts"),
        path("social/accounts/<int:pk>/", accounts.edit, name="social_account_edit"),
        path("social/accounts/<int:pk>/verify/", accounts.verify, name="social_account_verify"),
        path(
            "social/accounts/<int:pk>/disconnect/",
            accounts.disconnect,
            name="social_account_disconnect",
        ),
        path("social/connect/<str:network>/", connect.start, name="social_connect"),
        path(
            "social/connect/<str:network>/callback/",
            connect.callback,
            name="social_connect_callback",
        ),
        path("social/connect/<str:network>/choose/", connect.choose, name="social_connect_choose"),
        path("social/deliveries/", ledger.DeliveryReportView.as_view(), name="social_deliveries"),
        path(
            "social/deliveries/results/",
            ledger.DeliveryReportView.as_view(results_only=True),
            name="social_deliveries_results",
        ),
        path("social/deliveries/<int:pk>/retry/", ledger.retry, name="social_delivery_retry"),
        path("social/pages/<int:page_id>/", ledger.page_deliveries, name="social_page_deliveries"),
        path("social/pages/<int:page_id>/repost/", ledger.repost, name="social_page_repost"),
        path("social/preview/<int:page_id>/", preview.preview, name="social_preview"),
        path(
            "social/preview/new/<str:app_label>/<str:model_name>/<int:parent_id>/",
            preview.preview_new,
            name="social_preview_new",
        ),
    ]


class AccountsMenuItem(MenuItem):
    def is_shown(self, request):
        return (
            request.user.has_perm("social.change_socialaccount")
            and managed_sites_for(request.user).exists()
        )


@hooks.register("register_settings_menu_item")
def register_accounts_menu_item():
    return AccountsMenuItem(_("Réseaux"), reverse("social_accounts"), icon_name="globe", order=650)


@hooks.register("register_reports_menu_item")
def register_deliveries_report_menu_item():
    return MenuItem(
        _("Publications sur les réseaux"),
        reverse("social_deliveries"),
        icon_name="globe",
        order=750,
    )


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(
        content_type__app_label="social",
        codename__in=["change_socialaccount", "change_delivery"],
    )


@hooks.register("insert_editor_js")
def social_tab_js():
    return format_html('<script src="{}" defer></script>', static("social/social_tab.js"))


class SocialPageButton(PageMenuItem):
    label = _("Réseaux sociaux")
    icon_name = "globe"
    url_name = "social_page_deliveries"

    def is_shown(self, user):
        return hasattr(self.page.specific_class, "social_texts") and (
            self.page.permissions_for_user(user).can_edit()
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_social_button(page, user, next_url=None):
    yield SocialPageButton(page=page, priority=45)


@hooks.register("register_page_header_buttons")
def page_header_social_button(page, user, view_name, next_url=None):
    yield SocialPageButton(page=page, priority=62)


class ReconnectPanel(Component):
    """On the dashboard: accounts that cannot post until someone reconnects them."""

    name = "social_reconnect"
    order = 60
    template_name = "social/panels/reconnect_panel.html"

    def __init__(self, accounts):
        self.accounts = accounts

    def get_context_data(self, parent_context=None):
        return {"accounts": self.accounts}


@hooks.register("construct_homepage_panels")
def add_reconnect_panel(request, panels):
    if not request.user.has_perm("social.change_socialaccount"):
        return
    waiting = []
    mine = SocialAccount.objects.filter(site__in=managed_sites_for(request.user))
    for account in mine.filter(active=True).exclude(credentials=""):
        if account.current_status() != SocialAccount.Status.OK:
            waiting.append(account)
    if waiting:
        panels.append(ReconnectPanel(waiting))
