"""The "Passation" (handover) page: what a new volunteer of the association needs — its network
accounts, their owner and backup, when each goes dark, and the recurring jobs Relais runs by
itself. The association's administrators choose each account's backup here.

Only the associations the user administers are offered (:func:`managed_sites_for`); an account
of another association is not found.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from cms.federation.models import Association
from cms.federation.scope import chosen_site, managed_sites_for
from cms.publishing.clock import default_jobs
from cms.social.models import SocialAccount

from .forecast import REMIND_DAYS, forecast
from .models import AccountCover

#: What each recurring job of the worker's clock does, for a new volunteer.
JOB_LABELS = {
    "publish_scheduled": _("publie les contenus programmés (chaque minute)"),
    "nightly_build": _("reconstruit le site chaque nuit"),
    "purge_rate_counters": _("efface les compteurs anti-abus périmés (chaque heure)"),
    "task_history": _("efface chaque nuit l'historique des tâches terminées depuis un mois"),
    "recovery": _("relance le travail interrompu d'un processus arrêté"),
    "members_purge_expired": _("supprime chaque nuit les demandes d'adhésion trop anciennes"),
    "ambassadors_weekly_mail": _("envoie l'e-mail hebdomadaire des ambassadeur·rices"),
    "surveys_reminders": _("relance une fois, avant la clôture, les invité·es d'une enquête"),
    "watch_weekly_review": _("compose la revue de presse de la semaine, au jour choisi"),
    "handover_expiry_reminders": _(
        "prévient responsable et suppléant·e avant l'expiration d'un compte"
    ),
}


def people_of(site: Site) -> QuerySet:
    """Who may cover the association's accounts: the people of its groups (everyone who may
    use the admin when it has no groups, on an installation with a single association)."""
    users = get_user_model().objects.filter(is_active=True)
    groups = Association.for_site(site).groups
    if groups:
        users = users.filter(groups__in=groups)
    return users.distinct().order_by("username")


class BackupForm(forms.Form):
    backup = forms.ModelChoiceField(
        label=_("Suppléant·e"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(personne)"),
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = people_of(site)


class HandoverView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Passation")
    header_icon = "clipboard-list"
    template_name = "handover/handover.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        managed = managed_sites_for(request.user)
        if not managed.exists():
            raise PermissionDenied
        self.site = chosen_site(request, among=managed)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = forecast(self.site, timezone.now())
        forms_by_account = {
            r.account.pk: BackupForm(
                site=self.site,
                initial={"backup": r.backup.pk if r.backup else None},
                prefix=f"a{r.account.pk}",
            )
            for r in rows
        }
        return {
            **super().get_context_data(**kwargs),
            "site": self.site,
            "sites": managed_sites_for(self.request.user),
            "rows": [(r, forms_by_account[r.account.pk]) for r in rows],
            "remind_days": REMIND_DAYS,
            "jobs": [(j.name, JOB_LABELS.get(j.name, "")) for j in default_jobs()],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            pk = int(request.POST.get("account", ""))
        except ValueError:
            raise Http404 from None
        account = SocialAccount.objects.filter(pk=pk, site=self.site).first()
        if account is None:
            raise Http404
        form = BackupForm(request.POST, site=self.site, prefix=f"a{pk}")
        if not form.is_valid():
            messages.error(
                request,
                _("Choisissez le ou la suppléant·e parmi les personnes de l'association."),
            )
        else:
            AccountCover.objects.update_or_create(
                account=account, defaults={"backup": form.cleaned_data["backup"]}
            )
            messages.success(
                request, _("Suppléance du compte %(account)s enregistrée.") % {"account": account}
            )
        return redirect(f"{reverse('handover')}?site={self.site.pk}")
