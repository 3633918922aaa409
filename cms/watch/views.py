"""Admin views of the watch: the sources and their health (and those the federation or a union
shares with the association), the keyword rules, the triage desk with its actions, and the
alerts (rules, who follows them, read or not), and when the weekly press review is composed by
itself. Every view shows the chosen association's rows
only, and every action on a row answers "not found" for a row of another association
(:mod:`cms.federation.scope`); a shared source is found only by the associations it reaches.
The public opt-out of the alerts' daily mail is reached by its signed link only.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.models import Site

from cms.discuss.drafting import from_entry
from cms.federation.models import Association
from cms.federation.scope import can_manage, chosen_site, in_scope, sites_for

from . import alerts, checking, drafts, review, sharing, weekly
from .forms import (
    AddSourceForm,
    AlertRuleForm,
    DeskFilterForm,
    KeywordRuleForm,
    ReviewScheduleForm,
)
from .models import (
    Alert,
    AlertPreference,
    AlertRule,
    KeywordRule,
    ReviewRun,
    ReviewSchedule,
    Source,
    WatchEntry,
)

SOURCE_ACTIONS = ("pause", "resume", "delete", "share", "unshare")
SHARED_ACTIONS = ("mute", "unmute")
RULE_ACTIONS = ("delete", "follow", "unfollow")
ENTRY_ACTIONS = ("keep", "skip", "later", "draft", "discussion")
#: The desk's filters, kept from one action to the next.
FILTERS = ("site", "source", "state", "period")


def _mine(request: HttpRequest, model: type[Model], pk: int) -> Model:
    """The row ``pk`` of ``model`` if it belongs to one of the user's associations, else 404."""
    return get_object_or_404(in_scope(model._default_manager.all(), request.user), pk=pk)


def _sources_url(site_id: int) -> str:
    return f"{reverse('watch_sources')}?{urlencode({'site': site_id})}"


# -- sources and rules -------------------------------------------------------------------------


def _may_share(request: HttpRequest, site_id: int) -> bool:
    """Whether the user may share ``site``'s sources: its administrators, for the federation
    or a union."""
    return sharing.may_share(site_id) and can_manage(request.user, site_id)


@require_admin_access
def sources(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    muted = sharing.muted_ids(site)
    shared = [
        (source, source.pk in muted)
        for source in sharing.shared_with(site).select_related("site").order_by("title", "url")
    ]
    return TemplateResponse(
        request,
        "watch/sources.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "may_share": _may_share(request, site.pk),
            "shared_sources": shared,
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
    if form.cleaned_data["shared"] and _may_share(request, site.pk):
        source.shared = True
        source.save(update_fields=["shared"])
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
        if WatchEntry.objects.filter(source=source).exclude(site_id=source.site_id).exists():
            # retiring it would take the entries other associations triaged with it
            messages.error(
                request,
                _(
                    "Des associations rattachées ont trié des articles de la source %(source)s : "
                    "arrêtez de la partager ou mettez-la en pause, sans la retirer."
                )
                % {"source": source},
            )
            return redirect(_sources_url(source.site_id))
        source.delete()
        messages.success(request, _("Source retirée : %(source)s.") % {"source": source})
    elif action in ("share", "unshare"):
        if not _may_share(request, source.site_id):
            raise PermissionDenied
        source.shared = action == "share"
        source.save(update_fields=["shared"])
        if source.shared:
            message = _("La source %(source)s est partagée avec les associations rattachées.")
        else:
            message = _("La source %(source)s n'est plus partagée.")
        messages.success(request, message % {"source": source})
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
def act_on_shared(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Mute (or listen again to) a source shared with the chosen association."""
    site = chosen_site(request)
    source = get_object_or_404(sharing.shared_with(site), pk=pk)
    if action == "mute":
        sharing.mute(source, site)
        message = _("La source partagée %(source)s n'arrive plus dans votre tri.")
    else:
        sharing.unmute(source, site)
        message = _("La source partagée %(source)s arrive de nouveau dans votre tri.")
    messages.success(request, message % {"source": source})
    return redirect(_sources_url(site.pk))


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
    form = DeskFilterForm(request.GET, sources=sharing.desk_sources(site).order_by("title", "url"))
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


@require_admin_access
@require_http_methods(["GET", "HEAD", "POST"])
def review_schedule(request: HttpRequest) -> HttpResponse:
    """When the association's weekly press review is composed by itself (:mod:`.weekly`)."""
    site = chosen_site(request)
    schedule = ReviewSchedule.objects.filter(site=site).first() or ReviewSchedule(site=site)
    form = ReviewScheduleForm(request.POST if request.method == "POST" else None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            _("Programmation de la revue de presse enregistrée.")
            if schedule.weekday is not None
            else _("La revue de presse n'est plus composée d'elle-même."),
        )
        return redirect(f"{reverse('watch_review_schedule')}?{urlencode({'site': site.pk})}")
    now = timezone.now()
    slot = weekly.slot_of(schedule, now) if schedule.pk else None
    if slot is not None and ReviewRun.objects.filter(site=site, week=weekly.week_of(now)).exists():
        slot += dt.timedelta(days=7)  # this week's is done: next week's
    return TemplateResponse(
        request,
        "watch/review_schedule.html",
        {
            "site": site,
            "form": form,
            "next_slot": slot,
            "runs": ReviewRun.objects.filter(site=site).select_related("review")[:5],
            "pending_review": review.pending(site).count(),
        },
    )


# -- alerts ------------------------------------------------------------------------------------


def _alerts_url(site_id: int) -> str:
    return f"{reverse('watch_alerts')}?{urlencode({'site': site_id})}"


def _pages_of(site: Site) -> QuerySet[Source]:
    return sharing.desk_sources(site).filter(kind=Source.Kind.PAGE).order_by("title", "url")


@require_admin_access
def alerts_page(request: HttpRequest) -> TemplateResponse:
    site = chosen_site(request)
    followed_rules = set(
        request.user.watch_follows.filter(site=site, rule__isnull=False).values_list(
            "rule_id", flat=True
        )
    )
    rules = AlertRule.objects.filter(site=site).select_related("source")
    return TemplateResponse(
        request,
        "watch/alerts.html",
        {
            "site": site,
            "sites": sites_for(request.user),
            "rules": [(rule, rule.pk in followed_rules) for rule in rules],
            "follows_all": alerts.follows_all(request.user, site),
            "form": AlertRuleForm(pages=_pages_of(site)),
            "alerts": list(
                alerts.followed(request.user, [site.pk]).order_by("is_read", "-created_at")[:100]
            ),
            "preference": AlertPreference.for_user(request.user),
        },
    )


@require_admin_access
@require_POST
def add_alert_rule(request: HttpRequest) -> HttpResponse:
    site = chosen_site(request)
    form = AlertRuleForm(
        request.POST, pages=_pages_of(site), instance=AlertRule(site=site, created_by=request.user)
    )
    if form.is_valid():
        rule = form.save()
        alerts.follow(request.user, site, rule)  # who asks for it follows it
        messages.success(request, _("Alerte ajoutée, et suivie : %(rule)s.") % {"rule": rule})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_alerts_url(site.pk))


@require_admin_access
@require_POST
def act_on_alert_rule(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rule = _mine(request, AlertRule, pk)
    if action == "delete":
        rule.delete()
        messages.success(request, _("Alerte retirée : %(rule)s.") % {"rule": rule})
    elif action == "follow":
        alerts.follow(request.user, rule.site_id, rule)
        messages.success(request, _("Vous suivez l'alerte %(rule)s.") % {"rule": rule})
    else:
        alerts.unfollow(request.user, rule.site_id, rule)
        messages.success(request, _("Vous ne suivez plus l'alerte %(rule)s.") % {"rule": rule})
    return redirect(_alerts_url(rule.site_id))


@require_admin_access
@require_POST
def follow_all(request: HttpRequest, follow: bool) -> HttpResponse:
    site = chosen_site(request)
    if follow:
        alerts.follow(request.user, site)
        messages.success(request, _("Vous suivez toutes les alertes de l'association."))
    else:
        alerts.unfollow(request.user, site)
        messages.success(request, _("Vous ne suivez plus toutes les alertes de l'association."))
    return redirect(_alerts_url(site.pk))


def _next_or(request: HttpRequest, default: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(default)


@require_admin_access
@require_POST
def read_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _mine(request, Alert, pk)
    alerts.mark_read([alert], request.user)
    return _next_or(request, _alerts_url(alert.site_id))


@require_admin_access
@require_POST
def read_all_alerts(request: HttpRequest) -> HttpResponse:
    site = chosen_site(request)
    alerts.mark_read(alerts.followed(request.user, [site.pk]).filter(is_read=False), request.user)
    messages.success(request, _("Toutes vos alertes sont lues."))
    return _next_or(request, _alerts_url(site.pk))


@require_admin_access
@require_POST
def alerts_email(request: HttpRequest) -> HttpResponse:
    """Turn the person's daily mail of alerts on or off (it is theirs, for every association)."""
    wanted = request.POST.get("daily_email") == "1"
    preference = AlertPreference.for_user(request.user)
    preference.daily_email = wanted
    preference.save(update_fields=["daily_email"])
    if wanted:
        messages.success(request, _("Vous recevrez le courriel quotidien des alertes."))
    else:
        messages.success(request, _("Vous ne recevrez plus le courriel quotidien des alertes."))
    return redirect(_alerts_url(chosen_site(request).pk))


@csrf_exempt  # one click from a mail client (RFC 8058): the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def alerts_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail servers' link scanners open links); POST stops the mail."""
    user = alerts.user_of_token(token)
    if user is None:
        raise Http404
    done = request.method == "POST"
    if done:
        AlertPreference.for_user(user)
        AlertPreference.objects.filter(user=user).update(daily_email=False)
    response = render(request, "watch/alerts_opt_out.html", {"done": done})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
