"""Admin views of the pool: the item's Partage page (federation and unions), the association's
inbox of offered items and its actions, and what changed in an original since it was copied."""

from __future__ import annotations

import difflib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.models import Page

from cms.content.models import ItemPage
from cms.federation.models import Association
from cms.federation.scope import associations_for, chosen_site, managed_sites_for, sites_for
from cms.stats.forms import StatsFilterForm

from . import adoption
from .dashboard import dashboard
from .forms import ScheduleForm, ShareForm
from .models import Offer, Share
from .sharing import SHARING_KINDS, below, can_share, make_offers, share_of

ACTIONS = ("adopt", "adapt", "schedule", "decline", "seen")


# -- the item's Partage page -------------------------------------------------------------------


@require_admin_access
def share(request: HttpRequest, page_id: int) -> HttpResponse:
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, ItemPage) or not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    source = Association.for_page(page)
    if not can_share(source):
        raise Http404(_("Seules la fédération et les unions régionales partagent des articles."))
    candidates = below(source)
    current = share_of(page)
    form = ShareForm(request.POST or None, instance=current, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.page_id, saved.updated_by = page.pk, request.user
        saved.save()
        form.save_m2m()
        new = make_offers(page)
        if page.live:
            messages.success(
                request,
                ngettext(
                    "Partage enregistré : %(n)s association de plus reçoit l'article.",
                    "Partage enregistré : %(n)s associations de plus reçoivent l'article.",
                    len(new),
                )
                % {"n": len(new)},
            )
        else:
            messages.success(
                request, _("Partage enregistré : l'article sera proposé quand il sera publié.")
            )
        return redirect("pool_share", page_id=page.pk)
    return TemplateResponse(
        request,
        "pool/share.html",
        {
            "page": page,
            "source": source,
            "form": form,
            "candidates": candidates,
            "offers": Offer.objects.filter(original_id=page.pk).select_related(
                "association__site", "decided_by"
            ),
        },
    )


# -- the association's inbox -------------------------------------------------------------------


@require_admin_access
def inbox(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    association = Association.for_site(site)
    offers = (
        Offer.objects.filter(association=association)
        .select_related("original", "copy", "decided_by")
        .order_by("-offered_at", "-pk")
    )
    rows = [_row(offer) for offer in offers]
    return TemplateResponse(
        request,
        "pool/inbox.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "association": association,
            "proposed": [r for r in rows if r["offer"].is_open],
            "decided": [r for r in rows if not r["offer"].is_open],
            "schedule_form": ScheduleForm(),
        },
    )


def _row(offer: Offer) -> dict[str, Any]:
    original = offer.original.specific
    source = Association.for_page(original)
    share = share_of(original)
    sectors = list(share.sectors.all()) if share and share.mode == Share.Mode.SECTORS else []
    return {
        "offer": offer,
        "original": original,
        "source": source,
        "section": original.specific_class.section.label_fr,
        "sectors": sectors,
    }


def _offer_for(request: HttpRequest, pk: int) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("association__site", "original"), pk=pk)
    if not associations_for(request.user).filter(pk=offer.association_id).exists():
        raise Http404
    return offer


@require_admin_access
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    offer = _offer_for(request, pk)
    back = f"{reverse('pool_inbox')}?site={offer.association.site_id}"
    title = offer.original.title
    try:
        if action == "adopt":
            adoption.adopt(offer, request.user)
            messages.success(
                request, _("« %(title)s » est publié sur votre site.") % {"title": title}
            )
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                for error in form.errors.get("go_live_at", []):
                    messages.error(request, error)
                return redirect(back)
            adoption.adopt(offer, request.user, go_live_at=form.cleaned_data["go_live_at"])
            messages.success(
                request,
                _("« %(title)s » sera mis en ligne sur votre site à la date choisie.")
                % {"title": title},
            )
        elif action == "adapt":
            copy = adoption.adapt(offer, request.user)
            messages.success(
                request,
                _(
                    "« %(title)s » est copié en brouillon : réécrivez le chapeau et les textes "
                    "des réseaux, puis publiez."
                )
                % {"title": title},
            )
            return redirect("wagtailadmin_pages:edit", copy.pk)
        elif action == "decline":
            adoption.decline(offer, request.user)
            messages.success(request, _("« %(title)s » est refusé.") % {"title": title})
        else:
            adoption.mark_seen(offer, request.user)
            messages.success(request, _("Modifications de l'original marquées comme vues."))
    except adoption.OfferError as exc:
        messages.error(request, str(exc))
    return redirect(back)


# -- what changed in the original --------------------------------------------------------------


def _texts(page: Any) -> list[tuple[str, str]]:
    body = "\n".join(strip_tags(str(block.value)) for block in page.body) if page.body else ""
    return [
        (_("Titre"), page.title),
        (_("Chapeau"), page.summary),
        (_("Corps"), body),
    ]


@require_admin_access
def changes(request: HttpRequest, pk: int) -> TemplateResponse:
    offer = _offer_for(request, pk)
    original = offer.original.specific
    before = offer.copied_revision.as_object() if offer.copied_revision else None
    fields = []
    for (label, new), (_label, old) in zip(
        _texts(original), _texts(before) if before is not None else _texts(original), strict=True
    ):
        if old != new:
            diff = list(difflib.ndiff(old.splitlines(), new.splitlines()))
            lines = [(line[:1], line[2:]) for line in diff if not line.startswith("?")]
            fields.append({"label": label, "lines": lines})
    return TemplateResponse(
        request,
        "pool/changes.html",
        {"offer": offer, "original": original, "fields": fields},
    )


# -- the federation's dashboard ------------------------------------------------------------------


def dashboard_sites(user: Any) -> Any:
    """The sites whose dashboard ``user`` may see: the federation's and the unions' they
    administer."""
    return managed_sites_for(user).filter(association__kind__in=SHARING_KINDS)


@require_admin_access
def federation_dashboard(request: HttpRequest) -> TemplateResponse:
    among = dashboard_sites(request.user)
    site = chosen_site(request, among=among)
    form = StatsFilterForm(request.GET or None)
    filters = form.filters(timezone.localdate(), site)
    board = dashboard(Association.for_site(site), filters)
    return TemplateResponse(
        request,
        "pool/dashboard.html",
        {
            "board": board,
            "total": board.total,
            "form": form,
            "filters": filters,
            "site": site,
            "sites": among,
        },
    )
