"""The ledger in the admin: every post of the chosen association's accounts (Rapports →
Publications sur les réseaux, filtered by state and network), the posts of one item (with
"Publier à nouveau"), and Retry (of a post of the user's associations only)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from cms.core.spreadsheets import SafeSpreadsheetExportMixin
from cms.federation.scope import chosen_site, scoped_objects
from cms.federation.viewsets import SiteSwitcherMixin
from cms.publishing.models import ExportRecord
from syndication.ledger import State

from .. import conf
from ..delivery import make_engine
from ..ledger import DjangoLedger, to_entry
from ..models import NETWORK_CHOICES, Delivery, SocialAccount
from ..planning import accounts_for, enqueue, plan
from ..tasks import schedule


def can_post(user, page: Page | None) -> bool:
    """Who may retry or post again: whoever may publish the item."""
    if user.has_perm("social.change_delivery"):
        return True
    return page is not None and page.permissions_for_user(user).can_publish()


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("État"),
        choices=Delivery.State.choices,
        empty_label=gettext_lazy("Tous"),
    )
    network = django_filters.ChoiceFilter(
        label=gettext_lazy("Réseau"),
        choices=NETWORK_CHOICES,
        empty_label=gettext_lazy("Tous"),
    )

    class Meta:
        model = Delivery
        fields = ["state", "network"]


class DeliveryReportView(SiteSwitcherMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = gettext_lazy("Publications sur les réseaux")
    header_icon = "globe"
    results_template_name = "social/deliveries_results.html"
    filterset_class = DeliveryFilterSet
    index_url_name = "social_deliveries"
    index_results_url_name = "social_deliveries_results"
    paginate_by = 50
    list_export = ["item_key", "account", "state", "updated_at", "remote_url", "reason"]

    def get_queryset(self):
        self.site = chosen_site(self.request)
        return (
            Delivery.objects.filter(account__site=self.site)
            .select_related("account", "page")
            .order_by("-created_at", "-pk")
        )


def page_deliveries(request: HttpRequest, page_id: int) -> HttpResponse:
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    record = ExportRecord.objects.filter(page_id=page.pk, withdrawn=False).first()
    deliveries = list(
        Delivery.objects.filter(page_id=page.pk)
        .select_related("account")
        .order_by("-round", "account__network", "pk")
    )
    return TemplateResponse(
        request,
        "social/page_deliveries.html",
        {
            "page": page,
            "deliveries": deliveries,
            "accounts": accounts_for(page),
            "switched_off": SocialAccount.switched_off(page.get_site()),
            "is_live": record is not None and record.live_at is not None,
            "can_post": can_post(request.user, page),
        },
    )


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a failed delivery again, or look now for an uncertain one (never posts twice)."""
    mine = scoped_objects(Delivery, request.user).select_related("account", "page")
    delivery = get_object_or_404(mine, pk=pk)
    page = delivery.page.specific if delivery.page_id else None
    if not can_post(request.user, page):
        raise PermissionDenied
    back = request.POST.get("next") or ""
    if not delivery.can_retry:
        messages.warning(
            request,
            _("Cette publication n'est pas à réessayer (%(state)s).")
            % {"state": delivery.get_state_display()},
        )
    else:
        if delivery.state == State.FAILED:
            make_engine().reset(to_entry(delivery))
        elif delivery.retry_at is not None:
            # Now rather than later, unless an uncertain post may still be landing
            last = delivery.attempted_at or delivery.updated_at or delivery.created_at
            if timezone.now() - last >= dt.timedelta(seconds=conf.delivery()["check_delay"]):
                DjangoLedger().update(to_entry(delivery), retry_at=None)
        schedule(delivery.pk)
        messages.success(
            request, _("Nouvel essai demandé pour %(account)s.") % {"account": delivery.account}
        )
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("social_deliveries")


@require_POST
def repost(request: HttpRequest, page_id: int) -> HttpResponse:
    """ "Publier à nouveau": a new post of the live item on the chosen accounts."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not can_post(request.user, page):
        raise PermissionDenied
    record = ExportRecord.objects.filter(page_id=page.pk, withdrawn=False).first()
    if record is None or record.live_at is None:
        messages.error(request, _("L'article n'est pas en ligne : publiez-le d'abord."))
        return redirect("social_page_deliveries", page_id=page.pk)
    chosen = {int(pk) for pk in request.POST.getlist("account") if pk.isdigit()}
    accounts = [a for a in accounts_for(page) if a.pk in chosen]
    if not accounts:
        messages.error(request, _("Choisissez au moins un compte."))
        return redirect("social_page_deliveries", page_id=page.pk)
    created = plan(page, record, accounts=accounts, again=True, user=request.user)
    enqueue(created)
    if created:
        messages.success(
            request,
            _("Nouvelle publication demandée sur %(accounts)s.")
            % {"accounts": ", ".join(str(d.account) for d in created)},
        )
    else:
        messages.warning(request, _("Une publication est déjà en cours sur ces comptes."))
    return redirect("social_page_deliveries", page_id=page.pk)
