"""Posting budgets shared across the installation: the limits of the networks' applications,
and of each account.

X, LinkedIn and Meta (Facebook and Instagram) are reached through **one application per
installation** (``RELAIS_X_CLIENT_ID``, ``RELAIS_LINKEDIN_CLIENT_ID``, ``RELAIS_META_APP_ID``):
whatever the number of associations and accounts, their posts count against that one
application's limits. A network that refuses calls past its limit answers every association's
posts with errors at once; Relais counts its own posts instead and, when a budget is spent,
delays the deliveries until it has room again (``retry_at`` in the ledger, with the reason),
rather than calling.

A **budget** is so many posts in a rolling window of ``seconds``, for some networks, counted
either for the whole installation (``per="application"``) or for each account
(``per="account"``). Defaults (:data:`DEFAULTS`) come from what the networks publish, where
they do; ``settings.RELAIS_SOCIAL_BUDGETS`` changes them by name (``{"x-application":
{"posts": 10000}}``), adds others, or turns one off (``{"linkedin-application": None}``).

**Counting.** Rows of :class:`cms.core.models.RateCounter` (the database every worker shares):
one per budget, scope and time bucket (a sixtieth of the window), each kept until the window
has passed over its whole bucket. The posts in the window are the sum of the rows still
running; the first row to end is when the budget has room again. A post is counted when the
worker is about to post (before the network is called, like the ledger's ``sending``), under a
lock row per budget and scope, so that two workers never both take the last place.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Sum

from cms.core.models import RateCounter

KEY_PREFIX = "relais:budget:"
DAY = 24 * 3600

#: Where each number comes from is said next to it; check your own application's numbers.
DEFAULTS: dict[str, dict] = {
    # X API v2, POST /2/tweets, "Basic" access level: 1,667 requests per 24 h per app and 100
    # per 24 h per user (documented; "Pro": 10,000 per app and 100 per 15 min per user; the free
    # level allows 17 per 24 h for both).
    "x-application": {"networks": ["x"], "per": "application", "posts": 1667, "seconds": DAY},
    "x-account": {"networks": ["x"], "per": "account", "posts": 100, "seconds": DAY},
    # LinkedIn publishes no number any more (each application sees its own in the Developer
    # Portal, "Analytics"): 100,000 calls a day per application and 150 a day per member are
    # the figures of its former Share API documentation, kept here as a guess.
    "linkedin-application": {
        "networks": ["linkedin"],
        "per": "application",
        "posts": 100_000,
        "seconds": DAY,
    },
    "linkedin-account": {"networks": ["linkedin"], "per": "account", "posts": 150, "seconds": DAY},
    # Meta: an app may make 200 calls per hour per user of the app (the Graph API's platform
    # rate limit, documented); a post costs Instagram up to three calls (container, status,
    # publish). 60 posts an hour for the whole installation is a guess on the safe side for an
    # app with one user.
    "meta-application": {
        "networks": ["facebook", "instagram"],
        "per": "application",
        "posts": 60,
        "seconds": 3600,
    },
    # Instagram: 50 posts published through the API per 24 h per account (documented).
    "instagram-account": {"networks": ["instagram"], "per": "account", "posts": 50, "seconds": DAY},
}

#: How many counting rows a window is cut into.
BUCKETS = 60


@dataclass(frozen=True)
class Budget:
    name: str
    networks: frozenset[str]
    per: str  # "application" or "account"
    posts: int
    seconds: int

    @property
    def bucket(self) -> int:
        return max(1, math.ceil(self.seconds / BUCKETS))

    def scope(self, account_id: int) -> str:
        return "all" if self.per == "application" else f"account-{account_id}"

    def prefix(self, account_id: int) -> str:
        return f"{KEY_PREFIX}{self.name}:{self.scope(account_id)}:"


@dataclass(frozen=True)
class Spent:
    """A budget with no room left: which one, and when it has room again."""

    budget: Budget
    until: dt.datetime


def budgets() -> list[Budget]:
    """The budgets in force: :data:`DEFAULTS` updated by ``RELAIS_SOCIAL_BUDGETS``."""
    custom = getattr(settings, "RELAIS_SOCIAL_BUDGETS", {}) or {}
    found = []
    for name in {**DEFAULTS, **custom}:
        if name in custom and custom[name] is None:
            continue
        spec = {**DEFAULTS.get(name, {}), **(custom.get(name) or {})}
        missing = {"networks", "per", "posts", "seconds"} - set(spec)
        if missing or spec["per"] not in ("application", "account"):
            raise ValueError(
                f"RELAIS_SOCIAL_BUDGETS[{name!r}] needs 'networks', 'per' ('application' or "
                f"'account'), 'posts' and 'seconds'; missing or wrong: {sorted(missing) or 'per'}"
            )
        found.append(
            Budget(
                name=name,
                networks=frozenset(spec["networks"]),
                per=spec["per"],
                posts=int(spec["posts"]),
                seconds=int(spec["seconds"]),
            )
        )
    return found


def for_network(network: str) -> list[Budget]:
    return [b for b in budgets() if network in b.networks]


def _lock(key: str) -> None:
    """Hold the row ``key`` until the end of the transaction (made the first time)."""
    far = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)  # never purged
    if not RateCounter.objects.select_for_update().filter(key=key).exists():
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_end=far, count=0)
        except IntegrityError:  # made by a concurrent worker in between
            pass
        RateCounter.objects.select_for_update().get(key=key)


def _running(budget: Budget, account_id: int, now: dt.datetime):
    return RateCounter.objects.filter(
        key__startswith=budget.prefix(account_id), window_end__gt=now
    ).exclude(key__endswith=":lock")


def used(budget: Budget, account_id: int, now: dt.datetime) -> int:
    """Posts counted in the window that ends at ``now``."""
    return _running(budget, account_id, now).aggregate(n=Sum("count"))["n"] or 0


def _room_at(budget: Budget, account_id: int, now: dt.datetime) -> dt.datetime:
    first_end = _running(budget, account_id, now).filter(count__gt=0).aggregate(t=Min("window_end"))
    return first_end["t"] or now


def _count(budget: Budget, account_id: int, now: dt.datetime) -> None:
    epoch = int(now.timestamp())
    start = epoch - epoch % budget.bucket
    key = f"{budget.prefix(account_id)}{start}"
    window_end = dt.datetime.fromtimestamp(start + budget.bucket + budget.seconds, dt.UTC)
    row, _ = RateCounter.objects.select_for_update().get_or_create(
        key=key, defaults={"window_end": window_end, "count": 0}
    )
    row.count += 1
    row.save(update_fields=["count"])


def reserve(network: str, account_id: int, now: dt.datetime) -> Spent | None:
    """Count one post of ``account_id`` on ``network`` in every budget it falls under, or, when
    one of them is spent, count nothing and say which and until when (the latest, when several
    are)."""
    applying = for_network(network)
    if not applying:
        return None
    with transaction.atomic():
        for budget in sorted(applying, key=lambda b: b.name):
            _lock(f"{budget.prefix(account_id)}lock")
        spent = [
            Spent(b, _room_at(b, account_id, now))
            for b in applying
            if used(b, account_id, now) >= b.posts
        ]
        if spent:
            return max(spent, key=lambda s: s.until)
        for budget in applying:
            _count(budget, account_id, now)
    return None
