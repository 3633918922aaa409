"""Calendrier éditorial: a month or a week of the association's scheduled items, posts per
network and events, with the gaps and the days of content ready; moving a post (or a scheduled
item) by dragging it (``calendar/calendar.js`` POSTs the move form) or with the form under it;
and each account's posting slots, with the slots its own past posts suggest.

Everything is one site's, among those the user works on (:func:`cms.federation.scope.chosen_site`);
a post or an item of another association is not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page, Revision, Site

from cms.federation.scope import (
    can_manage,
    chosen_site,
    managed_sites_for,
    pages_in_scope,
    scoped_objects,
    sites_for,
)
from cms.social.models import Delivery, PostingSlot, SocialAccount
from cms.social.tasks import schedule
from cms.social.views.ledger import can_post
from cms.stats import conf as stats_conf
from cms.stats.timing import suggested_slots

from . import agenda, conf
from .forms import MoveItemForm, MovePostForm, SlotFormSet

MONTH, WEEK = "month", "week"


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def slot_targets(site: Site) -> dict[int, list[dict[str, Any]]]:
    """{weekday: [{"time", "networks"}]}: the site's posting slots, where a post may be dropped."""
    targets: dict[int, dict[dt.time, list[str]]] = {}
    rows = PostingSlot.objects.filter(account__site=site, account__active=True).select_related(
        "account"
    )
    for slot in rows:
        labels = targets.setdefault(slot.weekday, {}).setdefault(slot.time, [])
        if slot.account.network_label not in labels:
            labels.append(slot.account.network_label)
    return {
        weekday: [{"time": t, "networks": labels} for t, labels in sorted(times.items())]
        for weekday, times in targets.items()
    }


class CalendarView(WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Calendrier éditorial")
    header_icon = "calendar"
    template_name = "calendar/calendar.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.site = chosen_site(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        view = WEEK if self.request.GET.get("view") == WEEK else MONTH
        wanted = self.request.GET.get("date")
        shown = parse_day(wanted)
        if wanted and shown is None:
            messages.warning(
                self.request,
                _("« %(value)s » n'est pas une date (AAAA-MM-JJ) : voici aujourd'hui.")
                % {"value": wanted[:20]},
            )
        shown = shown or today
        if view == WEEK:
            first = week_start(shown)
            last = first + dt.timedelta(days=6)
            previous, following = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
            title = _("Semaine du %(day)s") % {"day": date_format(first, "j F Y")}
        else:
            first = week_start(month_start(shown))
            last = week_start(add_months(shown, 1) - dt.timedelta(days=1)) + dt.timedelta(days=6)
            previous, following = add_months(shown, -1), add_months(shown, 1)
            title = date_format(shown, "F Y").capitalize()
        by_day: dict[dt.date, list[agenda.Entry]] = {}
        for entry in agenda.entries(self.site, first, last):
            by_day.setdefault(entry.day, []).append(entry)
        gaps = agenda.gaps(self.site, first, last, today)
        slots = slot_targets(self.site) if view == WEEK else {}
        days = []
        day = first
        while day <= last:
            days.append(
                {
                    "date": day,
                    "in_month": view == WEEK or day.month == shown.month,
                    "past": day < today,
                    "today": day == today,
                    "entries": by_day.get(day, []),
                    "gaps": [g.label for g in gaps if g.covers(day)],
                    "slots": slots.get(day.weekday(), []),
                }
            )
            day += dt.timedelta(days=1)
        ready = agenda.days_ready(self.site, today)
        here = reverse("editorial_calendar")
        return {
            **super().get_context_data(**kwargs),
            "site": self.site,
            "sites": sites_for(self.request.user),
            "view": view,
            "title": title,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "weekdays": [date_format(first + dt.timedelta(days=i), "l") for i in range(7)],
            "gaps": gaps,
            "ready": ready,
            "warning_days": conf.calendar()["ready_warning_days"],
            "previous_url": f"{here}?view={view}&date={previous.isoformat()}",
            "next_url": f"{here}?view={view}&date={following.isoformat()}",
            "today_url": f"{here}?view={view}",
            "other_view_url": f"{here}?view={WEEK if view == MONTH else MONTH}"
            f"&date={shown.isoformat()}",
            "shown": shown,
            "accounts": SocialAccount.objects.filter(site=self.site)
            .prefetch_related("slots")
            .order_by("network", "pk"),
            "can_manage": can_manage(self.request.user, self.site),
            "back": self.request.get_full_path(),
        }


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def back_to(request: HttpRequest) -> str:
    """Where to go after a move: ``next`` when it is an address of this admin."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("editorial_calendar")


def answer(
    request: HttpRequest, form: Any, done: str, what: str, when: dt.datetime | None = None
) -> HttpResponse:
    """The answer to a move: JSON for the calendar's script; else the form again (with what
    was typed and why it is refused: nothing is lost), or a message and back."""
    if wants_json(request):
        if when is None:
            errors = [str(e) for errors in form.errors.values() for e in errors]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        local = timezone.localtime(when)
        return JsonResponse(
            {
                "ok": True,
                "message": done,
                "when": when.isoformat(),
                "day": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
            }
        )
    if when is None:
        return TemplateResponse(
            request,
            "calendar/move.html",
            {
                "page_title": _("Déplacer"),
                "header_title": _("Déplacer"),  # the browser's title (the generic template's)
                "header_icon": "calendar",
                "what": what,
                "form": form,
                "next": back_to(request),
            },
            status=400 if request.method == "POST" else 200,
        )
    messages.success(request, done)
    return redirect(back_to(request))


@require_http_methods(["GET", "POST"])
def move_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a waiting post to another day (same time of day) or time (GET: the form)."""
    mine = scoped_objects(Delivery, request.user).select_related("account", "page")
    delivery = get_object_or_404(mine, pk=pk)
    if not can_post(request.user, delivery.page.specific if delivery.page_id else None):
        raise PermissionDenied
    what = _("Publication sur %(account)s de « %(title)s », prévue le %(when)s.") % {
        "account": delivery.account,
        "title": delivery.page.title if delivery.page_id else delivery.item_key,
        "when": date_format(
            timezone.localtime(delivery.post_at or timezone.now()), "DATETIME_FORMAT"
        ),
    }
    if request.method == "GET":
        return answer(
            request, initial_form(MovePostForm, delivery.post_at, delivery=delivery), "", what
        )
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("account", "page")
            .get(pk=delivery.pk)
        )
        form = MovePostForm(request.POST, delivery=delivery)
        if not form.is_valid():
            return answer(request, form, "", what)
        when = form.when()
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(post_at=when)
        # Earlier than before: a task for the new time (one waiting for the old time finds it
        # sent, or not due yet, and leaves it alone)
        schedule(delivery.pk, when)
    done = _("Publication %(account)s déplacée au %(when)s.") % {
        "account": delivery.account,
        "when": date_format(timezone.localtime(when), "DATETIME_FORMAT"),
    }
    return answer(request, form, done, what, when)


@require_http_methods(["GET", "POST"])
def move_item(request: HttpRequest, page_id: int) -> HttpResponse:
    """Move the go-live time of a scheduled item (its approved revision's; GET: the form)."""
    page = get_object_or_404(pages_in_scope(Page.objects.all(), request.user), pk=page_id)
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    revision = (
        Revision.page_revisions.filter(object_id=str(page.pk), approved_go_live_at__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    if revision is None:
        raise Http404(_("Cet article n'est pas programmé."))
    what = _("Mise en ligne de « %(title)s », prévue le %(when)s.") % {
        "title": page.title,
        "when": date_format(timezone.localtime(revision.approved_go_live_at), "DATETIME_FORMAT"),
    }
    if request.method == "GET":
        form = initial_form(
            MoveItemForm, revision.approved_go_live_at, revision=revision, page=page
        )
        return answer(request, form, "", what)
    form = MoveItemForm(request.POST, revision=revision, page=page)
    if not form.is_valid():
        return answer(request, form, "", what)
    when = form.when()
    with transaction.atomic():
        revision.approved_go_live_at = when
        revision.content["go_live_at"] = when.isoformat()
        revision.save(update_fields=["approved_go_live_at", "content"])
        Page.objects.filter(pk=page.pk, live=False).update(go_live_at=when)
    done = _("« %(title)s » sera mis en ligne le %(when)s.") % {
        "title": page.title,
        "when": date_format(timezone.localtime(when), "DATETIME_FORMAT"),
    }
    return answer(request, form, done, what, when)


def initial_form(form_class: type, current: dt.datetime | None, **kwargs: Any) -> Any:
    """The move form, filled with the current day and time."""
    local = timezone.localtime(current or timezone.now())
    return form_class(initial={"day": local.date(), "time": local.time()}, **kwargs)


class SlotsView(WagtailAdminTemplateMixin, TemplateView):
    """One account's posting slots (for the association's administrators), with the slots
    its past posts on the network suggest."""

    header_icon = "time"
    template_name = "calendar/slots.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        managed = managed_sites_for(request.user)
        self.account = get_object_or_404(
            SocialAccount.objects.filter(site__in=managed).select_related("site"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Créneaux de %(account)s") % {"account": self.account}

    def formset(self, data: Any = None) -> Any:
        return SlotFormSet(
            data, queryset=PostingSlot.objects.filter(account=self.account), prefix="slots"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        suggestions = suggested_slots(self.account.site, self.account.network)
        existing = {(s.weekday, s.time) for s in self.account.slots.all()}
        weekdays = dict(PostingSlot.Weekday.choices)
        return {
            **super().get_context_data(**kwargs),
            "account": self.account,
            "formset": kwargs.get("formset") or self.formset(),
            "suggestions": [
                {
                    "suggestion": s,
                    "weekday": weekdays[s.weekday],
                    "taken": (s.weekday, s.time) in existing,
                }
                for s in suggestions
            ],
            "min_posts": stats_conf.stats()["slot_min_posts"],
            "age_hours": stats_conf.stats()["slot_age_hours"],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        here = reverse("editorial_calendar_slots", args=[self.account.pk])
        if "add" in request.POST:
            try:
                weekday, hour = (int(v) for v in request.POST["add"].split("-"))
                time = dt.time(hour)
                if weekday not in range(7):
                    raise ValueError
            except ValueError:
                messages.error(request, _("Ce créneau suggéré n'existe pas."))
                return redirect(here)
            PostingSlot.objects.get_or_create(account=self.account, weekday=weekday, time=time)
            messages.success(request, _("Créneau ajouté."))
            return redirect(here)
        formset = self.formset(request.POST)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset))
        with transaction.atomic():
            for slot in formset.save(commit=False):
                slot.account = self.account
                slot.save()
            for slot in formset.deleted_objects:
                slot.delete()
        messages.success(
            request, _("Créneaux de %(account)s enregistrés.") % {"account": self.account}
        )
        return redirect(here)
