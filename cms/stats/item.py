"""An item's own numbers, for its page in the admin: each of its posts with what the network
counted since it went out, the visits of its page (from each network, and in all), and the
sign-ups it brought (last touch)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from cms.audience.models import PageViewCount
from cms.members.models import Signup
from cms.social.models import Delivery
from syndication.ledger import State
from syndication.metrics import ENGAGEMENT, METRICS
from syndication.networks import registry

from .labels import metric_label
from .models import MetricSample
from .series import Amount, Series, total

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


@dataclass
class PostNumbers:
    delivery: Delivery
    metrics: dict[str, Amount] = field(default_factory=dict)

    @property
    def engagement(self) -> Amount:
        return total(self.metrics[m] for m in ENGAGEMENT if m in self.metrics)

    def cells(self, names: list[str]) -> list[Amount | None]:
        return [self.metrics.get(name) for name in names]


@dataclass
class ItemNumbers:
    key: str
    posts: list[PostNumbers]
    metric_names: list[str]
    visits: int
    visits_by_network: dict[str, int]
    signups: int
    signups_by_network: dict[str, int]

    @property
    def metric_labels(self) -> list[str]:
        return [metric_label(m) for m in self.metric_names]

    @property
    def network_visits(self) -> int:
        return sum(v for n, v in self.visits_by_network.items() if n in registry)

    def by_network(self) -> list[dict[str, Any]]:
        names = [n for n in registry if n in self.visits_by_network or n in self.signups_by_network]
        return [
            {
                "label": registry[n].label,
                "visits": self.visits_by_network.get(n, 0),
                "signups": self.signups_by_network.get(n, 0),
            }
            for n in names
        ]


def item_numbers(page: Any) -> ItemNumbers:
    """The numbers of ``page``: its posts, and the visits and sign-ups of its association's site
    (another association may have an item at the same address)."""
    key = f"{page.section_key}/{page.slug}"
    site = page.get_site()
    deliveries = list(
        Delivery.objects.filter(page_id=page.pk, state=State.SENT)
        .exclude(remote_id="")
        .select_related("account")
        .order_by("account__network", "round", "pk")
    )
    series: dict[int, dict[str, Series]] = defaultdict(lambda: defaultdict(Series))
    for delivery_id, metric, taken_at, value, kind, reason in (
        MetricSample.objects.filter(delivery__in=deliveries)
        .order_by("delivery_id", "metric", "taken_at", "pk")
        .values_list("delivery_id", "metric", "taken_at", "value", "unavailable", "reason")
    ):
        series[delivery_id][metric].add(taken_at, value, kind, reason)
    posts, seen = [], set()
    for delivery in deliveries:
        numbers = PostNumbers(delivery)
        for metric, s in series.get(delivery.pk, {}).items():
            amount = Amount()
            amount.add(s.gain(EPOCH, END), metric, s, END)
            numbers.metrics[metric] = amount
            seen.add(metric)
        posts.append(numbers)
    visits = dict(
        PageViewCount.objects.filter(site=site, path=page.static_path)
        .values_list("network")
        .annotate(views=Sum("views"))
        .order_by()
    )
    signups: dict[str, int] = defaultdict(int)
    mine = Signup.objects.filter(site=site, last_item=key)
    for network in mine.values_list("last_network", flat=True):
        signups[network] += 1
    return ItemNumbers(
        key=key,
        posts=posts,
        metric_names=[m for m in METRICS if m in seen],
        visits=sum(visits.values()),
        visits_by_network=visits,
        signups=sum(signups.values()),
        signups_by_network=dict(signups),
    )
