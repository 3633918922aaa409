"""Admin views of the watch: the sources and their health, the keyword rules, and the triage
desk with its actions. Every view shows the chosen association's rows only, and every action
on a row answers "not found" for a row of another association (:mod:`cms.federation.scope`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access

from cms.discuss.drafting import from_entry
from cms.federation.models import Association
from cms.federation.scope import chosen_site, in_scope, sites_for

from . import checking, drafts, review
from .forms import AddSourceForm, DeskFilterForm, KeywordRuleForm
from .models import KeywordRule, Source, WatchEntry

SOURCE_ACTIONS = ("pause", "resume", "delete")
ENTRY_ACTIONS = ("keep", "skip", "later", "draft", "discussion")
#: The desk's filters, kept from one action to the next.
FILTERS = ("site", "source", "state", "period")


def _mine(request: HttpRequest, model: type[Model], pk: int) -> Model:
    """The row ``pk`` of ``model`` if it belongs to one of the user's associations, else 404."""
    return get_object_or_404(in_scope(model._default_manager.all(), request.user), pk=pk)


def _sources_url(site_id: int) -> str:
    return f"{reverse('watch_sources')}?{urlencode({'site': site_id})}"


# -- sources and rules -------------------------------------------------------------------------


@require_admin_access
def sources(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    return TemplateResponse(
        request,
        "watch/sources.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "sources": Source.objects.filter(site=site).order_by("title", "url"),
            "rules": KeywordRule.objects.filter(site=site),
            "sectors": Association.for_site(site).sectors.all(),
            "add_form": AddSourceForm(),
            "rule_form": KeywordRuleForm(),
        },
    )


@require_admin_access
@require_POST
def add_source(request: HttpRequest) -> HttpResponse:
    site = chosen_site(request)
    form = AddSourceForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_sources_url(site.pk))
    try:
        source = checking.add_source(site, form.cleaned_data["address"], form.cleaned_data["kind"])
    except checking.SourceError as exc:
        messages.error(request, str(exc))
        return redirect(_sources_url(site.pk))
    messages.success(
        request,
        _("Source ajoutée : %(source)s (%(kind)s). Ses articles arriveront au prochain cycle.")
        % {"source": source, "kind": source.get_kind_display()},
    )
    return redirect(_sources_url(site.pk))


@require_admin_access
@require_POST
def act_on_source(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    source = _mine(request, Source, pk)
    if action == "delete":
        source.delete()
        messages.success(request, _("Source retirée : %(source)s.") % {"source": source})
    else:
        source.active = action == "resume"
        if source.active:
            source.next_check = None  # checked at the next cycle
        source.save(update_fields=["active", "next_check"])
        if source.active:
            message = _("La source %(source)s est de nouveau suivie.")
        else:
            message = _("La source %(source)s est en pause.")
        messages.success(request, message % {"source": source})
    return redirect(_sources_url(source.site_id))


@require_admin_access
@require_POST
def add_rule(request: HttpRequest) -> HttpResponse:
    site = chosen_site(request)
    form = KeywordRuleForm(request.POST, instance=KeywordRule(site=site))
    if form.is_valid():
        form.save()
        messages.success(request, _("Règle ajoutée : %(rule)s.") % {"rule": form.instance})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_sources_url(site.pk))


@require_admin_access
@require_POST
def delete_rule(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _mine(request, KeywordRule, pk)
    rule.delete()
    messages.success(request, _("Règle retirée : %(rule)s.") % {"rule": rule})
    return redirect(_sources_url(rule.site_id))


# -- the triage desk ---------------------------------------------------------------------------


def desk_entries(site_id: int, filters: dict[str, str]) -> QuerySet[WatchEntry]:
    """The desk's entries: today's and those put off for later (``period`` ``all``: every
    one), of one source and one state when asked, the best scores first."""
    entries = WatchEntry.objects.filter(site_id=site_id).select_related("source")
    if filters.get("period") != "all":
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        entries = entries.filter(Q(created_at__gte=midnight) | Q(state=WatchEntry.State.LATER))
    if filters.get("source"):
        entries = entries.filter(source_id=filters["source"])
    if filters.get("state"):
        entries = entries.filter(state=filters["state"])
    return entries.order_by("-score", "-published", "-pk")


@require_admin_access
def desk(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    form = DeskFilterForm(request.GET, sources=Source.objects.filter(site=site))
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {k: str(v.pk if hasattr(v, "pk") else v or "") for k, v in filters.items()}
    entries = list(desk_entries(site.pk, filters)[:200])
    return TemplateResponse(
        request,
        "watch/desk.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "form": form,
            "entries": entries,
            "kept_filters": [(k, v) for k, v in filters.items() if v],
            "pending_review": review.pending(site).count(),
        },
    )


def _filters_of(request: HttpRequest, entry: WatchEntry) -> dict[str, str]:
    query = {k: request.POST[k] for k in FILTERS if request.POST.get(k)}
    query["site"] = str(entry.site_id)
    return query


def _following(entry: WatchEntry, filters: dict[str, str]) -> int:
    """The entry after ``entry`` on the desk as shown (``entry`` itself when it is the last),
    for the desk to open there: the browser puts the focus on it, to go on by keyboard."""
    shown = list(desk_entries(entry.site_id, filters).values_list("pk", flat=True))
    at = shown.index(entry.pk) if entry.pk in shown else -1
    return shown[at + 1] if 0 <= at < len(shown) - 1 else entry.pk


def _back_to_desk(filters: dict[str, str], anchor: int) -> HttpResponse:
    return redirect(f"{reverse('watch_desk')}?{urlencode(filters)}#entree-{anchor}")


@require_admin_access
@require_POST
def act_on_entry(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = _mine(request, WatchEntry, pk)
    filters = _filters_of(request, entry)
    following = _following(entry, filters)  # before the entry leaves a filtered desk
    if action == "draft":
        try:
            page = drafts.make_draft(entry, request.user)
        except drafts.DraftError as exc:
            messages.error(request, str(exc))
            return _back_to_desk(filters, entry.pk)
        messages.success(
            request,
            _("Brouillon créé : écrivez votre commentaire, puis publiez « %(title)s ».")
            % {"title": page.title},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    if action == "discussion":
        discussion = from_entry(entry, request.user, drafts.credit)
        entry.state, entry.kept_for = WatchEntry.State.KEPT, WatchEntry.KeptFor.DISCUSSION
        entry.decided_at, entry.decided_by = timezone.now(), request.user
        entry.save(update_fields=["state", "kept_for", "decided_at", "decided_by"])
        messages.success(
            request,
            _(
                "Discussion préparée : relisez la question et le texte de chaque réseau, "
                "puis envoyez-la."
            ),
        )
        return redirect("discuss_send", pk=discussion.pk)
    entry.state = {
        "keep": WatchEntry.State.KEPT,
        "skip": WatchEntry.State.SKIPPED,
        "later": WatchEntry.State.LATER,
    }[action]
    kept_for = request.POST.get("kept_for", "")
    entry.kept_for = (
        kept_for if action == "keep" and kept_for in WatchEntry.KeptFor.values else ""
    ) or (WatchEntry.KeptFor.REVIEW if action == "keep" else "")
    entry.decided_at, entry.decided_by = timezone.now(), request.user
    entry.save(update_fields=["state", "kept_for", "decided_at", "decided_by"])
    messages.success(
        request,
        _("« %(title)s » : %(state)s.")
        % {"title": entry.title, "state": entry.get_state_display()},
    )
    return _back_to_desk(filters, following)


@require_admin_access
@require_POST
def compose_review(request: HttpRequest) -> HttpResponse:
    site = chosen_site(request)
    try:
        page = review.compose_review(site, request.user)
    except drafts.DraftError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('watch_desk')}?{urlencode({'site': site.pk})}")
    messages.success(
        request,
        _("Revue de presse créée en brouillon : relisez-la, puis publiez « %(title)s ».")
        % {"title": page.title},
    )
    return redirect("wagtailadmin_pages:edit", page.pk)
