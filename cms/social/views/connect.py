"""Connect flows: start → the network's authorize page (``state`` kept in the session) →
callback (``state`` checked, code exchanged, tokens stored encrypted) → pick the page to post
as when there are several. Bluesky and Mastodon first ask a question (handle and app password;
the server's address).

What the flow keeps between the redirect and the callback (PKCE verifier, Mastodon's app
secret) is encrypted in the session, like the credentials in the database.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.models import Site

from cms.federation.scope import can_manage, chosen_site, managed_sites_for
from syndication.networks import registry

from .. import conf, crypto
from ..connections import save_candidate
from ..models import SocialAccount
from ..providers import FLOWS, Candidate, ConnectError, MastodonFlow, connect_bluesky

STATE_KEY = "social_oauth"
CHOICE_KEY = "social_candidates"
PERMISSION = "social.change_socialaccount"


def check_permission(request: HttpRequest, site: Site | None = None) -> None:
    """Accounts are managed by whoever has the permission and administers the association
    (of ``site``, when the view is about one): :func:`cms.federation.scope.can_manage`."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    if site is not None and not can_manage(request.user, site):
        raise PermissionDenied


def callback_url(network: str) -> str:
    """The redirect URI to register with the network (stable: built from settings)."""
    return settings.WAGTAILADMIN_BASE_URL + reverse("social_connect_callback", args=[network])


def site_for(request: HttpRequest) -> Site:
    """The site an account is connected for: ``?site=`` among those the user manages (else
    the one chosen last, else their first); any other is refused."""
    return chosen_site(request, among=managed_sites_for(request.user))


def _account(request: HttpRequest, network: str, site: Site) -> SocialAccount | None:
    """The account of ``site`` being reconnected (``?account=``), if any."""
    pk = request.GET.get("account") or request.POST.get("account")
    if not pk:
        return None
    return get_object_or_404(SocialAccount, pk=pk, network=network, site=site)


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("social_accounts")


def _remember(
    request: HttpRequest,
    state: str,
    network: str,
    site: Site,
    account: SocialAccount | None,
    kept: dict[str, Any],
) -> None:
    """Keep what the callback needs, under ``state`` (the last five flows, 15 minutes)."""
    pending = {
        k: v
        for k, v in request.session.get(STATE_KEY, {}).items()
        if time.time() - v.get("created", 0) < conf.OAUTH_STATE_LIFETIME.total_seconds()
    }
    pending[state] = {
        "network": network,
        "site": site.pk,
        "account": account.pk if account else None,
        "created": time.time(),
        "kept": crypto.encrypt(kept),
    }
    request.session[STATE_KEY] = dict(list(pending.items())[-5:])


def _finish(
    request: HttpRequest,
    network: str,
    site_id: int,
    account_id: int | None,
    candidates: list[Candidate],
) -> HttpResponse:
    label = registry[network].label
    if not candidates:
        return _back(
            request,
            _(
                "Aucun compte %(label)s utilisable : vérifiez que vous administrez la page (ou le "
                "compte professionnel) et que vous avez accepté toutes les autorisations demandées."
            )
            % {"label": label},
        )
    site = get_object_or_404(Site, pk=site_id)
    check_permission(request, site)
    if len(candidates) > 1 and account_id is None:
        request.session[CHOICE_KEY] = {
            "network": network,
            "site": site_id,
            "candidates": crypto.encrypt({"list": [c.to_session() for c in candidates]}),
        }
        return redirect("social_connect_choose", network=network)
    account = SocialAccount.objects.filter(pk=account_id, site=site).first() if account_id else None
    if account is not None:
        candidate = next((c for c in candidates if c.is_account(account.remote_id)), None)
        if candidate is None:
            return _back(
                request,
                _(
                    "Ce n'est pas le même compte %(label)s que « %(name)s » : reconnectez-vous "
                    "avec le bon compte, ou connectez-le comme un nouveau compte."
                )
                % {"label": label, "name": account.display_name},
            )
    else:
        candidate = candidates[0]
    saved, created = save_candidate(site, network, candidate, request.user, account)
    if created:
        messages.success(request, _("Compte %(account)s connecté.") % {"account": saved})
    else:
        messages.success(
            request,
            _("Compte %(account)s reconnecté : les publications en attente partent.")
            % {"account": saved},
        )
    return redirect("social_accounts")


# -- the forms of Bluesky and Mastodon -----------------------------------------------------------


class BlueskyForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Identifiant"),
        max_length=200,
        help_text=gettext_lazy("Votre pseudo Bluesky, par exemple alumni.bsky.social."),
    )
    app_password = forms.CharField(
        label=gettext_lazy("Mot de passe d'application"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "À créer dans Bluesky : Paramètres → Confidentialité et sécurité "
            "→ Mots de passe d'application. Jamais le mot de passe du compte."
        ),
    )
    server = forms.URLField(
        label=gettext_lazy("Serveur (PDS)"),
        max_length=300,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Laissez la valeur proposée sauf si votre compte est hébergé ailleurs."
        ),
    )


class MastodonForm(forms.Form):
    instance = forms.CharField(
        label=gettext_lazy("Serveur Mastodon"),
        max_length=300,
        help_text=gettext_lazy("L'adresse du serveur du compte, par exemple mastodon.social."),
    )


# -- views ---------------------------------------------------------------------------------------


def start(request: HttpRequest, network: str) -> HttpResponse:
    check_permission(request)
    if network not in registry:
        raise Http404
    site = site_for(request)
    account = _account(request, network, site)
    if network == "bluesky":
        return _bluesky(request, site, account)
    if network == "mastodon":
        return _mastodon(request, site, account)
    flow = FLOWS[network]()
    state = secrets.token_urlsafe(32)
    try:
        url, kept = flow.start(callback_url(network), state)
    except ConnectError as exc:
        return _back(request, str(exc))
    _remember(request, state, network, site, account, kept)
    return redirect(url)


def _bluesky(request: HttpRequest, site: Site, account: SocialAccount | None) -> HttpResponse:
    initial = {
        "server": (account.base_url if account else "")
        or conf.provider("bluesky")["default_server"]
    }
    if account is not None:
        initial["identifier"] = account.handle.lstrip("@")
    form = BlueskyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = connect_bluesky(
                form.cleaned_data["identifier"],
                form.cleaned_data["app_password"],
                form.cleaned_data["server"],
            )
        except ConnectError as exc:
            form.add_error(None, str(exc))
        else:
            return _finish(
                request, "bluesky", site.pk, account.pk if account else None, [candidate]
            )
    return TemplateResponse(
        request,
        "social/connect_form.html",
        {
            "form": form,
            "network": registry["bluesky"],
            "site": site,
            "account": account,
        },
    )


def _mastodon(request: HttpRequest, site: Site, account: SocialAccount | None) -> HttpResponse:
    initial = {"instance": account.base_url if account else ""}
    form = MastodonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        flow = MastodonFlow()
        instance = flow.normalise(form.cleaned_data["instance"])
        try:
            app = flow.register(instance, callback_url("mastodon"))
        except ConnectError as exc:
            form.add_error("instance", str(exc))
        else:
            state = secrets.token_urlsafe(32)
            _remember(request, state, "mastodon", site, account, app)
            return redirect(flow.authorize_url(app, callback_url("mastodon"), state))
    return TemplateResponse(
        request,
        "social/connect_form.html",
        {
            "form": form,
            "network": registry["mastodon"],
            "site": site,
            "account": account,
        },
    )


def callback(request: HttpRequest, network: str) -> HttpResponse:
    check_permission(request)
    if network not in FLOWS:
        raise Http404
    label = registry[network].label
    state = request.GET.get("state", "")
    pending = request.session.get(STATE_KEY, {})
    entry = pending.pop(state, None) if state else None
    request.session[STATE_KEY] = pending
    if (
        entry is None
        or entry["network"] != network
        or (time.time() - entry["created"] > conf.OAUTH_STATE_LIFETIME.total_seconds())
    ):
        return _back(
            request,
            _(
                "Cette connexion à %(label)s a expiré ou n'a pas été demandée depuis ce "
                "navigateur : recommencez depuis Paramètres → Réseaux."
            )
            % {"label": label},
        )
    if request.GET.get("error"):
        if request.GET["error"] == "access_denied":
            return _back(
                request,
                _("Connexion à %(label)s annulée : l'autorisation a été refusée.")
                % {"label": label},
            )
        return _back(
            request,
            _("%(label)s a refusé la connexion (%(error)s) : recommencez.")
            % {"label": label, "error": request.GET["error"][:100]},
        )
    code = request.GET.get("code", "")
    if not code:
        return _back(
            request, _("%(label)s n'a pas renvoyé d'autorisation : recommencez.") % {"label": label}
        )
    kept = crypto.decrypt(entry["kept"])
    flow = FLOWS[network]()
    try:
        tokens = flow.exchange(code, callback_url(network), kept)
        candidates = flow.candidates(tokens, kept)
    except ConnectError as exc:
        return _back(request, str(exc))
    return _finish(request, network, entry["site"], entry["account"], candidates)


def choose(request: HttpRequest, network: str) -> HttpResponse:
    check_permission(request)
    pending = request.session.get(CHOICE_KEY)
    if not pending or pending.get("network") != network:
        return _back(request, _("Rien à choisir : recommencez la connexion."))
    candidates = [Candidate.from_session(c) for c in crypto.decrypt(pending["candidates"])["list"]]
    if request.method == "POST":
        picked = [c for c in candidates if c.remote_id in request.POST.getlist("remote_id")]
        if picked:
            del request.session[CHOICE_KEY]
            response: HttpResponse = redirect("social_accounts")
            for candidate in picked:
                response = _finish(request, network, pending["site"], None, [candidate])
            return response
        messages.error(request, _("Choisissez au moins un compte."))
    return TemplateResponse(
        request,
        "social/connect_choose.html",
        {
            "network": registry[network],
            "candidates": candidates,
        },
    )
