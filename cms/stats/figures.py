"""The numbers of the Statistics area, computed from the stored data of one association (its
site) for a period, a section and a network: posts (the ledger, its accounts'), what the
networks counted (the metric samples), visits (its site's audience counter, by ``utm_source``)
and sign-ups (its own, by their last-touch attribution).

Every figure shown, charted or exported comes from a :class:`Figures`: the views, the CSV and
the monthly report never compute numbers of their own, so they always agree.

* **Posts**: posts sent in the period (their first reading's schedule time, i.e. when they went
  out).
* **Vues / interactions / clics**: what the period brought on every post of the scope, old ones
  included (:mod:`cms.stats.series`); interactions are likes, shares, comments, quotes and saves.
* **Visites depuis les réseaux**: page views whose network (``utm_source``, else the referring
  host) is one of the networks; **visites**: all page views of an item.
* **Adhésions**: sign-ups whose last touch came from that network (funnel), or from that item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Sum
from django.utils import timezone
from wagtail.models import Site

from cms.audience.models import PageViewCount
from cms.core.sections import section_label
from cms.members.models import Signup
from cms.social.models import Delivery
from relais.sections import SECTIONS
from syndication.ledger import State
from syndication.metrics import CLICKS, ENGAGEMENT, IMPRESSIONS, REACH
from syndication.networks import registry

from .catalog import catalog
from .models import MetricSample
from .series import Amount, Series, total

NETWORKS = list(registry)


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # included
    section: str = ""
    network: str = ""
    #: The association whose figures these are (its site); ``None``: every association's
    #: (for code that adds them up; the admin always names one).
    site: Site | None = None

    @property
    def since(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time()))

    @property
    def until(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))

    @property
    def section_label(self) -> str:
        return section_label(self.section)

    @property
    def network_label(self) -> str:
        return registry[self.network].label if self.network in registry else self.network

    def query(self, **extra: str) -> str:
        params = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "section": self.section,
            "network": self.network,
            "site": str(self.site.pk) if self.site else "",
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v})


def item_key(delivery_key: str) -> str:
    """``<section>/<slug>`` of a ledger key (``…#2`` for a second round)."""
    return delivery_key.split("#", 1)[0]


@dataclass
class Reading:
    """What the networks counted for a set of posts over a period, metric by metric."""

    metrics: dict[str, Amount] = field(default_factory=lambda: defaultdict(Amount))

    @property
    def impressions(self) -> Amount:
        return self.metrics[IMPRESSIONS]

    @property
    def reach(self) -> Amount:
        return self.metrics[REACH]

    @property
    def clicks(self) -> Amount:
        return self.metrics[CLICKS]

    @property
    def engagement(self) -> Amount:
        return total(self.metrics[m] for m in ENGAGEMENT)


@dataclass
class Row(Reading):
    """A line of a table: a network, an item, a contributor or the total."""

    key: str = ""
    label: str = ""
    posts: int = 0
    network_visits: int = 0
    visits: int = 0
    signups: int = 0
    items: int = 0
    section: str = ""
    page_id: int | None = None
    contributors: list[str] = field(default_factory=list)

    @property
    def section_label(self) -> str:
        return section_label(self.section)

    def absorb(self, other: Row) -> None:
        for metric, amount in other.metrics.items():
            self.metrics[metric].merge(amount)
        self.posts += other.posts
        self.network_visits += other.network_visits
        self.visits += other.visits
        self.signups += other.signups


class Figures:
    """Everything the Statistics area shows for ``filters``, read from the database once."""

    def __init__(self, filters: Filters, granularity: str = ""):
        self.filters = f = filters
        #: "day", "week" or "month" for the timelines; empty: chosen by the period's length.
        self.granularity = granularity
        deliveries = Delivery.objects.filter(state=State.SENT).exclude(remote_id="")
        if f.site is not None:
            deliveries = deliveries.filter(account__site=f.site)
        if f.network:
            deliveries = deliveries.filter(network=f.network)
        if f.section:
            deliveries = deliveries.filter(item_key__startswith=f"{f.section}/")
        self.deliveries = list(
            deliveries.select_related("tracking").only(
                "pk",
                "network",
                "item_key",
                "page_id",
                "attempted_at",
                "updated_at",
                "created_at",
                "tracking__posted_at",
            )
        )
        #: Per post: its metrics' readings before the end of the period.
        self.series: dict[int, dict[str, Series]] = defaultdict(lambda: defaultdict(Series))
        samples = (
            MetricSample.objects.filter(
                delivery_id__in=[d.pk for d in self.deliveries],
                taken_at__lt=f.until,
            )
            .order_by("delivery_id", "metric", "taken_at", "pk")
            .values_list("delivery_id", "metric", "taken_at", "value", "unavailable", "reason")
        )
        for delivery_id, metric, taken_at, value, kind, reason in samples:
            self.series[delivery_id][metric].add(taken_at, value, kind, reason)
        self.visit_rows = self._visits()
        self.signup_rows = self._signups()

    # -- loading -------------------------------------------------------------------------------

    @staticmethod
    def posted_at(delivery: Delivery) -> dt.datetime:
        tracking = getattr(delivery, "tracking", None)
        if tracking is not None:
            return tracking.posted_at
        return delivery.attempted_at or delivery.updated_at or delivery.created_at

    def _visits(self) -> list[tuple[dt.date, str, str, int]]:
        f = self.filters
        rows = PageViewCount.objects.filter(day__gte=f.start, day__lte=f.end)
        if f.site is not None:
            rows = rows.filter(site=f.site)
        if f.section:
            rows = rows.filter(path__startswith=f"/{f.section}/")
        if f.network:
            rows = rows.filter(network=f.network)
        return [
            (r["day"], r["path"], r["network"], r["views"])
            for r in rows.values("day", "path", "network")
            .annotate(views=Sum("views"))
            .order_by("day", "path", "network")
        ]

    def _signups(self) -> list[tuple[dt.date, str, str]]:
        f = self.filters
        rows = Signup.objects.filter(created_at__gte=f.since, created_at__lt=f.until)
        if f.site is not None:
            rows = rows.filter(site=f.site)
        if f.section:
            rows = rows.filter(last_item__startswith=f"{f.section}/")
        if f.network:
            rows = rows.filter(last_network=f.network)
        return [
            (timezone.localdate(created), network, item)
            for created, network, item in rows.values_list(
                "created_at", "last_network", "last_item"
            )
        ]

    # -- building blocks -----------------------------------------------------------------------

    def in_period(self, when: dt.datetime, a: dt.datetime, b: dt.datetime) -> bool:
        return a <= when < b

    def reading(
        self, deliveries: list[Delivery], a: dt.datetime | None = None, b: dt.datetime | None = None
    ) -> Reading:
        """What the networks counted on ``deliveries`` between ``a`` and ``b`` (the period by
        default)."""
        a, b = a or self.filters.since, b or self.filters.until
        out = Reading()
        for delivery in deliveries:
            for metric, series in self.series.get(delivery.pk, {}).items():
                out.metrics[metric].add(series.gain(a, b), metric, series, b)
        return out

    def posts_in(
        self, deliveries: list[Delivery], a: dt.datetime | None = None, b: dt.datetime | None = None
    ) -> int:
        a, b = a or self.filters.since, b or self.filters.until
        return sum(1 for d in deliveries if self.in_period(self.posted_at(d), a, b))

    # -- the tables ----------------------------------------------------------------------------

    def by_network(self) -> list[Row]:
        """One row per network with posts, visits or sign-ups in the scope (the funnel)."""
        rows = []
        for name in NETWORKS:
            if self.filters.network and name != self.filters.network:
                continue
            mine = [d for d in self.deliveries if d.network == name]
            row = Row(key=name, label=registry[name].label, posts=self.posts_in(mine))
            row.metrics = self.reading(mine).metrics
            row.network_visits = sum(v for _d, _p, n, v in self.visit_rows if n == name)
            row.signups = sum(1 for _d, n, _i in self.signup_rows if n == name)
            if mine or row.network_visits or row.signups:
                rows.append(row)
        return rows

    def total(self, rows: list[Row]) -> Row:
        out = Row(key="", label="Total")
        for row in rows:
            out.absorb(row)
        return out

    def items(self) -> list[Row]:
        """One row per item with anything in the period, the most visited from the networks
        first."""
        known = catalog(self.filters.site)
        rows: dict[str, Row] = {}

        def row(key: str) -> Row:
            if key not in rows:
                info = known.get(key)
                rows[key] = Row(
                    key=key,
                    label=info.title if info else key,
                    section=key.split("/", 1)[0],
                    page_id=info.page_id if info else None,
                    contributors=list(info.contributors) if info else [],
                )
            return rows[key]

        by_item: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in self.deliveries:
            by_item[item_key(delivery.item_key)].append(delivery)
        for key, deliveries in by_item.items():
            reading = self.reading(deliveries)
            posts = self.posts_in(deliveries)
            if posts or any(a.value for a in reading.metrics.values()):
                r = row(key)
                r.posts, r.metrics = posts, reading.metrics
        paths = {f"/{key}/": key for key in known}
        for _day, path, network, views in self.visit_rows:
            key = paths.get(path)
            if key is None:
                continue
            r = row(key)
            r.visits += views
            if network in registry:
                r.network_visits += views
        for _day, _network, item in self.signup_rows:
            if item and item.split("/", 1)[0] in SECTIONS:
                row(item).signups += 1
        return sorted(
            rows.values(),
            key=lambda r: (-r.network_visits, -r.signups, -int(r.engagement), -r.posts, r.label),
        )

    def contributors(self, items: list[Row] | None = None) -> list[Row]:
        """What each contributor's items brought (an item with several contributors counts in
        full for each of them)."""
        rows: dict[str, Row] = {}
        for item in items if items is not None else self.items():
            for name in item.contributors:
                row = rows.setdefault(name, Row(key=name, label=name))
                row.absorb(item)
                row.items += 1
        return sorted(
            rows.values(),
            key=lambda r: (-r.signups, -r.network_visits, -int(r.engagement), r.label),
        )

    # -- over time -----------------------------------------------------------------------------

    def buckets(self) -> list[tuple[dt.date, dt.date, str]]:
        """The periods of the timeline: days (up to a month), weeks (up to six months) or
        months; each ``(first day, day after the last, label)``."""
        f = self.filters
        days = (f.end - f.start).days + 1
        granularity = self.granularity or (
            "day" if days <= 31 else "week" if days <= 190 else "month"
        )
        out = []
        if granularity == "day":
            for i in range(days):
                day = f.start + dt.timedelta(days=i)
                out.append((day, day + dt.timedelta(days=1), day.strftime("%d/%m")))
        elif granularity == "week":
            day = f.start - dt.timedelta(days=f.start.weekday())
            while day <= f.end:
                out.append(
                    (
                        max(day, f.start),
                        min(day + dt.timedelta(days=7), f.end + dt.timedelta(days=1)),
                        max(day, f.start).strftime("%d/%m"),
                    )
                )
                day += dt.timedelta(days=7)
        else:
            day = f.start.replace(day=1)
            while day <= f.end:
                following = (day + dt.timedelta(days=32)).replace(day=1)
                out.append(
                    (
                        max(day, f.start),
                        min(following, f.end + dt.timedelta(days=1)),
                        day.strftime("%m/%Y"),
                    )
                )
                day = following
        return out

    def timeline(self) -> dict[str, dict[str, list[Any]]]:
        """Per network and bucket: posts, views and interactions (:class:`Amount`), visits from
        it and sign-ups."""
        buckets = self.buckets()
        aware = [
            (
                timezone.make_aware(dt.datetime.combine(a, dt.time())),
                timezone.make_aware(dt.datetime.combine(b, dt.time())),
            )
            for a, b, _ in buckets
        ]
        out: dict[str, dict[str, list[Any]]] = {}
        for row in self.by_network():
            mine = [d for d in self.deliveries if d.network == row.key]
            readings = [self.reading(mine, a, b) for a, b in aware]
            out[row.key] = {
                "posts": [self.posts_in(mine, a, b) for a, b in aware],
                "impressions": [r.impressions for r in readings],
                "engagement": [r.engagement for r in readings],
                "visits": [
                    sum(v for d, _p, n, v in self.visit_rows if n == row.key and a <= d < b)
                    for a, b, _ in buckets
                ],
                "signups": [
                    sum(1 for d, n, _i in self.signup_rows if n == row.key and a <= d < b)
                    for a, b, _ in buckets
                ],
            }
        return out

    def all_visits(self) -> int:
        return sum(v for *_rest, v in self.visit_rows)

    def all_signups(self) -> int:
        return len(self.signup_rows)
