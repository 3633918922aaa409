"""What the editorial calendar shows, read from the real data of one association's site:

* **items** scheduled to go live (Wagtail's scheduled publishing: a revision approved with a
  ``go_live_at``, ``Revision.approved_go_live_at``);
* **posts**, one per delivery of the ledger (``social.Delivery``): at its ``post_at`` while it
  waits, at the time it went out once sent;
* **events** (``EventPage.start``) of the live site;
* per network of the site's active accounts: the **days of content ready** (from today, until
  the first day without a post sent or planned) and the **gaps** (at least ``gap_days`` days in
  a row without a post).

A scheduled item has no delivery yet (deliveries are made when it goes live): its posts count
as planned on the day they will go out — the editor's own time for the network, the account's
next free slot, or the item's go-live time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page, Revision, Site

from cms.content.models import EventPage
from cms.social.compose import post_at_for, wants_next_slot
from cms.social.models import Delivery, SocialAccount, network_label
from cms.social.slots import HOLDING, next_free_slot

from . import conf

ITEM, POST, EVENT = "item", "post", "event"


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar."""

    kind: str  #: ITEM, POST or EVENT
    when: dt.datetime
    title: str
    pk: int  #: the delivery's for a post, the page's otherwise
    page_id: int | None = None
    network: str = ""
    state: str = ""
    state_label: str = ""
    movable: bool = False

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.when).date()

    @property
    def network_label(self) -> str:
        return network_label(self.network) if self.network else ""


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def site_pages(site: Site) -> Any:
    return Page.objects.descendant_of(site.root_page, inclusive=True)


def scheduled_revisions(site: Site, start: dt.datetime, end: dt.datetime) -> list[Revision]:
    """The site's page revisions approved to go live between ``start`` and ``end``."""
    revisions = list(
        Revision.page_revisions.filter(
            approved_go_live_at__gte=start, approved_go_live_at__lt=end
        ).order_by("approved_go_live_at", "pk")
    )
    ids = {int(r.object_id) for r in revisions}
    mine = set(site_pages(site).filter(pk__in=ids).values_list("pk", flat=True))
    return [r for r in revisions if int(r.object_id) in mine]


def scheduled_items(site: Site, start: dt.datetime, end: dt.datetime) -> list[Entry]:
    return [
        Entry(
            kind=ITEM,
            when=r.approved_go_live_at,
            title=r.object_str or str(r.content.get("title", "")),
            pk=int(r.object_id),
            page_id=int(r.object_id),
            movable=True,
        )
        for r in scheduled_revisions(site, start, end)
    ]


def post_time(delivery: Delivery) -> dt.datetime:
    """When a post is on the calendar: when it went out once sent, else when it is due."""
    if delivery.state == Delivery.State.SENT and delivery.attempted_at:
        return delivery.attempted_at
    return delivery.post_at or delivery.attempted_at or delivery.created_at


def posts(site: Site, start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """The site's posts between ``start`` and ``end`` (those that will not go out excepted)."""
    window = (start, end)
    rows = (
        Delivery.objects.filter(account__site=site)
        .exclude(state=Delivery.State.SKIPPED)
        .filter(
            Q(post_at__range=window)
            | Q(attempted_at__range=window)
            | Q(post_at=None, attempted_at=None, created_at__range=window)
        )
        .select_related("page")
    )
    found = []
    for delivery in rows:
        when = post_time(delivery)
        if not start <= when < end:
            continue
        found.append(
            Entry(
                kind=POST,
                when=when,
                title=delivery.page.title if delivery.page_id else delivery.item_key,
                pk=delivery.pk,
                page_id=delivery.page_id,
                network=delivery.network,
                state=delivery.state,
                state_label=str(delivery.get_state_display()),
                movable=delivery.state == Delivery.State.PENDING,
            )
        )
    return found


def events(site: Site, start: dt.datetime, end: dt.datetime) -> list[Entry]:
    rows = (
        EventPage.objects.live()
        .descendant_of(site.root_page)
        .filter(start__gte=start, start__lt=end)
        .order_by("start")
    )
    return [Entry(kind=EVENT, when=e.start, title=e.title, pk=e.pk, page_id=e.pk) for e in rows]


def entries(site: Site, first: dt.date, last: dt.date) -> list[Entry]:
    """Everything of ``site`` from day ``first`` to day ``last`` (included), in time order."""
    start, end = start_of(first), start_of(last + dt.timedelta(days=1))
    found = [
        *scheduled_items(site, start, end),
        *posts(site, start, end),
        *events(site, start, end),
    ]
    return sorted(found, key=lambda e: (e.when, e.kind, e.pk))


# -- days ready and gaps -------------------------------------------------------------------------


def networks_of(site: Site) -> list[str]:
    """The networks the site posts to (its active accounts')."""
    names = SocialAccount.objects.filter(site=site, active=True).values_list("network", flat=True)
    return sorted(set(names))


def post_days(site: Site, first: dt.date, last: dt.date, today: dt.date) -> dict[str, set[dt.date]]:
    """{network: the days from ``first`` to ``last`` with a post sent or planned on it}: sent
    posts on the day they went out, waiting ones on their ``post_at`` (today when already due),
    and the posts of scheduled items on the day they will go out."""
    days: dict[str, set[dt.date]] = {name: set() for name in networks_of(site)}
    start, end = start_of(first), start_of(last + dt.timedelta(days=1))
    rows = Delivery.objects.filter(
        account__site=site, account__active=True, state__in=HOLDING
    ).filter(
        Q(post_at__range=(start, end))
        | Q(attempted_at__range=(start, end))
        | Q(post_at__lt=start, state__in=[Delivery.State.PENDING, Delivery.State.NEEDS_CHECK])
        | Q(post_at=None, state__in=[Delivery.State.PENDING, Delivery.State.NEEDS_CHECK])
    )
    for delivery in rows:
        when = post_time(delivery)
        day = timezone.localtime(when).date()
        if delivery.state != Delivery.State.SENT and day < today:
            day = today  # due: it goes as soon as it can
        if first <= day <= last and delivery.network in days:
            days[delivery.network].add(day)
    accounts = list(SocialAccount.objects.filter(site=site, active=True))
    for revision in scheduled_revisions(site, start_of(max(first, today)), end):
        texts = revision.content.get("social_texts") or {}
        go_live = revision.approved_go_live_at
        for name in days:
            when = go_live
            own = post_at_for(texts, name)
            if own is not None:
                when = max(own, go_live)
            elif wants_next_slot(texts, name):
                account = next((a for a in accounts if a.network == name), None)
                when = (next_free_slot(account, go_live) if account else None) or go_live
            day = timezone.localtime(when).date()
            if first <= day <= last:
                days[name].add(day)
    return days


@dataclass
class Ready:
    """The days of content ready on one network."""

    network: str
    days: int  #: from today, until the first day without a post
    first_empty: dt.date
    warning: bool

    @property
    def label(self) -> str:
        return network_label(self.network)


def days_ready(site: Site, today: dt.date | None = None) -> list[Ready]:
    """Per network of the site: how many days in a row, from today, have a post sent or planned
    (``ready_warning_days`` and ``ready_horizon_days`` of ``RELAIS_CALENDAR``)."""
    settings = conf.calendar()
    today = today or timezone.localdate()
    horizon = settings["ready_horizon_days"]
    days = post_days(site, today, today + dt.timedelta(days=horizon), today)
    rows = []
    for name, found in days.items():
        count = 0
        while count < horizon and today + dt.timedelta(days=count) in found:
            count += 1
        rows.append(
            Ready(
                network=name,
                days=count,
                first_empty=today + dt.timedelta(days=count),
                warning=count < settings["ready_warning_days"],
            )
        )
    return rows


@dataclass
class Gap:
    """Days in a row without a post on one network: at least ``gap_days`` of them, or every day
    from some day on as far as the calendar looks (nothing planned any more)."""

    network: str
    first: dt.date
    last: dt.date
    today: dt.date
    open_ended: bool = False  #: nothing until the last day looked at
    since: dt.date | None = None  #: for a gap that includes today: the day of the last post

    @property
    def label(self) -> str:
        return network_label(self.network)

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    @property
    def message(self) -> str:
        values: dict[str, Any] = {
            "label": self.label,
            "first": _day(self.first),
            "last": _day(self.last),
            "n": self.length,
            "next": _day(self.last + dt.timedelta(days=1)),
        }
        if self.first <= self.today:
            if self.since is None:
                text = _("Aucune publication %(label)s à ce jour") % values
            else:
                values["n"] = (self.today - self.since).days
                text = (
                    ngettext(
                        "Aucune publication %(label)s depuis %(n)s jour",
                        "Aucune publication %(label)s depuis %(n)s jours",
                        values["n"],
                    )
                    % values
                )
            if self.open_ended:
                return text + _(" ; rien n'est prévu")
            if self.last >= self.today:
                return text + _(" ; la prochaine est prévue le %(next)s") % values
            return text
        if self.open_ended:
            return _("Aucune publication %(label)s prévue à partir du %(first)s") % values
        return (
            _("Aucune publication %(label)s prévue du %(first)s au %(last)s (%(n)s jours)") % values
        )


def _day(day: dt.date) -> str:
    return date_format(day, "j F")


def gaps(site: Site, first: dt.date, last: dt.date, today: dt.date | None = None) -> list[Gap]:
    """The gaps of each network of ``site`` that touch the days ``first`` to ``last``
    (``gap_days`` of ``RELAIS_CALENDAR``; the days before a network's first account was
    connected are no gap)."""
    settings = conf.calendar()
    today = today or timezone.localdate()
    length = settings["gap_days"]
    look_from = first - dt.timedelta(days=length)
    look_to = max(last + dt.timedelta(days=length), today + dt.timedelta(days=length))
    days = post_days(site, look_from, look_to, today)
    connected: dict[str, dt.date] = {}
    for account in SocialAccount.objects.filter(site=site, active=True):
        day = timezone.localtime(account.connected_at).date()
        connected[account.network] = min(day, connected.get(account.network, day))
    found: list[Gap] = []
    for name, busy in days.items():
        for run in _empty_runs(busy, max(look_from, connected[name]), look_to):
            gap = Gap(name, run[0], run[-1], today, open_ended=run[-1] == look_to)
            if gap.last < first or gap.first > last:
                continue
            if gap.length < length:
                continue
            if gap.first <= today:
                gap.since = _last_post_before(site, name, gap.first)
            found.append(gap)
    return sorted(found, key=lambda g: (g.first, g.network))


def _empty_runs(busy: set[dt.date], start: dt.date, end: dt.date) -> Iterable[list[dt.date]]:
    run: list[dt.date] = []
    day = start
    while day <= end:
        if day in busy:
            if run:
                yield run
            run = []
        else:
            run.append(day)
        day += dt.timedelta(days=1)
    if run:
        yield run


def _last_post_before(site: Site, network: str, day: dt.date) -> dt.date | None:
    last = Delivery.objects.filter(
        account__site=site,
        network=network,
        state=Delivery.State.SENT,
        attempted_at__lt=start_of(day),
    ).aggregate(last=Max("attempted_at"))["last"]
    return timezone.localtime(last).date() if last else None
