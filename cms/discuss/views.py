"""Admin views of discussions and thank-yous: review each network's text and send, and draft
a thank-you from an item. Every view answers "not found" for another association's row
(:mod:`cms.federation.scope`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.models import Page

from cms.federation.scope import in_scope, scoped_objects

from . import drafting, results, sending
from .models import Discussion


def can_send(user: Any, discussion: Discussion) -> bool:
    """Who may send: whoever may publish the association's pages (as for "post again")."""
    if user.has_perm("social.change_delivery"):
        return True
    return discussion.site.root_page.permissions_for_user(user).can_publish_subpage()


def _mine(request: HttpRequest, pk: int) -> Discussion:
    rows = in_scope(Discussion.objects.select_related("site", "page"), request.user)
    return get_object_or_404(rows, pk=pk)


@require_admin_access
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Each network's text with its count, the poll where it goes; save the texts, or send."""
    discussion = _mine(request, pk)
    if request.method == "POST":
        if discussion.is_sent:
            messages.error(
                request, _("Cette discussion est déjà partie : rien n'est envoyé deux fois.")
            )
            return redirect("discuss_send", pk=discussion.pk)
        if not request.user.has_perm("discuss.change_discussion"):
            raise PermissionDenied
        known = {p.network for p in sending.previews(discussion)}
        texts = dict(discussion.texts or {})
        for name in known:
            value = request.POST.get(f"text-{name}")
            if value is not None:
                texts[name] = value.replace("\r\n", "\n")
        discussion.texts = texts
        discussion.networks = [n for n in request.POST.getlist("networks") if n in known]
        discussion.save(update_fields=["texts", "networks"])
        if request.POST.get("action") == "send":
            if not can_send(request.user, discussion):
                raise PermissionDenied
            try:
                created = sending.launch(discussion, request.user)
            except sending.LaunchError as exc:
                for problem in exc.problems:
                    messages.error(request, problem)
                return redirect("discuss_send", pk=discussion.pk)
            messages.success(
                request,
                _("Discussion envoyée : %(n)s publication(s) en route, suivies ci-dessous.")
                % {"n": len(created)},
            )
        else:
            messages.success(request, _("Textes enregistrés."))
        return redirect("discuss_send", pk=discussion.pk)
    previews = sending.previews(discussion)
    return TemplateResponse(
        request,
        "discuss/send.html",
        {
            "discussion": discussion,
            "previews": previews,
            "chosen": set(discussion.networks or []),
            "deliveries": sending.deliveries_of(discussion),
            "poll_readings": results.poll_readings(discussion),
            "can_send": can_send(request.user, discussion),
            "page_title": discussion.question,
            "header_icon": "comment",
        },
    )


@require_admin_access
def thank(request: HttpRequest, page_id: int) -> HttpResponse:
    """Who will be thanked and how each network names them; on POST, the draft thank-you."""
    pages = scoped_objects(Page, request.user)
    page = get_object_or_404(pages if pages is not None else Page.objects.none(), pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if request.method == "POST":
        try:
            discussion = drafting.draft_thanks(page, request.user)
        except drafting.DraftError as exc:
            messages.error(request, str(exc))
            return redirect("discuss_thank", page_id=page.pk)
        messages.success(
            request,
            _("Remerciement préparé : relisez le texte de chaque réseau, puis envoyez-le."),
        )
        return redirect("discuss_send", pk=discussion.pk)
    people = drafting.contributors_of(page)
    rows = [
        {
            "name": c.name,
            "mastodon": c.handle("mastodon"),
            "bluesky": c.handle("bluesky"),
            "x": c.handle("x"),
        }
        for c in people
    ]
    return TemplateResponse(
        request,
        "discuss/thank.html",
        {
            "page": page,
            "people": rows,
            "page_title": _("Remercier les contributeurs"),
            "header_icon": "group",
        },
    )
