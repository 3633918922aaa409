"""Paramètres → Réseaux: the association's accounts, their state, and what can be done with
them. Credentials are never shown: not even masked, not even their length."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Site

from cms.federation.models import Association
from cms.federation.scope import chosen_site, managed_sites_for
from syndication.errors import DeliveryError, ReconnectNeeded
from syndication.networks import registry

from ..crypto import CredentialsUnreadable
from ..delivery import resume_account
from ..models import SocialAccount
from ..notify import mark_connected, mark_reconnect_needed
from ..providers import FLOWS
from .connect import check_permission

#: What each network needs before it can be connected, shown on the page.
REQUIREMENTS = {
    "bluesky": gettext_lazy("un identifiant et un mot de passe d'application"),
    "mastodon": gettext_lazy("l'adresse du serveur, puis l'autorisation sur ce serveur"),
    "x": gettext_lazy("une application X (offre payante de l'API pour publier)"),
    "linkedin": gettext_lazy(
        "une application LinkedIn avec l'accès « Community Management », "
        "et le rôle d'administrateur de la page"
    ),
    "facebook": gettext_lazy(
        "une application Meta validée (pages_manage_posts), et un rôle sur la Page"
    ),
    "instagram": gettext_lazy(
        "la même application Meta, et un compte Instagram professionnel lié à la Page"
    ),
}


def managed_account(request: HttpRequest, pk: int) -> SocialAccount:
    """The account ``pk`` of an association the user administers; another's is not found."""
    check_permission(request)
    return get_object_or_404(SocialAccount, pk=pk, site__in=managed_sites_for(request.user))


def index(request: HttpRequest) -> HttpResponse:
    """The accounts of the chosen site, among those the user administers."""
    check_permission(request)
    managed = managed_sites_for(request.user)
    site = chosen_site(request, among=managed)
    accounts = list(SocialAccount.objects.filter(site=site).select_related("site", "owner"))
    for account in accounts:
        account.refresh_status()
    networks = []
    for name, cls in registry.items():
        flow = FLOWS.get(name)
        networks.append(
            {
                "name": name,
                "label": cls.label,
                "requires": REQUIREMENTS.get(name, ""),
                "configured": flow is None or flow().configured,
            }
        )
    return TemplateResponse(
        request,
        "social/accounts.html",
        {
            "site": site,
            "sites": managed,
            "site_accounts": accounts,
            "networks": networks,
        },
    )


class AccountForm(forms.ModelForm):
    class Meta:
        model = SocialAccount
        fields = ["display_name", "owner", "active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_of(self.instance.site)


def people_of(site: Site) -> Any:
    """Who may be an account's owner: the active users who work on its association (an
    installation with a single association: every active user)."""
    users = get_user_model().objects.filter(is_active=True)
    association = Association.for_site(site)
    if Association.objects.count() <= 1:
        return users
    groups = [g.pk for g in association.groups]
    return users.filter(Q(is_superuser=True) | Q(groups__in=groups)).distinct()


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = managed_account(request, pk)
    form = AccountForm(request.POST or None, instance=account)
    was_active = account.active
    if request.method == "POST" and form.is_valid():
        form.save()
        if account.active and not was_active and account.credentials:
            resume_account(account)  # what waited while it was switched off
        messages.success(request, _("Compte %(account)s enregistré.") % {"account": account})
        return redirect("social_accounts")
    return TemplateResponse(
        request,
        "social/account_edit.html",
        {
            "form": form,
            "account": account,
        },
    )


@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the network who the stored credentials post as."""
    account = managed_account(request, pk)
    try:
        info = account.client().verify_credentials()
    except (ReconnectNeeded, CredentialsUnreadable):
        mark_reconnect_needed(account)
        messages.error(request, account.status_message)
    except DeliveryError:
        messages.warning(
            request,
            _("%(label)s ne répond pas pour le moment : réessayez plus tard.")
            % {"label": account.network_label},
        )
    else:
        if account.status == SocialAccount.Status.RECONNECT:
            mark_connected(account)
            resume_account(account)
        messages.success(
            request,
            _("Le compte %(account)s peut publier (%(who)s).")
            % {"account": account, "who": info.handle or info.name or info.id},
        )
    return redirect("social_accounts")


@require_POST
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget the credentials and stop posting; the ledger of past posts stays."""
    account = managed_account(request, pk)
    account.credentials = ""
    account.active = False
    account.save(update_fields=["credentials", "active", "updated_at"])
    messages.success(
        request,
        _(
            "Compte %(account)s déconnecté : ses identifiants sont effacés. "
            "Pensez à retirer aussi l'accès de Relais sur le réseau."
        )
        % {"account": account},
    )
    return redirect("social_accounts")
